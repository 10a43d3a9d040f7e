from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "zhuqi.chains"
    label = "chains"
    verbose_name = _("Industry chains and matchmaking events")

    def ready(self):
        from zhuqi.chains import jobs  # noqa: F401  registers the events export
