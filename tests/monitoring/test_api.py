from datetime import date
from decimal import Decimal

import pytest

from zhuqi.monitoring import warnings
from zhuqi.monitoring.models import Warning

from .test_views import busy  # noqa: F401  the same world

pytestmark = pytest.mark.django_db
API = "/api/v1/monitoring"


def test_targets_api_sets_a_version_and_reads_the_standing(client, busy):  # noqa: F811
    client.force_login(busy.users["coordinator"])
    body = {"measure": "tax_paid", "year": 2026, "town": "", "annual": "1200.00", "method": "even"}
    response = client.put(f"{API}/targets", body, content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["version"] == 1 and [m["target"] for m in data["months"]] == ["100.00"] * 12
    response = client.put(
        f"{API}/targets", {**body, "method": "months", "months": ["1"] * 12}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["code"] == "breakdown_sum"
    listed = client.get(f"{API}/targets?year=2026").json()
    assert {t["measure"] for t in listed} >= {"revenue", "tax_paid", "rd_coverage", "procurement_reserve"}
    revenue = next(t for t in listed if t["measure"] == "revenue")
    assert revenue["through"] == 10 and revenue["colour"] in ("green", "yellow", "red")
    assert next(t for t in listed if t["measure"] == "procurement_reserve")["measurable"] is False
    client.force_login(busy.users["town_a"])
    response = client.put(f"{API}/targets", body, content_type="application/json")
    assert response.status_code == 403


def test_warnings_api_filters_pages_and_acts(client, busy):  # noqa: F811
    client.force_login(busy.users["town_a"])
    page = client.get(f"{API}/warnings?kind=target_missed").json()
    assert page["count"] >= 1 and all(w["kind"] == "target_missed" for w in page["items"])
    first = page["items"][0]
    response = client.post(
        f"{API}/warnings/{first['id']}/handle", {"note": ""}, content_type="application/json"
    )
    assert response.status_code == 422
    response = client.post(f"{API}/warnings/{first['id']}/acknowledge", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "acknowledged"
    response = client.post(f"{API}/warnings/{first['id']}/acknowledge", {}, content_type="application/json")
    assert response.status_code == 409
    client.force_login(busy.users["enterprise_a"])
    assert client.get(f"{API}/warnings").status_code == 403
    client.force_login(busy.users["coordinator"])
    response = client.post(f"{API}/exports/warnings?kind=target_missed", content_type="application/json")
    assert response.status_code == 202


def test_kind_rules_api_changes_thresholds(client, busy):  # noqa: F811
    client.force_login(busy.users["coordinator"])
    kinds = {k["kind"]: k for k in client.get(f"{API}/warning-kinds").json()}
    assert {"appeal_deadline", "figure_fall", "target_missed"} <= set(kinds)
    response = client.put(
        f"{API}/warning-kinds/figure_fall",
        {"thresholds": {"yellow": "50", "red": "60"}, "notify_from": "red"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["thresholds"]["yellow"] == "50"
    warnings.sweep(date(2026, 11, 10), kinds=["figure_fall"])
    assert not Warning.objects.filter(kind="figure_fall", state="new").exists()
    response = client.put(
        f"{API}/warning-kinds/figure_fall", {"thresholds": {"yellow": "-5"}}, content_type="application/json"
    )
    assert response.status_code == 422
    client.force_login(busy.users["town_a"])
    assert (
        client.put(f"{API}/warning-kinds/figure_fall", {}, content_type="application/json").status_code == 403
    )


def test_cockpit_api(client, busy):  # noqa: F811
    client.force_login(busy.users["coordinator"])
    data = client.get(f"{API}/cockpit").json()
    assert data["scope"] == "city" and data["targets"] and Decimal(data["targets"][0]["annual"]) > 0
    client.force_login(busy.users["town_a"])
    assert client.get(f"{API}/cockpit?town={busy.towns[1].code}").json()["town"] == busy.towns[0].code
