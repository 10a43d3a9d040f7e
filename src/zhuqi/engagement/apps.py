from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "zhuqi.engagement"
    label = "engagement"
    verbose_name = _("Engagement")

    def ready(self):
        from zhuqi.engagement import exports  # noqa: F401  registers the engagement's export jobs
