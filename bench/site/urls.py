"""The platform's URLs plus /bench/bare: a django-ninja endpoint that inserts one row and nothing more
(no auth, no routing, no audit, no outbox). It is the ceiling the full submission is measured against."""

from django.urls import path
from ninja import NinjaAPI

from zhuqi.core.models import AuditEvent
from zhuqi.urls import urlpatterns as platform_urls

bare = NinjaAPI(urls_namespace="bench-bare", docs_url=None, openapi_url=None)


@bare.post("/bare", auth=None)
def bare_insert(request):
    row = AuditEvent.objects.create(verb="bench_bare", object_type="bench", object_id="0")
    return {"id": row.pk}


urlpatterns = [path("bench/", bare.urls), *platform_urls]
