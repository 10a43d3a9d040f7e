from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CultivationConfig(AppConfig):
    name = "zhuqi.cultivation"
    label = "cultivation"
    verbose_name = _("Cultivation")

    def ready(self):
        from zhuqi.core import findings
        from zhuqi.cultivation import (
            jobs,  # noqa: F401  registers the cultivation kinds of background job
            warnings,
        )

        findings.register(
            warnings.KIND,
            label=_("At risk of dropping out of 规上 (降规)"),
            provider=warnings.provider,
            # The facts of every enterprise (directory, pilots, tiers) and the pools' helpers: the sweep
            # skips the kind while none of them changed (monitoring/warnings.py, _stamp).
            reads=("directory", "programs", "tiers", "cultivation"),
        )
