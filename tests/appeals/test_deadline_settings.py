"""The coordinating office edits deadline rules and the working-day calendar, in the page and the API;
new deadlines follow at once, bad input changes nothing."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from tests.appeals.test_lifecycle import submit
from zhuqi.appeals.models import DeadlineRule
from zhuqi.core import workdays
from zhuqi.core.models import AuditEvent, CalendarDay

pytestmark = pytest.mark.django_db


def test_a_rule_set_in_the_page_sets_new_deadlines_and_a_bad_one_changes_nothing(client, loop):
    w = loop
    client.force_login(w.users["coordinator"])
    assert client.get("/appeals/deadlines/").status_code == 200
    response = client.post(
        "/appeals/deadlines/",
        {
            "op": "rule_set",
            "category": "financing.loan",
            "urgency": "ordinary",
            "dispatch_days": "2",
            "progress_days": "4",
            "resolve_days": "10",
        },
    )
    assert response.status_code == 302
    before = timezone.now()
    appeal = submit(w)
    assert workdays.add_working_days(before, 10) <= appeal.resolve_due
    assert appeal.resolve_due <= workdays.add_working_days(timezone.now(), 10)
    assert appeal.dispatch_due >= workdays.add_working_days(before, 2)
    assert AuditEvent.objects.filter(verb="deadline_rule_set", actor=w.users["coordinator"]).exists()

    rules_before = list(DeadlineRule.objects.values_list("category_id", "urgency", "resolve_days"))
    bad = client.post(
        "/appeals/deadlines/",
        {
            "op": "rule_set",
            "category": "",
            "urgency": "ordinary",
            "dispatch_days": "5",
            "progress_days": "3",
            "resolve_days": "7",
        },
    )
    assert bad.status_code == 422
    assert list(DeadlineRule.objects.values_list("category_id", "urgency", "resolve_days")) == rules_before

    rule = DeadlineRule.objects.get()
    client.post("/appeals/deadlines/", {"op": "rule_remove", "rule": rule.pk})
    assert not DeadlineRule.objects.exists()
    back = submit(w, title="另一件：招工难", category=w.cats.recruit)
    assert back.resolve_due <= workdays.add_working_days(timezone.now(), 7)  # the default again


def test_the_api_edits_rules_with_checks(client, loop):
    w = loop
    client.force_login(w.users["coordinator"])
    ok = client.put(
        "/api/v1/deadline-rules",
        {
            "category_code": None,
            "urgency": "major",
            "dispatch_days": 1,
            "progress_days": 5,
            "resolve_days": 20,
        },
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["resolve_days"] == 20
    for payload, field in (
        ({"urgency": "urgent", "dispatch_days": 1, "progress_days": 3, "resolve_days": 7}, "urgency"),
        ({"urgency": "major", "dispatch_days": 0, "progress_days": 3, "resolve_days": 7}, "dispatch_days"),
        ({"urgency": "major", "dispatch_days": 1, "progress_days": 3, "resolve_days": 999}, "resolve_days"),
        (
            {
                "category_code": "nope",
                "urgency": "major",
                "dispatch_days": 1,
                "progress_days": 3,
                "resolve_days": 7,
            },
            "category_code",
        ),
    ):
        refused = client.put("/api/v1/deadline-rules", payload, content_type="application/json")
        assert refused.status_code == 422 and refused.json()["field"] == field, refused.content
        assert refused.json()["message"] and refused.json()["message_en"]
    assert DeadlineRule.objects.get().resolve_days == 20
    client.force_login(w.users["city_handler"])
    assert client.delete(f"/api/v1/deadline-rules/{DeadlineRule.objects.get().pk}").status_code == 403
    assert DeadlineRule.objects.exists()


def test_a_holiday_added_through_the_api_moves_new_deadlines(client, loop, monkeypatch):
    w = loop
    # Monday 2026-11-30 14:00: one working day later is Tuesday 12-01 …
    monday = timezone.make_aware(datetime(2026, 11, 30, 14, 0))
    assert workdays.add_working_days(monday, 1).date() == date(2026, 12, 1)
    client.force_login(w.users["coordinator"])
    # … until Tuesday is declared a holiday (a city may add a local one, e.g. for a typhoon).
    made = client.put(
        "/api/v1/calendar/2026-12-01",
        {"kind": "holiday", "name": "台风停工"},
        content_type="application/json",
    )
    assert made.status_code == 200, made.content
    assert workdays.add_working_days(monday, 1).date() == date(2026, 12, 2)
    with monkeypatch.context() as patched:
        patched.setattr(timezone, "now", lambda: monday)
        appeal = submit(w)
    assert timezone.localtime(appeal.dispatch_due).date() == date(2026, 12, 2)
    listed = client.get("/api/v1/calendar", {"year": 2026}).json()
    assert {"date": "2026-12-01", "kind": "holiday", "name": "台风停工"} in listed

    refused = client.put("/api/v1/calendar/2026-12-03", {"kind": "workday"}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["code"] == "workday_on_weekday"
    assert not CalendarDay.objects.filter(date=date(2026, 12, 3)).exists()

    client.force_login(w.users["town_a"])
    assert client.delete("/api/v1/calendar/2026-12-01").status_code == 403
    client.force_login(w.users["coordinator"])
    assert client.delete("/api/v1/calendar/2026-12-01").status_code == 204
    assert workdays.add_working_days(monday, 1).date() == date(2026, 12, 1)
    assert client.delete("/api/v1/calendar/2026-12-01").status_code == 404


def test_the_calendar_page_adds_and_removes_a_day_and_others_cannot_reach_it(client, loop):
    w = loop
    client.force_login(w.users["coordinator"])
    page = client.get("/appeals/deadlines/?year=2026").content.decode()
    assert 'data-day="2026-10-01"' in page  # National Day, loaded with the 2026 calendar
    client.post(
        "/appeals/deadlines/?year=2027",
        {"op": "day_set", "date": "2027-01-01", "kind": "holiday", "name": "元旦"},
    )
    assert CalendarDay.objects.get(date=date(2027, 1, 1)).name == "元旦"
    bad = client.post("/appeals/deadlines/", {"op": "day_set", "date": "2027-13-01", "kind": "holiday"})
    assert bad.status_code == 422
    client.post("/appeals/deadlines/", {"op": "day_remove", "date": "2027-01-01"})
    assert not CalendarDay.objects.filter(date=date(2027, 1, 1)).exists()
    for who in ("city_handler", "enterprise_a", "leader_a"):
        client.force_login(w.users[who])
        assert client.get("/appeals/deadlines/").status_code == 404
        assert (
            client.post("/appeals/deadlines/", {"op": "day_remove", "date": "2026-10-01"}).status_code == 404
        )
    assert CalendarDay.objects.filter(date=date(2026, 10, 1)).exists()
