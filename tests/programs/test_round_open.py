"""The coordinating office opens an application round from the programme's page or the API, with its
dates or open all year for the reserve (seed 000 四(四)); the enterprise then applies from its pages.
Others are refused and nothing is made."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhuqi.core.models import AuditEvent
from zhuqi.programs.models import Round

pytestmark = pytest.mark.django_db


def _post(client, w, **data):
    return client.post(reverse("programs:round_new", args=[w.programme.pk]), data)


def test_the_office_opens_a_round_from_the_programme_page_and_the_enterprise_applies(client, sel):
    w = sel
    client.force_login(w.coordinator)
    page = client.get(reverse("programs:index")).content.decode()
    assert reverse("programs:round_new", args=[w.programme.pk]) in page
    today = timezone.localdate()
    response = _post(
        client,
        w,
        name="2027年遴选",
        opens_on=today.isoformat(),
        closes_on=(today + timedelta(days=30)).isoformat(),
        check_year="2025",
    )
    made = Round.objects.get(name="2027年遴选")
    assert response.status_code == 302 and response["Location"] == reverse(
        "programs:round_detail", args=[made.pk]
    )
    assert (made.programme, made.opens_on, made.check_year, made.stage) == (w.programme, today, 2025, "open")
    assert AuditEvent.objects.filter(verb="programme_round_open", object_id=str(made.pk)).exists()

    client.force_login(w.users["enterprise_a"])
    detail = client.get(reverse("programs:round_detail", args=[made.pk])).content.decode()
    assert reverse("programs:application_new", args=[made.pk]) in detail
    assert client.get(reverse("programs:application_new", args=[made.pk])).status_code == 200


def test_a_reserve_round_stays_open_all_year(client, sel):
    w = sel
    client.force_login(w.coordinator)
    _post(
        client,
        w,
        name="后备库常年申报",
        opens_on="2026-01-01",
        closes_on="2026-02-01",
        check_year="2025",
        for_reserve="on",
    )
    made = Round.objects.get(name="后备库常年申报")
    assert made.for_reserve and made.closes_on is None


def test_others_and_bad_input_open_nothing(client, sel):
    w = sel
    before = Round.objects.count()
    client.force_login(w.users["city_handler"])
    assert (
        reverse("programs:round_new", args=[w.programme.pk])
        not in client.get(reverse("programs:index")).content.decode()
    )
    _post(client, w, name="x", opens_on="2026-01-01", closes_on="2026-02-01", check_year="2025")
    client.force_login(w.users["enterprise_a"])
    _post(client, w, name="x", opens_on="2026-01-01", closes_on="2026-02-01", check_year="2025")
    client.force_login(w.coordinator)
    _post(client, w, name="", opens_on="2026-01-01", closes_on="2026-02-01", check_year="2025")
    _post(client, w, name="y", opens_on="", closes_on="2026-02-01", check_year="2025")
    _post(client, w, name="y", opens_on="2026-01-01", closes_on="", check_year="2025")
    _post(client, w, name="y", opens_on="2026-03-01", closes_on="2026-02-01", check_year="2025")
    _post(client, w, name="y", opens_on="2026-01-01", closes_on="2026-02-01", check_year="")
    assert Round.objects.count() == before
    client.force_login(w.users["expert"])
    assert (
        _post(
            client, w, name="z", opens_on="2026-01-01", closes_on="2026-02-01", check_year="2025"
        ).status_code
        == 404
    )


def test_the_api_opens_a_round_for_the_office_only(client, sel):
    w = sel
    url = f"/api/v1/programmes/{w.programme.pk}/rounds"
    body = {"name": "2027年遴选", "opens_on": "2027-01-03", "closes_on": "2027-01-20", "check_year": 2025}
    client.force_login(w.users["city_handler"])
    assert client.post(url, body, content_type="application/json").status_code == 403
    client.force_login(w.coordinator)
    bad = client.post(url, {**body, "closes_on": "2026-12-01"}, content_type="application/json")
    assert bad.status_code == 422
    assert Round.objects.filter(name="2027年遴选").count() == 0
    made = client.post(url, body, content_type="application/json")
    assert made.status_code == 201 and made.json()["closes_on"] == "2027-01-20"
    reserve = client.post(
        url, {**body, "name": "后备库", "for_reserve": True}, content_type="application/json"
    ).json()
    assert reserve["closes_on"] is None
    assert date.fromisoformat(reserve["opens_on"]) == date(2027, 1, 3)


def test_the_round_page_labels_its_period_counts_and_list_as_a_programme_round(client, sel):
    w = sel
    w.apply(w.a)
    Round.objects.filter(pk=w.round.pk).update(stage=Round.Stage.PUBLISHED)
    client.force_login(w.coordinator)
    page = client.get(reverse("programs:round_detail", args=[w.round.pk])).content.decode()
    assert "已通报" in page and "未办结" not in page and "申报时间" in page
    assert "已提交：1" in page and "提交时间" not in page
    assert "政策申报" not in page and "申报企业" in page
