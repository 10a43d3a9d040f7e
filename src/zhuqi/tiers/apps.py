from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TiersConfig(AppConfig):
    name = "zhuqi.tiers"
    label = "tiers"
    verbose_name = _("Tiered cultivation")

    def ready(self):
        from zhuqi.tiers import facts_import, jobs, warnings  # noqa: F401  import kind, job kind, tier_expiry
