from django import forms
from django.utils.translation import gettext_lazy as _

from zhuqi.directory import services
from zhuqi.directory.models import Enterprise, ImportBatch, Town


class EnterpriseForm(forms.Form):
    uscc = forms.CharField(label=_("unified social credit code"), max_length=18, min_length=1)
    name = forms.CharField(label=_("name"), max_length=200)
    town = forms.ModelChoiceField(label=_("town"), queryset=Town.objects.all())
    industry_code = forms.CharField(label=_("industry (GB/T 4754)"), max_length=5, required=False)
    ownership = forms.ChoiceField(label=_("ownership"), choices=Enterprise.Ownership.choices)
    listing = forms.ChoiceField(label=_("listing status"), choices=Enterprise.Listing.choices)
    size = forms.ChoiceField(label=_("size class"), choices=Enterprise.Size.choices)
    doubling_class = forms.ChoiceField(
        label=_("doubling program class"),
        choices=[("", "—"), *Enterprise.DoublingClass.choices],
        required=False,
    )
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    tags = forms.CharField(label=_("tags"), required=False, help_text=_("Separate tags with commas."))

    def __init__(self, *args, existing: Enterprise | None = None, **kwargs):
        self.existing = existing
        super().__init__(*args, **kwargs)
        if existing is not None:
            # The code is the enterprise's identity: shown, never taken from the submitted data.
            self.fields["uscc"].disabled = True
            self.initial["uscc"] = existing.uscc

    def clean(self):
        cleaned = super().clean()
        code = (cleaned.get("uscc") or "").strip().upper()
        for field_name, _code, message in services.check_enterprise_fields(
            code=code, name=cleaned.get("name", "x"), industry_code=cleaned.get("industry_code", "")
        ):
            self.add_error(field_name, message)
        if self.existing is None and code and Enterprise.objects.filter(uscc=code).exists():
            self.add_error("uscc", _("An enterprise with this code already exists."))
        return cleaned

    def to_data(self) -> services.EnterpriseData:
        c = self.cleaned_data
        return services.EnterpriseData(
            uscc=c["uscc"],
            name=c["name"],
            town=c["town"],
            industry_code=c["industry_code"],
            ownership=c["ownership"],
            listing=c["listing"],
            size=c["size"],
            doubling_class=c["doubling_class"],
            address=c["address"],
            tags=[t.strip() for t in c["tags"].replace("，", ",").split(",") if t.strip()],
        )

    @classmethod
    def initial_from(cls, e: Enterprise) -> dict:
        return {
            "uscc": e.uscc,
            "name": e.name,
            "town": e.town_id,
            "industry_code": e.industry_code,
            "ownership": e.ownership,
            "listing": e.listing,
            "size": e.size,
            "doubling_class": e.doubling_class,
            "address": e.address,
            "tags": ", ".join(t.name for t in e.tags.all()),
        }


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportBatch.Kind.choices)
    file = forms.FileField(label=_("File (.xlsx or .csv)"))

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:  # only what this user may import
            self.fields["kind"].choices = kinds
