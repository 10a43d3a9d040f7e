from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingsConfig(AppConfig):
    name = "zhuqi.briefings"
    label = "briefings"
    verbose_name = _("Briefings")

    def ready(self):
        from zhuqi.briefings import jobs  # noqa: F401  registers the generation job
