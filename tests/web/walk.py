"""Walks the pages of a small but complete demo city as every role, the way a new user clicks around.

`demo_world()` builds the demo city (`zhuqi.demo.builder`, a few dozen enterprises) and adds what the
builder leaves out so that every kind of page has something to show: an application with a file, a
confirmed offer in a disbursement batch, delivered notifications, deadline warnings, an escalated
appeal, an import with a row report. `walk(client, user)` then follows every same-origin link
(`href` and htmx `hx-get`) breadth-first from the home page, requesting each URL once.
"""

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

MAX_PAGES = 320  # per role; the demo city's pages of one role fit well within it
MAX_PER_ROUTE = 4  # the same view with other arguments or filters adds little after a few
SKIPPED = ("/logout/", "/i18n/", "/static/", "/api/v1/docs")


@dataclass
class Page:
    url: str
    status: int
    referrer: str
    content_type: str = ""
    html: str = ""
    queries: int = 0  # database queries the request ran


@dataclass
class Walk:
    user: str
    pages: dict[str, Page] = field(default_factory=dict)
    api: dict[str, Page] = field(default_factory=dict)  # the API's list operations (walk_api)

    def html_pages(self):
        return [p for p in self.pages.values() if p.html]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("hx-get"):
            self.links.append(attrs["hx-get"])


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def _route(path: str) -> str:
    try:
        return resolve(path).route
    except Resolver404:
        return path


def _queries() -> CaptureQueriesContext:
    """Counts one request's queries. CaptureQueriesContext keeps the request from emptying the
    connection's log of queries, which holds 9,000: over a whole walk it fills, and a page counted
    then ran "0 queries" (and Django warned). The log is emptied before each request instead."""
    reset_queries()
    return CaptureQueriesContext(connection)


def walk(client, start: str = "/") -> Walk:
    result = Walk(user="")
    queue = deque([(start, "")])
    seen = {start}
    per_route: dict[tuple, int] = {}
    while queue and len(result.pages) < MAX_PAGES:
        url, referrer = queue.popleft()
        with _queries() as ran:
            response = client.get(url)
        content_type = response.get("Content-Type", "")
        page = Page(url=url, status=response.status_code, referrer=referrer, content_type=content_type)
        page.queries = len(ran)
        if response.status_code in (301, 302):
            page.html = ""
            target = urljoin(url, response["Location"])
            if _same_origin(target) and target not in seen:
                seen.add(target)
                queue.append((target, url))
        elif content_type.startswith("text/html") and not response.streaming:
            page.html = response.content.decode()
        result.pages[url] = page
        if not page.html:
            continue
        for href in links_of(page.html):
            target = urldefrag(urljoin(url, href)).url
            if not _same_origin(target) or target in seen:
                continue
            path = urlsplit(target).path
            if path.startswith(SKIPPED):
                continue
            key = (_route(path), tuple(sorted(re.findall(r"[?&]([^=&]+)=", target))))
            if per_route.get(key, 0) >= MAX_PER_ROUTE:
                continue
            per_route[key] = per_route.get(key, 0) + 1
            seen.add(target)
            queue.append((target, url))
    return result


def walk_api(client) -> dict[str, Page]:
    """Every list operation of the API (a GET with no path parameter and none required), once, as
    this client's user: what each answers and how many queries it ran."""
    from zhuqi.api import api

    schema = api.get_openapi_schema()
    found = {}
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path or any(p.get("required") for p in get.get("parameters", [])):
            continue
        with _queries() as ran:
            response = client.get(path)
        found[path] = Page(path, response.status_code, "openapi", response.get("Content-Type", ""))
        found[path].queries = len(ran)
    return found


def _same_origin(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and parts.path.startswith("/")


def demo_world():
    """The demo city, small, with every kind of object a page can show. Returns the demo users."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from zhuqi.accounts import services as account_services
    from zhuqi.accounts.models import Role, User
    from zhuqi.appeals import services as appeal_services
    from zhuqi.appeals.models import Appeal
    from zhuqi.core import worker
    from zhuqi.demo import builder
    from zhuqi.directory import importers
    from zhuqi.policies import disbursement, grants
    from zhuqi.policies import services as policy_services
    from zhuqi.policies.models import Application, ApplicationState, GrantOffer, OfferState

    summary = builder.build(enterprises=40, progress=False)
    users = {name: User.objects.get(username=name) for name in summary.users}
    enterprise_user = users["enterprise"]
    # An application under review with a supporting file (issue 13, item 1).
    waiting = Application.objects.filter(
        enterprise=enterprise_user.enterprise, state=ApplicationState.SUBMITTED
    ).first()
    policy_services.application_attach(
        application=waiting,
        upload=SimpleUploadedFile("可研报告.pdf", b"%PDF-1.4 report", content_type="application/pdf"),
        acting_user=enterprise_user,
    )
    # A grant offer confirmed by the enterprise and gathered into a batch; another paid.
    offers = list(
        GrantOffer.objects.filter(state=OfferState.OFFERED)
        .exclude(enterprise=enterprise_user.enterprise)
        .order_by("id")[:2]
    )
    for i, offer in enumerate(offers):
        grants.offer_confirm(
            offer=offer,
            bank_name="中国工商银行东莞分行",
            account_name=offer.enterprise.name,
            account_number="6222020200112233",
            acting_user=account_services.user_create(
                username=f"offer_user_{i}",
                password=builder.DEMO_PASSWORD,
                role=Role.ENTERPRISE,
                enterprise=offer.enterprise,
                check_password=False,
            ),
        )
    if offers:
        batch = disbursement.batch_create(acting_user=users["coordinator"])
        disbursement.batch_mark_paid(batch=batch, acting_user=users["coordinator"])
    # Appeals in the coordination list and with deadline warnings.
    replied = Appeal.objects.filter(enterprise=enterprise_user.enterprise, state="replied").first()
    if replied is not None:
        appeal_services.appeal_rate(appeal=replied, acting_user=enterprise_user, rating="unsatisfied")
    open_appeal = Appeal.objects.filter(state="accepted").first()
    if open_appeal is not None:
        appeal_services.appeal_escalate(
            appeal=open_appeal, acting_user=users["coordinator"], comment="需多部门协调"
        )
    appeal_services.sweep(now=timezone.now() + timedelta(days=30))
    # Deadlines already passed today, so the warning list shows its levels now (not only in the
    # sweep's future): the walk then reads the level as the page shows it.
    overdue = Appeal.objects.filter(state__in=["dispatched", "accepted"]).order_by("id")[:2]
    Appeal.objects.filter(pk__in=[a.pk for a in overdue]).update(
        dispatch_due=timezone.now() - timedelta(days=20),
        progress_due=timezone.now() - timedelta(days=20),
        resolve_due=timezone.now() - timedelta(days=20),
    )
    # The sweep closed the unrated replies: one more reply waits for the enterprise's rating.
    accepted = Appeal.objects.filter(enterprise=enterprise_user.enterprise, state="accepted").first()
    if accepted is not None:
        appeal_services.appeal_reply(
            appeal=accepted, acting_user=accepted.department.head or users["admin"], reply="已办理，请评价。"
        )
    # An import with its row report (one bad row).
    csv = "统一社会信用代码,企业名称,镇街\n91441900MA0000000X,东莞市测试有限公司,长安镇\n".encode()
    importers.import_check(
        kind="enterprises", filename="企业.csv", content=csv, acting_user=users["coordinator"]
    )
    # Every queued notification delivered, as the worker does.
    while worker.deliver_due():
        pass
    return users
