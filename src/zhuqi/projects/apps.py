from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "zhuqi.projects"
    label = "projects"
    verbose_name = _("Key projects")

    def ready(self):
        from zhuqi.core import backlinks
        from zhuqi.projects import (
            jobs,  # noqa: F401  registers the register export
            warnings,  # noqa: F401  registers the project_delay warning provider
        )
        from zhuqi.projects.selectors import appeal_backlinks

        backlinks.register("appeals.appeal", "projects", appeal_backlinks)
