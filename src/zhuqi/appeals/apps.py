from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "zhuqi.appeals"
    label = "appeals"
    verbose_name = _("Appeals")

    def ready(self):
        from zhuqi.appeals import (
            jobs,  # noqa: F401  registers the ledger export job
            ledger_import,  # noqa: F401  registers the 销号台账 import kind
            services,  # noqa: F401  registers the audience of a submission's notifications
        )
