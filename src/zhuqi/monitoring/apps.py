from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "zhuqi.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        from zhuqi.monitoring import (
            jobs,  # noqa: F401  registers the warnings export job
            kinds,  # noqa: F401  registers appeal_deadline, figure_fall and target_missed
        )
