from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "zhuqi.appeals"
    label = "appeals"
    verbose_name = _("Appeals")

    def ready(self):
        from zhuqi.appeals import ledger_import  # noqa: F401  registers the 销号台账 import kind
