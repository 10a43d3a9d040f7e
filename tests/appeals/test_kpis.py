from datetime import timedelta

import pytest
from django.utils import timezone

from zhuqi.appeals import kpis, services
from zhuqi.appeals.models import Appeal, State

pytestmark = pytest.mark.django_db


def make(w, title, category=None, user="enterprise_a", enterprise=None):
    return services.appeal_submit(
        enterprise=enterprise or w.a,
        title=title,
        description="d",
        category=category or w.cats.loan,
        acting_user=w.users[user],
    ).appeal


def reply(w, appeal, handler="city_handler"):
    a = Appeal.objects.get(pk=appeal.pk)
    if a.state == State.DISPATCHED:
        a = services.appeal_accept(appeal=a, acting_user=w.users[handler])
    return services.appeal_reply(appeal=a, acting_user=w.users[handler], reply="已办")


def test_kpis_equal_figures_computed_by_hand(loop):
    w = loop
    ent = w.users["enterprise_a"]
    # 1: satisfied, on time.                    2: basically satisfied, replied late.
    # 3: unsatisfied once, then satisfied.      4: closed unrated (counts as closed, not as rated).
    # 5: still open.                            6: withdrawn (not counted at all).
    a1, a2, a3, a4, a5, a6 = (make(w, f"诉求{i}") for i in range(1, 7))
    services.appeal_rate(appeal=reply(w, a1), acting_user=ent, rating="satisfied")
    Appeal.objects.filter(pk=a2.pk).update(resolve_due=timezone.now() - timedelta(days=1))
    services.appeal_rate(appeal=reply(w, a2), acting_user=ent, rating="basic")
    services.appeal_rate(appeal=reply(w, a3), acting_user=ent, rating="unsatisfied")
    services.appeal_rate(appeal=reply(w, a3), acting_user=ent, rating="satisfied")
    r4 = reply(w, a4)
    services.sweep(r4.replied_at + timedelta(days=14))
    services.appeal_withdraw(appeal=a6, acting_user=ent)

    [all_] = kpis.compute(Appeal.objects.all())
    assert all_["count"] == 5  # the withdrawn one is not counted
    assert all_["closed"] == 4
    assert all_["resolution_rate"] == pytest.approx(4 / 5)
    assert all_["on_time_rate"] == pytest.approx(3 / 4)  # a2 replied after its deadline
    assert all_["satisfaction_rate"] == pytest.approx(3 / 3)  # a1, a2, a3 rated; a4 unrated is not counted
    assert all_["reopen_rate"] == pytest.approx(1 / 4)  # a3 of the four replied
    assert all_["median_handling_days"] is not None
    by_department = {row["group"]: row for row in kpis.compute(Appeal.objects.all(), "department")}
    assert sum(row["count"] for row in by_department.values()) == 5


def test_unsatisfied_last_rating_lowers_satisfaction(loop):
    w = loop
    ent = w.users["enterprise_a"]
    a1, a2 = make(w, "一"), make(w, "二")
    services.appeal_rate(appeal=reply(w, a1), acting_user=ent, rating="satisfied")
    services.appeal_rate(appeal=reply(w, a2), acting_user=ent, rating="unsatisfied")
    [row] = kpis.compute(Appeal.objects.all())
    # a2 was reopened and is open again: 1 of 2 closed, 1 of 1 rated closings satisfied.
    assert row["resolution_rate"] == pytest.approx(0.5) and row["satisfaction_rate"] == pytest.approx(1.0)
    assert row["reopen_rate"] == pytest.approx(0.5)


def test_month_is_the_shanghai_month(loop):
    """An appeal submitted at 07:30 on 1 December in Shanghai (23:30 UTC on 30 November) is December's."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    appeal = make(loop, "月初诉求")
    Appeal.objects.filter(pk=appeal.pk).update(
        created_at=datetime(2026, 12, 1, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    )
    assert [row["group"] for row in kpis.compute(Appeal.objects.all(), "month")] == ["2026-12"]
