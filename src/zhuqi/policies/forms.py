from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from zhuqi.core.errors import ZhuqiError
from zhuqi.policies import packs
from zhuqi.rules.expr import BOOL, NUMBER


def parse_period(text: str) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise ZhuqiError(
            "bad_period", _("Give the period as a date, YYYY-MM-DD."), status=422, field="period"
        ) from None


class ClauseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    source = forms.CharField(label=_("Source paragraph"), max_length=300)
    department = forms.CharField(label=_("Responsible department"), max_length=100, required=False)
    condition = forms.CharField(
        label=_("Eligibility condition"),
        widget=forms.Textarea(attrs={"rows": 2, "translate": "no", "spellcheck": "false"}),
    )
    amount = forms.CharField(
        label=_("Amount formula"),
        widget=forms.Textarea(attrs={"rows": 3, "translate": "no", "spellcheck": "false"}),
    )
    auto_grant = forms.BooleanField(label=_("Granted without application (免申即享)"), required=False)
    exclusive_group = forms.CharField(
        label=_("Exclusive group (就高不就低)"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"translate": "no"}),
    )
    budget = forms.DecimalField(
        label=_("Annual budget (yuan)"), min_value=0, required=False, decimal_places=2
    )

    def __init__(self, *args, clause, **kwargs):
        _pack, rule = packs.clause_rule(clause)
        self.initial_values = {
            "title": rule.title,
            "source": rule.source,
            "department": rule.department,
            "condition": rule.condition_text,
            "amount": rule.amount_text,
            "auto_grant": rule.auto_grant,
            "exclusive_group": rule.exclusive_group,
            "budget": clause.budget,
        }
        super().__init__(*args, initial=self.initial_values, **kwargs)

    def changes(self) -> dict:
        found = {}
        for name, value in self.cleaned_data.items():
            before = self.initial_values.get(name)
            if name == "budget":
                if (value is None) != (before is None) or (value is not None and value != before):
                    found[name] = None if value is None else str(value)
            elif value != before and not (value in ("", None) and before in ("", None)):
                found[name] = value
        return found


class ApplicationForm(forms.Form):
    project = forms.CharField(label=_("Project"), max_length=200, required=False)
    attachment = forms.FileField(label=_("Supporting document"), required=False)

    def __init__(self, *args, fields, clause, **kwargs):
        super().__init__(*args, **kwargs)
        self.input_names = []
        if clause.exclusive_group:
            self.fields["project"].required = True
            self.fields["project"].help_text = _("One project is funded by only one clause of its group.")
        for fact in fields:
            label = f"{fact.label}（{fact.unit}）" if fact.unit else fact.label
            if fact.type == NUMBER:
                field = forms.DecimalField(label=label, min_value=0, decimal_places=2)
            elif fact.type == BOOL:
                field = forms.TypedChoiceField(
                    label=label,
                    choices=[("true", _("yes")), ("false", _("no"))],
                    coerce=lambda v: v == "true",
                )
            else:
                field = forms.CharField(label=label, max_length=200)
            self.fields[f"in_{fact.name}"] = field
            self.input_names.append(fact.name)

    def inputs(self) -> dict:
        return {name: self.cleaned_data[f"in_{name}"] for name in self.input_names}


class PackImportForm(forms.Form):
    file = forms.FileField(label=_("Pack file (.yaml)"), required=False)
    text = forms.CharField(
        label=_("or paste the pack's text"),
        widget=forms.Textarea(attrs={"rows": 8, "translate": "no", "spellcheck": "false"}),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a pack file or paste its text."))
        return data

    def pack_text(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload:
            try:
                return upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise ZhuqiError("bad_encoding", _("A pack file is UTF-8 text."), status=422) from None
        return self.cleaned_data["text"]
