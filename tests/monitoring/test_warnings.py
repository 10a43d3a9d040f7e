"""The warnings centre: every kind raised once per subject and period, told once, acknowledged and
handled by the people in scope, and resolved by itself when its provider stops finding it."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from tests.factories import UserFactory
from zhuqi.accounts.models import Role
from zhuqi.appeals.models import Appeal, State
from zhuqi.core import findings
from zhuqi.core.errors import Conflict, Forbidden, ZhuqiError
from zhuqi.core.findings import Finding
from zhuqi.core.models import OutboxMessage
from zhuqi.monitoring import actuals, lifecycle, targets, warnings
from zhuqi.monitoring.models import Method, Warning, WarningState

from .conftest import monthly

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 10)


@pytest.fixture
def fake_kind():
    """A kind of another stream (as `tier_expiry` will be), its findings set by the test."""
    found: list[Finding] = []
    findings.register("test_kind", label="测试预警", provider=lambda today: list(found))
    yield found
    findings._KINDS.pop("test_kind", None)


def finding(world, subject_id=1, period="2026", level="yellow"):
    return Finding(
        kind="test_kind",
        subject_type="directory.enterprise",
        subject_id=subject_id,
        period=period,
        level=level,
        text="测试：资质将于2026年12月1日到期。",
        since=TODAY,
        town_id=world.towns[0].pk,
        department_id=world.city_dept.pk,
        user_ids=(world.users["leader_a"].pk,),
    )


def messages_of(warning):
    return OutboxMessage.objects.filter(key__startswith=f"warning:{warning.pk}:")


def test_a_registered_kind_is_raised_once_told_once_and_resolves_itself(world, fake_kind):
    fake_kind.append(finding(world))
    counts = warnings.sweep(TODAY, kinds=["test_kind"])
    assert counts["test_kind"]["raised"] == 1
    warning = Warning.objects.get(kind="test_kind")
    assert warning.state == WarningState.NEW and warning.level == "yellow"
    told = {m.recipient.username for m in messages_of(warning).filter(channel="inapp")}
    # the person named, the office (coordinator, admin), the department's handler, the town's officer
    assert told == {"leader_a", "coordinator", "admin", "city_handler", "town_a"}
    sent = messages_of(warning).count()
    warnings.sweep(TODAY, kinds=["test_kind"])
    warnings.sweep(TODAY + timedelta(days=1), kinds=["test_kind"])
    assert Warning.objects.filter(kind="test_kind").count() == 1 and messages_of(warning).count() == sent
    # The level follows the finding, nobody is told again.
    fake_kind[0] = finding(world, level="red")
    warnings.sweep(TODAY, kinds=["test_kind"])
    warning.refresh_from_db()
    assert warning.level == "red" and messages_of(warning).count() == sent
    # Another period is another warning.
    fake_kind.append(finding(world, period="2027"))
    warnings.sweep(TODAY, kinds=["test_kind"])
    assert Warning.objects.filter(kind="test_kind").count() == 2
    # Gone from the provider: resolved by itself.
    fake_kind.clear()
    warnings.sweep(TODAY, kinds=["test_kind"])
    assert set(Warning.objects.filter(kind="test_kind").values_list("state", flat=True)) == {
        WarningState.RESOLVED
    }
    # Found again in the same period: open again, not told again.
    fake_kind.append(finding(world))
    warnings.sweep(TODAY, kinds=["test_kind"])
    warning.refresh_from_db()
    assert warning.state == WarningState.NEW and messages_of(warning).count() == sent


def test_many_new_warnings_of_a_kind_reach_a_person_as_one_message(world, fake_kind):
    """Past DIGEST_AFTER new warnings of one kind in one sweep, a person gets one message naming the
    count and linking to the centre filtered by kind, not one each (a first sweep in the demo city
    raised 7,086 overdue visits: 7,086 messages to the office, queued ahead of every appeal's)."""
    many = warnings.DIGEST_AFTER + 3
    fake_kind.extend(finding(world, subject_id=n) for n in range(1, many + 1))
    counts = warnings.sweep(TODAY, kinds=["test_kind"])
    assert counts["test_kind"]["raised"] == many
    inapp = OutboxMessage.objects.filter(channel="inapp", recipient=world.users["coordinator"])
    assert inapp.count() == 1
    digest = inapp.get()
    assert f"新增{many}条" in digest.subject and digest.link.endswith("?kind=test_kind")
    assert not OutboxMessage.objects.filter(key__startswith="warning:").exists()
    # A few in the next sweep: one message each again.
    fake_kind.extend(finding(world, subject_id=n) for n in (100, 101))
    warnings.sweep(TODAY, kinds=["test_kind"])
    singles = OutboxMessage.objects.filter(
        key__startswith="warning:", recipient=world.users["coordinator"], channel="inapp"
    )
    assert inapp.count() == 3 and singles.count() == 2


def test_acknowledged_then_handled_with_a_note_by_people_in_scope(world, fake_kind):
    fake_kind.append(finding(world))
    warnings.sweep(TODAY, kinds=["test_kind"])
    warning = Warning.objects.get(kind="test_kind")
    outsider = UserFactory(role=Role.HANDLER, department=world.town_dept)
    with pytest.raises(Forbidden):
        warnings.warning_act(warning=warning, action="acknowledge", acting_user=outsider)
    with pytest.raises(Forbidden):
        warnings.warning_act(warning=warning, action="acknowledge", acting_user=world.users["enterprise_a"])
    warnings.warning_act(warning=warning, action="acknowledge", acting_user=world.users["city_handler"])
    with pytest.raises(Conflict):
        warnings.warning_act(warning=warning, action="acknowledge", acting_user=world.users["town_a"])
    with pytest.raises(ZhuqiError) as refused:
        warnings.warning_act(warning=warning, action="handle", acting_user=world.users["town_a"], note=" ")
    assert refused.value.code == "note_required"
    warnings.warning_act(
        warning=warning, action="handle", acting_user=world.users["town_a"], note="已上门核实。"
    )
    warning.refresh_from_db()
    assert warning.state == WarningState.HANDLED and warning.note == "已上门核实。"
    # A handled warning is a person's decision: the sweep neither resolves nor raises it again.
    fake_kind.clear()
    warnings.sweep(TODAY, kinds=["test_kind"])
    fake_kind.append(finding(world))
    warnings.sweep(TODAY, kinds=["test_kind"])
    assert list(Warning.objects.filter(kind="test_kind").values_list("state", flat=True)) == [
        WarningState.HANDLED
    ]


def test_the_leader_named_may_handle_it(world, fake_kind):
    fake_kind.append(finding(world))
    warnings.sweep(TODAY, kinds=["test_kind"])
    warning = Warning.objects.get(kind="test_kind")
    assert lifecycle.STEPS["handle"].allows(world.users["leader_a"], warning)
    assert not lifecycle.STEPS["handle"].allows(UserFactory(role=Role.LEADER), warning)
    assert lifecycle.STEPS["handle"].allows(world.users["coordinator"], warning)
    assert not lifecycle.STEPS["resolve"].allows(world.users["coordinator"], warning)


def test_a_failing_provider_resolves_nothing(world, fake_kind):
    fake_kind.append(finding(world))
    warnings.sweep(TODAY, kinds=["test_kind"])

    def broken(today):
        raise RuntimeError("feed down")

    findings.register("test_kind", label="测试预警", provider=broken)
    assert warnings.sweep(TODAY, kinds=["test_kind"])["test_kind"] == {"failed": 1}
    assert Warning.objects.get(kind="test_kind").state == WarningState.NEW


def test_a_disabled_kind_is_skipped(world, fake_kind):
    from zhuqi.monitoring import rules

    rule = rules.rule("test_kind")
    rule.enabled = False
    rule.save()
    fake_kind.append(finding(world))
    warnings.sweep(TODAY, kinds=["test_kind"])
    assert not Warning.objects.filter(kind="test_kind").exists()


# --- The three kinds of the monitoring app itself ---------------------------------------------


def _overdue_appeal(world, days):
    from zhuqi.directory.models import ServiceCategory

    category = ServiceCategory.objects.get_or_create(code="other", defaults={"name": "其他"})[0]
    due = datetime(2026, 11, 10, 12, tzinfo=__import__("zoneinfo").ZoneInfo("Asia/Shanghai")) - timedelta(
        days=days
    )
    return Appeal.objects.create(
        number=f"ZQ-T-{days}",
        enterprise=world.a,
        title="用电增容",
        description="…",
        category=category,
        department=world.city_dept,
        state=State.ACCEPTED,
        resolve_due=due,
        dispatch_due=due,
        created_at=due - timedelta(days=20),
        submitted_by=world.users["coordinator"],
    )


def test_appeal_deadline_reads_the_appeals_colours_once_per_appeal_and_deadline(world):
    appeal = _overdue_appeal(world, 10)
    warnings.sweep(TODAY, kinds=["appeal_deadline"])
    warning = Warning.objects.get(kind="appeal_deadline")
    assert (warning.subject_id, warning.level, warning.department_id) == (
        appeal.pk,
        "red",
        world.city_dept.pk,
    )
    assert warning.period == "2026-10-31"
    warnings.sweep(TODAY, kinds=["appeal_deadline"])
    assert Warning.objects.filter(kind="appeal_deadline").count() == 1
    # red is told to the office (the appeals sweep already told the department of its 督办)
    assert {m.recipient.username for m in messages_of(warning).filter(channel="inapp")} == {
        "coordinator",
        "admin",
    }
    warnings.warning_act(warning=warning, action="acknowledge", acting_user=world.users["city_handler"])
    Appeal.objects.filter(pk=appeal.pk).update(state=State.REPLIED)
    warnings.sweep(TODAY, kinds=["appeal_deadline"])
    warning.refresh_from_db()
    assert warning.state == WarningState.RESOLVED


def test_figure_fall_for_programme_enterprises(world):
    last, this = [1_000_000] * 12, [1_000_000] * 9 + [700_000]  # January–October down 3 %
    monthly(world.a, "revenue", 2025, last)
    monthly(world.a, "revenue", 2026, [700_000] * 10)  # down 30 %: red
    monthly(world.b, "revenue", 2025, last)
    monthly(world.b, "revenue", 2026, this)  # down 3 %: nothing
    actuals.refresh([2025, 2026])
    warnings.sweep(TODAY, kinds=["figure_fall"])
    warning = Warning.objects.get(kind="figure_fall")
    assert (warning.subject_id, warning.level, warning.period) == (world.a.pk, "red", "2026")
    assert "30.0%" in warning.text
    assert set(warning.owners.values_list("username", flat=True)) == {"leader_a"}
    assert messages_of(warning).filter(recipient=world.users["leader_a"]).exists()
    warnings.warning_act(warning=warning, action="acknowledge", acting_user=world.users["leader_a"])
    # November comes in strong: the year so far is no longer down beyond 10 %, the warning resolves.
    from zhuqi.directory.models import IndicatorValue

    IndicatorValue.objects.filter(enterprise=world.a, year=2026).update(value=Decimal(950_000))
    actuals.refresh([2026])
    warnings.sweep(TODAY, kinds=["figure_fall"])
    warning.refresh_from_db()
    assert warning.state == WarningState.RESOLVED


def test_target_missed_once_per_target_and_month(world):
    monthly(world.a, "revenue", 2026, [1_000_000] * 10)
    actuals.refresh([2026])
    target = targets.target_set(
        acting_user=world.users["coordinator"],
        measure="revenue",
        year=2026,
        town=world.towns[0],
        annual=Decimal(24_000_000),
        method=Method.EVEN,
    )
    warnings.sweep(TODAY, kinds=["target_missed"])
    warning = Warning.objects.get(kind="target_missed")
    assert (warning.subject_id, warning.period, warning.level, warning.town_id) == (
        target.pk,
        "2026-10",
        "red",
        world.towns[0].pk,
    )
    told = {m.recipient.username for m in messages_of(warning).filter(channel="inapp")}
    assert "town_a" in told and "coordinator" in told
    warnings.sweep(TODAY, kinds=["target_missed"])
    assert Warning.objects.filter(kind="target_missed").count() == 1
    warnings.warning_act(warning=warning, action="handle", acting_user=world.users["town_a"], note="已约谈。")
    # The target lowered to what was reached: nothing missed, nothing raised.
    targets.target_set(
        acting_user=world.users["coordinator"],
        measure="revenue",
        year=2026,
        town=world.towns[0],
        annual=Decimal(12_000_000),
        method=Method.EVEN,
    )
    warnings.sweep(TODAY, kinds=["target_missed"])
    assert Warning.objects.filter(kind="target_missed").count() == 1
