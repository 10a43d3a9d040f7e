from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "zhuqi.policies"
    label = "policies"
    verbose_name = _("Policies")

    def ready(self):
        from zhuqi.policies import jobs  # noqa: F401  registers the policies's kinds of background job
