from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from zhuqi.monitoring import actuals, targets, warnings
from zhuqi.monitoring.models import Method, Warning

from .conftest import monthly

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 10)


@pytest.fixture
def busy(history):
    w = history
    monthly(w.a, "revenue", 2026, [5_000_000] * 10)
    monthly(w.b, "revenue", 2026, [4_000_000] * 10)
    monthly(w.a, "revenue", 2025, [9_000_000] * 12, source="tax")
    actuals.refresh([2025, 2026])
    coordinator = w.users["coordinator"]
    w.city = targets.target_set(
        acting_user=coordinator, measure="revenue", year=2026, town=None, annual=Decimal(1.2e8)
    )
    w.town = targets.target_set(
        acting_user=w.users["town_a"],
        measure="revenue",
        year=2026,
        town=w.towns[0],
        annual=Decimal(8e7),
        method=Method.EVEN,
    )
    targets.target_set(acting_user=coordinator, measure="rd_coverage", year=2026, town=None, annual=75)
    targets.target_set(
        acting_user=coordinator, measure="procurement_reserve", year=2026, town=None, annual=40
    )
    warnings.sweep(TODAY)
    return w


def get(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    if response.get("Content-Type", "").startswith("text/html"):
        return response.content.decode()
    return ""


def test_pages_render_for_every_staff_role(client, busy):
    w = busy
    urls = [
        reverse("monitoring:cockpit"),
        reverse("monitoring:targets"),
        reverse("monitoring:target_detail", args=[w.city.pk]),
        reverse("monitoring:target_month_rows", args=[w.city.pk, 3]),
        reverse("monitoring:warnings") + "?state=all",
        reverse("monitoring:kind_rules"),
    ]
    for role in ("coordinator", "admin", "town_a", "city_handler", "town_handler", "leader_a"):
        for url in urls:
            get(client, w.users[role], url)
    for role in ("enterprise_a", "expert"):
        for url in urls:
            get(client, w.users[role], url, 404)


def test_the_coordinators_home_starts_with_work_then_the_cockpit(client, busy):
    html = get(client, busy.users["coordinator"], reverse("web:home"))
    assert html.index('id="queues"') < html.index('id="cockpit"')
    assert 'data-queue="warnings"' in html and reverse("monitoring:warnings") + "?state=open" in html
    assert (
        'id="chart-target"' in html and 'id="chart-kpi-trend"' in html and 'id="chart-warnings-town"' in html
    )
    assert 'data-measure="revenue"' in html


def test_a_town_officer_sees_its_town_and_a_handler_its_department(client, busy):
    html = get(client, busy.users["town_a"], reverse("web:home"))
    assert busy.towns[0].name in html and 'id="cockpit"' in html
    html = get(client, busy.users["city_handler"], reverse("web:home"))
    assert 'data-figure="rank"' in html


def test_cockpit_and_home_take_a_fixed_number_of_queries(client, busy, django_assert_max_num_queries):
    client.force_login(busy.users["coordinator"])
    with django_assert_max_num_queries(40) as before:
        client.get(reverse("web:home"))
    # More targets and warnings: the same number of queries.
    for town in busy.towns:
        targets.target_set(
            acting_user=busy.users["coordinator"], measure="tax_paid", year=2026, town=town, annual=1
        )
    targets.target_set(
        acting_user=busy.users["coordinator"], measure="added_value", year=2026, town=None, annual=1
    )
    with django_assert_max_num_queries(len(before.captured_queries) + 1):
        client.get(reverse("web:home"))
    with django_assert_max_num_queries(30):
        client.get(reverse("monitoring:warnings") + "?state=all")


def test_warnings_page_filters_and_acts(client, busy):
    w = busy
    warning = Warning.objects.get(kind="target_missed", subject_id=w.town.pk)
    html = get(client, w.users["town_a"], reverse("monitoring:warnings") + "?kind=target_missed")
    assert reverse("monitoring:warning_detail", args=[warning.pk]) in html
    html = get(client, w.users["town_a"], reverse("monitoring:warnings") + "?kind=figure_fall")
    assert reverse("monitoring:warning_detail", args=[warning.pk]) not in html
    page = get(client, w.users["town_a"], reverse("monitoring:warning_detail", args=[warning.pk]))
    assert 'data-action="acknowledge"' in page and 'data-action="handle"' in page
    response = client.post(reverse("monitoring:warning_action", args=[warning.pk, "handle"]), {"note": ""})
    assert response.status_code == 422
    response = client.post(
        reverse("monitoring:warning_action", args=[warning.pk, "handle"]), {"note": "已督促。"}
    )
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.state == "handled"
    # Another town's officer does not see it at all.
    get(client, w.users["city_handler"], reverse("monitoring:warning_detail", args=[warning.pk]), 404)


def test_target_form_saves_a_version(client, busy):
    client.force_login(busy.users["coordinator"])
    response = client.post(
        reverse("monitoring:target_set"),
        {
            "measure": "revenue",
            "year": 2026,
            "town": "",
            "annual": "130000000",
            "method": "quarters",
            "q1": "1",
            "q2": "2",
            "q3": "3",
            "q4": "4",
        },
    )
    assert response.status_code == 422 and "130,000,000" in response.content.decode()
    response = client.post(
        reverse("monitoring:target_set"),
        {
            "measure": "revenue",
            "year": 2026,
            "town": "",
            "annual": "100",
            "method": "quarters",
            "q1": "10",
            "q2": "20",
            "q3": "30",
            "q4": "40",
        },
    )
    assert response.status_code == 302
    busy.city.refresh_from_db()
    assert busy.city.version == 2 and busy.city.annual == Decimal(100)


def test_target_page_with_every_town_takes_a_fixed_number_of_queries(
    client, busy, django_assert_max_num_queries
):
    client.force_login(busy.users["coordinator"])
    url = reverse("monitoring:target_detail", args=[busy.city.pk])
    with django_assert_max_num_queries(30) as before:
        client.get(url)
    for i in range(5):
        from tests.factories import TownFactory

        town = TownFactory(code=f"extra{i}")
        targets.target_set(
            acting_user=busy.users["coordinator"], measure="revenue", year=2026, town=town, annual=12
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)


def test_the_coordination_list_exports_as_a_job_of_what_the_owner_oversees(client, busy):
    from tests.job_helpers import job_from_redirect, run_worker_once
    from zhuqi.core.models import Job

    w = busy
    client.force_login(w.users["coordinator"])
    assert client.get(reverse("monitoring:coordination_export")).status_code == 405  # a POST makes it
    job = job_from_redirect(client.post(reverse("monitoring:coordination_export")))
    run_worker_once()
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.result["rows"] >= 0 and job.result_name.endswith(".xlsx")
    for role in ("enterprise_a", "expert"):
        client.force_login(w.users[role])
        assert client.post(reverse("monitoring:coordination_export")).status_code == 404
    assert Job.objects.count() == 1


def test_a_target_form_posted_without_its_figure_is_refused_not_a_server_error(client, busy):
    """The walk of 2026-12-06: an empty POST where a target exists took the saved annual figure (a
    Decimal) as typed text, and the page answered 500."""
    client.force_login(busy.users["coordinator"])
    response = client.post(reverse("monitoring:target_set"), {"measure": "revenue", "year": 2026, "town": ""})
    assert response.status_code == 422 and "请填写数字。" in response.content.decode()
    busy.city.refresh_from_db()
    assert busy.city.version == 1
