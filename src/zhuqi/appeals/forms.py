from django import forms
from django.utils.translation import gettext_lazy as _

from zhuqi.appeals.models import Channel, Urgency
from zhuqi.directory.models import ServiceCategory


class AppealForm(forms.Form):
    enterprise_uscc = forms.CharField(label=_("unified social credit code"), max_length=18, required=False)
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 5}))
    category = forms.ModelChoiceField(
        label=_("category"),
        queryset=ServiceCategory.objects.filter(parent__isnull=False).select_related("parent"),
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
        if user.role == "enterprise":
            del self.fields["enterprise_uscc"]
            self.fields["channel"].choices = [(Channel.WEB, Channel.WEB.label)]
        else:
            self.fields["enterprise_uscc"].required = True
            self.fields["channel"].choices = [(c, c.label) for c in (Channel.VISIT, Channel.PHONE)]
