from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from zhuqi.appeals.models import Channel, Urgency
from zhuqi.core import permissions, uscc
from zhuqi.core.errors import NotFound
from zhuqi.core.permissions import Capability
from zhuqi.directory import selectors as directory_selectors
from zhuqi.directory.models import ServiceCategory


class AppealForm(forms.Form):
    # Staff pick the enterprise by name or code: the browser suggests enterprises in scope as one
    # types (a <datalist> htmx fills from directory:enterprise_options) and submits the code.
    enterprise_uscc = forms.CharField(
        label=_("enterprise (name or unified social credit code)"),
        max_length=100,
        required=False,
        error_messages={"required": _("Choose an enterprise.")},
        widget=forms.TextInput(
            attrs={
                "list": "enterprise-options",
                "autocomplete": "off",
                "hx-get": reverse_lazy("directory:enterprise_options"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#enterprise-options",
            }
        ),
    )
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(
        label=_("description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    category = forms.ModelChoiceField(
        label=_("category"),
        queryset=ServiceCategory.objects.filter(parent__isnull=False).select_related("parent"),
        error_messages={"required": _("Choose a category.")},
    )
    urgency = forms.ChoiceField(label=_("urgency"), choices=Urgency.choices)
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    within_policy = forms.BooleanField(
        label=_("within the published policy list"), required=False, initial=True
    )
    contact_name = forms.CharField(label=_("contact"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=20, required=False)
    attachment = forms.FileField(label=_("attachment (pdf, ofd, image, office document)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["title"].error_messages["required"] = _("Give the appeal a title.")
        self.fields["description"].error_messages["required"] = _("Describe the matter.")
        # As the title is typed, open appeals of the same enterprise that look alike are shown
        # (appeals:similar), before a duplicate is submitted.
        self.fields["title"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("appeals:similar"),
                "hx-trigger": "input changed delay:500ms",
                "hx-target": "#similar",
                "hx-include": "[name=enterprise_uscc]",
                "autocomplete": "off",
            }
        )
        if permissions.has(user, Capability.SUBMIT_OWN_APPEAL):
            del self.fields["enterprise_uscc"]
            self.fields["channel"].choices = [(Channel.WEB, Channel.WEB.label)]
        else:
            self.fields["enterprise_uscc"].required = True
            self.fields["channel"].choices = [(c, c.label) for c in (Channel.VISIT, Channel.PHONE)]

    def clean_enterprise_uscc(self):
        """The enterprise, found in the user's scope by its code or by its exact name. A mistyped
        code gets the GB 32100 message that says what the check character should be."""
        raw = self.cleaned_data.get("enterprise_uscc", "")
        if "enterprise_uscc" not in self.fields or not raw.strip():
            return raw
        code = uscc.normalize(raw)
        if code.isascii() and code.isalnum():
            problem = uscc.problem(code)
            if problem is not None:
                raise forms.ValidationError(str(problem.message))
            try:
                self.enterprise = directory_selectors.enterprise_get(self.user, code)
            except NotFound as exc:
                raise forms.ValidationError(_("No enterprise with this code in your scope.")) from exc
            return code
        named = list(directory_selectors.enterprises_visible_to(self.user).filter(name=raw.strip())[:2])
        if len(named) != 1:
            raise forms.ValidationError(
                _("Choose the enterprise from the suggestions, or type its 18-character code.")
            )
        self.enterprise = named[0]
        return named[0].uscc
