from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.core import permissions
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Department, Enterprise, ServiceCategory
from zhuqi.engagement.models import MajorEvent, Meeting, VisitKind


class EnterprisePick(forms.ModelChoiceField):
    """An enterprise in scope by its code (what the suggestions fill in) or by its name typed in full,
    when exactly one enterprise in scope bears it."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            name = (value or "").strip()
            named = list(self.queryset.filter(name=name)[:2]) if name else []
            if len(named) != 1:
                raise
            return named[0]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner_department = forms.ModelChoiceField(
        label=_("owner department"), queryset=Department.objects.order_by("level", "code"), required=False
    )
    owner_user = forms.ModelChoiceField(
        label=_("owner"),
        queryset=User.objects.filter(
            is_active=True, role__in=permissions.roles_with(Capability.FOLLOW_ENGAGEMENT)
        ).order_by("username"),
        required=False,
    )
    due_on = forms.DateField(
        label=_("due date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


class VisitForm(forms.Form):
    """A phone in a few taps: the enterprise (a leader has a handful), the kind, the day (today), and
    the problem found if any; the 三问三带四帮 fields are folded below."""

    enterprise = EnterprisePick(
        label=_("enterprise"), queryset=Enterprise.objects.none(), to_field_name="uscc"
    )
    kind = forms.ChoiceField(label=_("kind"), choices=VisitKind.choices, widget=forms.RadioSelect)
    visited_on = forms.DateField(
        label=_("date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    problem_title = forms.CharField(
        label=_("problem found (becomes an appeal)"), max_length=200, required=False
    )
    problem_description = forms.CharField(
        label=_("problem in detail"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    problem_category = forms.ModelChoiceField(
        label=_("category"),
        queryset=ServiceCategory.objects.filter(parent__isnull=False).select_related("parent"),
        required=False,
    )
    photo = forms.FileField(label=_("photo or file"), required=False)
    participants = forms.CharField(label=_("who went"), max_length=200, required=False)
    departments = forms.ModelMultipleChoiceField(
        label=_("departments taken along (带职能部门)"),
        queryset=Department.objects.order_by("level", "code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    ask_status = forms.CharField(
        label=_("current situation (问现状)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    ask_needs = forms.CharField(
        label=_("needs (问需求)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    ask_environment = forms.CharField(
        label=_("business environment (问环境)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    brought_service = forms.CharField(
        label=_("services brought (带优质服务)"), max_length=500, required=False
    )
    brought_conduct = forms.BooleanField(
        label=_("conduct rules kept (带优良作风)"), required=False, initial=True
    )
    help_ideas = forms.CharField(
        label=_("ideas (帮思路)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    help_transform = forms.CharField(
        label=_("transformation (帮转型)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    help_solve = forms.CharField(
        label=_("problems solved on the spot (帮解难)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    help_longterm = forms.CharField(
        label=_("lasting arrangements (帮长效)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    summary = forms.CharField(
        label=_("summary"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    QUICK = (
        "enterprise",
        "kind",
        "visited_on",
        "problem_title",
        "problem_description",
        "problem_category",
        "photo",
    )

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        if enterprises.count() > 100:  # the office and the towns: pick by name or code as they type
            self.fields["enterprise"].widget = forms.TextInput(
                attrs={
                    "list": "enterprise-options",
                    "autocomplete": "off",
                    "hx-get": reverse_lazy("directory:enterprise_options"),
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": "#enterprise-options",
                }
            )

    def quick_fields(self):
        return [self[name] for name in self.QUICK]

    def template_fields(self):
        return [self[name] for name in self.fields if name not in self.QUICK]

    def clean(self):
        data = super().clean()
        if data.get("problem_title") and not data.get("problem_category"):
            self.add_error("problem_category", _("Choose a category."))
        return data

    def problems(self):
        from zhuqi.engagement.visits import Problem

        data = self.cleaned_data
        if not data.get("problem_title"):
            return []
        return [
            Problem(
                data["problem_title"],
                data.get("problem_description") or data["problem_title"],
                data["problem_category"],
            )
        ]


class MeetingForm(forms.Form):
    DECISION_ROWS = 5

    kind = forms.ChoiceField(label=_("kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    held_on = forms.DateField(
        label=_("date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    chair = forms.ModelChoiceField(
        label=_("chair"),
        queryset=User.objects.filter(
            is_active=True, role__in=permissions.roles_with(Capability.INSTRUCT_APPEALS)
        ).order_by("username"),
        required=False,
    )
    enterprise_codes = forms.CharField(
        label=_("attending enterprises (unified social credit codes, one a line)"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("attending departments"),
        queryset=Department.objects.order_by("level", "code"),
        required=False,
    )
    minutes = forms.CharField(
        label=_("minutes"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.order_by("level", "code")
        for i in range(self.DECISION_ROWS):
            self.fields[f"decision_{i}_title"] = forms.CharField(
                label=_("decision"), max_length=200, required=False
            )
            self.fields[f"decision_{i}_owner"] = forms.ModelChoiceField(
                label=_("owner department"), queryset=departments, required=False
            )
            self.fields[f"decision_{i}_due"] = forms.DateField(
                label=_("due date"),
                required=False,
                widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            )

    def clean(self):
        data = super().clean()
        for i in range(self.DECISION_ROWS):
            if data.get(f"decision_{i}_title") and not (
                data.get(f"decision_{i}_owner") and data.get(f"decision_{i}_due")
            ):
                self.add_error(
                    f"decision_{i}_title", _("A decision needs an owner department and a due date.")
                )
        return data

    def decisions(self):
        from zhuqi.engagement.meetings import Decision

        data = self.cleaned_data
        return [
            Decision(
                data[f"decision_{i}_title"],
                data[f"decision_{i}_due"],
                owner_department=data[f"decision_{i}_owner"],
            )
            for i in range(self.DECISION_ROWS)
            if data.get(f"decision_{i}_title")
        ]

    def enterprises(self, user):
        from zhuqi.directory.selectors import enterprises_visible_to

        codes = [
            c.strip().upper() for c in self.cleaned_data.get("enterprise_codes", "").split() if c.strip()
        ][:500]
        return list(enterprises_visible_to(user).filter(uscc__in=codes)) if codes else []


class MajorEventForm(forms.Form):
    enterprise_uscc = forms.CharField(
        label=_("enterprise (unified social credit code)"), max_length=18, required=False
    )
    kind = forms.ChoiceField(label=_("kind"), choices=MajorEvent.Kind.choices)
    occurred_on = forms.DateField(
        label=_("date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, own: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if own:
            del self.fields["enterprise_uscc"]

    def enterprise(self, user):
        from zhuqi.directory.selectors import enterprises_visible_to

        code = (self.cleaned_data.get("enterprise_uscc") or "").strip().upper()
        return enterprises_visible_to(user).filter(uscc=code).first() if code else None
