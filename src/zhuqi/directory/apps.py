from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "zhuqi.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self):
        from zhuqi.core import reference
        from zhuqi.directory import jobs  # noqa: F401  registers the directory's kinds of background job
        from zhuqi.directory.models import Department, ServiceCategory

        # The categories and the routing table are cached per process (core.reference).
        reference.watch(ServiceCategory, Department)
