from django import forms
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.core import permissions
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Department


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
    due_on = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs={"type": "date"}))
