"""Every link of every demo role's pages works: no server error, no link to a page that is not there
(issue 13, item 1: an application with a file answered 500 and nothing caught it)."""

import re
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

import zhuqi
from tests.web.walk import MAX_PAGES

pytestmark = pytest.mark.django_db


def test_every_role_reaches_a_real_set_of_pages(walks):
    assert set(walks) >= {
        "admin",
        "coordinator",
        "handler",
        "town",
        "leader",
        "expert",
        "enterprise",
        "hotline",
    }
    for name in ("coordinator", "enterprise", "handler"):
        assert len(walks[name].pages) > 20, (name, sorted(walks[name].pages))
    assert all(len(w.pages) <= MAX_PAGES for w in walks.values())


def test_no_page_of_any_role_answers_a_server_error(walks):
    failures = [
        f"{name}: {page.url} → {page.status} (linked from {page.referrer})"
        for name, w in walks.items()
        for page in w.pages.values()
        if page.status >= 500
    ]
    assert not failures, "\n".join(failures)


def test_no_page_offers_a_link_that_is_not_there(walks):
    failures = [
        f"{name}: {page.url} → {page.status} (linked from {page.referrer})"
        for name, w in walks.items()
        for page in w.pages.values()
        if page.status in (403, 404, 405, 410)
    ]
    assert not failures, "\n".join(failures)


def test_the_application_with_a_file_opens_for_its_reviewers(walks):
    for name in ("handler", "coordinator"):
        opened = [
            p for p in walks[name].pages.values() if re.fullmatch(r"/policies/applications/\w+/", p.url)
        ]
        assert opened and all(p.status == 200 for p in opened), (name, opened)
    own = [
        p.url
        for p in walks["enterprise"].pages.values()
        if re.fullmatch(r"/policies/applications/\w+/", p.url)
    ]
    assert len(own) == 3, own  # the demo enterprise's three applications, reached by clicking
    files = [p for p in walks["coordinator"].pages.values() if "/attachments/" in p.url]
    assert files and all(p.status == 200 for p in files), files


TEMPLATES = Path(zhuqi.__file__).parent


def test_every_url_name_in_a_template_exists():
    """The class of the 500 of issue 13: a template naming a URL no pattern has. Checked statically
    too, since a walk reaches only the states the demo city has."""
    missing = []
    for template in TEMPLATES.glob("*/templates/**/*.html"):
        for name in re.findall(r"\{% url '([\w:]+)'", template.read_text()):
            try:
                reverse(name, args=["x"] * 0)
            except NoReverseMatch as exc:
                if "not a valid view function or pattern name" in str(exc):
                    missing.append(f"{template.relative_to(TEMPLATES)}: {name}")
    assert not missing, "\n".join(missing)


# Every page the walk reaches, as every role: at most this many queries. The demo pages need at most
# 13 today; a list of 25 rows that reads a relation per row (N+1) needs more than 30.
QUERY_BUDGET = 30


def test_no_page_runs_more_queries_than_the_budget(walks):
    heavy = [
        f"{name}: {page.url} ran {page.queries} queries"
        for name, w in walks.items()
        for page in w.pages.values()
        if page.queries > QUERY_BUDGET
    ]
    assert not heavy, "\n".join(heavy)


def test_every_page_of_the_walk_has_its_queries_counted(walks):
    """A signed-in page reads at least its session: a page counted at 0 queries was not counted (the
    connection's log of queries had filled over the walk, and the budget above checked nothing)."""
    uncounted = [
        f"{name}: {page.url}"
        for name, w in walks.items()
        for page in [*w.pages.values(), *w.api.values()]
        if page.status == 200 and page.queries == 0
    ]
    assert not uncounted, "\n".join(uncounted)


def test_every_list_of_the_api_answers_within_the_budget(walks):
    """Issue 16, item 9: the API's lists as every role (session signed in), against the same demo
    city: none answers a server error, none runs more queries than a page may (an N+1 over a page of
    rows would)."""
    coordinator = walks["coordinator"].api
    assert len(coordinator) > 30 and sum(p.status == 200 for p in coordinator.values()) > 30
    failures = [
        f"{name}: {page.url} → {page.status}, {page.queries} queries"
        for name, w in walks.items()
        for page in w.api.values()
        if page.status >= 500 or page.queries > QUERY_BUDGET
    ]
    assert not failures, "\n".join(failures)
