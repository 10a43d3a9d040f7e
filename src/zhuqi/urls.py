from django.urls import include, path

from zhuqi.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("zhuqi.web.urls")),
    path("", include("zhuqi.directory.urls")),
    path("", include("zhuqi.appeals.urls")),
    path("", include("zhuqi.policies.urls")),
    path("", include("zhuqi.tiers.urls")),
    path("", include("zhuqi.engagement.urls")),
    path("", include("zhuqi.programs.urls")),
    path("", include("zhuqi.projects.urls")),
    path("", include("zhuqi.chains.urls")),
    path("", include("zhuqi.monitoring.urls")),
    path("", include("zhuqi.cultivation.urls")),
    path("", include("zhuqi.assessment.urls")),
    path("", include("zhuqi.briefings.urls")),
    path("", include("zhuqi.programs.monitoring_urls")),
]
