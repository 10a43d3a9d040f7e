from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "zhuqi.programs"
    label = "programs"
    verbose_name = _("Programmes")

    def ready(self):
        from zhuqi.core import findings
        from zhuqi.programs import facts_import, jobs, monitoring_services  # noqa: F401  import and job kinds

        # A pilot's half-yearly growth report past its due date (seed 000 四(四)); the warnings
        # centre raises it.
        findings.register(
            "report_overdue", label=_("Growth report overdue"), provider=monitoring_services.overdue_findings
        )
