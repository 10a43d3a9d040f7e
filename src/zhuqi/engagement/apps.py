from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "zhuqi.engagement"
    label = "engagement"
    verbose_name = _("Engagement")

    def ready(self):
        from zhuqi.core import findings
        from zhuqi.engagement import exports  # noqa: F401  registers the engagement's export jobs
        from zhuqi.engagement.cadence import overdue_findings
        from zhuqi.engagement.events import open_findings

        findings.register("visit_overdue", label=_("Visit or contact overdue"), provider=overdue_findings)
        findings.register("major_event", label=_("Major event reported"), provider=open_findings)
        # An appeal raised on a visit links back to it (core/backlinks.py), for those who see visits.
        from zhuqi.core import backlinks
        from zhuqi.engagement.visits import appeal_backlinks

        backlinks.register("appeals.appeal", "engagement", appeal_backlinks)
        # A page about an enterprise (a pilot's) links to its liaison leaders and visits.
        from zhuqi.engagement.selectors import enterprise_backlinks

        backlinks.register("directory.enterprise", "engagement", enterprise_backlinks)
