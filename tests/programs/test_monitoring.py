"""Growth monitoring (seed 000 四(四)): half-yearly reporting tasks to every pilot, reminders once, the
overdue list as the warning kind report_overdue, reported figures as 企业自报 cross-checked against the
bureaus; registration within a month (四(五)3)."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.programs.pilots_world import PilotsWorld
from zhuqi.accounts.models import Role
from zhuqi.core import findings
from zhuqi.core.errors import Forbidden, ZhuqiError
from zhuqi.core.models import OutboxMessage
from zhuqi.directory.models import IndicatorValue
from zhuqi.programs import monitoring_services as ms
from zhuqi.programs.evaluation_models import ReportingTask
from zhuqi.programs.monitoring_selectors import pilots_visible_to, task_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return PilotsWorld()


def test_tasks_go_to_every_current_pilot_once_with_the_half_years_due_date(w):
    a, b = w.pilot(), w.pilot(enterprise_class="foreign")
    w.pilot(state="replaced")
    user = UserFactory(username="a_user", role=Role.ENTERPRISE, enterprise=a.enterprise)
    assert ms.tasks_issue(programme=w.programme, year=2018, half=1, acting_user=w.coordinator) == 2
    assert ms.tasks_issue(programme=w.programme, year=2018, half=1, acting_user=w.coordinator) == 0
    task = ReportingTask.objects.get(pilot=a, year=2018, half=1)
    assert task.due_on == date(2018, 7, 31)
    assert ms.due_of(2018, 2) == (date(2019, 1, 1), date(2019, 1, 31))
    assert ms.default_half(date(2019, 3, 5)) == (2018, 2) and ms.default_half(date(2019, 8, 1)) == (2019, 1)
    assert OutboxMessage.objects.filter(recipient=user, key__startswith=f"reporting-task-{task.pk}-").exists()
    with pytest.raises(Forbidden):
        ms.tasks_issue(programme=w.programme, year=2018, half=2, acting_user=w.departments["foreign"].head)
    assert ReportingTask.objects.filter(pilot=b).count() == 1


def test_a_report_goes_into_the_directory_as_self_reported_and_is_cross_checked(w):
    pilot = w.pilot()
    user = UserFactory(username="p_user", role=Role.ENTERPRISE, enterprise=pilot.enterprise)
    ms.tasks_issue(programme=w.programme, year=2018, half=2, acting_user=w.coordinator)
    task = ReportingTask.objects.get(pilot=pilot)
    for source, value in (("tax", "100000000"), ("stats", "120000000")):
        IndicatorValue.objects.create(
            enterprise=pilot.enterprise,
            indicator="main_revenue",
            period_type="year",
            year=2018,
            value=Decimal(value),
            source=source,
        )
    other = UserFactory(username="other", role=Role.ENTERPRISE, enterprise=w.enterprise())
    with pytest.raises(Forbidden):
        ms.task_submit(
            task=task, figures={"main_revenue": "1", "tax_paid": "1"}, operating_status="", acting_user=other
        )
    with pytest.raises(ZhuqiError) as bad:
        ms.task_submit(
            task=task, figures={"main_revenue": "-5", "tax_paid": "1"}, operating_status="", acting_user=user
        )
    assert bad.value.field == "main_revenue"
    task = ms.task_submit(
        task=task,
        figures={"main_revenue": "118000000", "tax_paid": "6000000", "total_assets": "500000000"},
        operating_status="订单饱满，新厂房投产",
        acting_user=user,
    )
    assert task.state == "submitted" and task.figures["total_assets"] == "500000000"
    own = IndicatorValue.objects.get(
        enterprise=pilot.enterprise, indicator="main_revenue", year=2018, source="self"
    )
    assert own.value == Decimal("118000000") and not own.verified and own.period_type == "year"
    # 18 % above the tax bureau's value: flagged with both; 1.7 % from the statistics bureau's: not.
    assert task.flags == [
        {
            "indicator": "main_revenue",
            "source": "tax",
            "declared": "118000000",
            "found": "100000000.00",
            "difference_percent": "18.00",
        }
    ]


def test_reminders_go_once_and_overdue_reports_are_warnings(w, monkeypatch):
    pilot = w.pilot()
    UserFactory(
        username="p_user", role=Role.ENTERPRISE, enterprise=pilot.enterprise, last_login=timezone.now()
    )
    ms.tasks_issue(programme=w.programme, year=2018, half=1, acting_user=w.coordinator)
    assert ms.remind(today=date(2018, 7, 1))["reports"] == 0  # 30 days ahead: not yet
    assert ms.remind(today=date(2018, 7, 26))["reports"] == 1
    assert ms.remind(today=date(2018, 7, 27))["reports"] == 0  # once
    assert "report_overdue" in findings.kinds()
    found = list(findings.kinds()["report_overdue"].provider(date(2018, 8, 10)))
    assert [(f.level, f.subject_id, f.period) for f in found] == [
        ("yellow", ReportingTask.objects.get().pk, "2018H1")
    ]
    assert list(ms.overdue_findings(date(2018, 9, 15)))[0].level == "red"
    assert list(ms.overdue_findings(date(2018, 7, 31))) == []  # due today is not overdue
    overdue = task_list(w.coordinator, state="overdue", today=date(2018, 8, 1))
    assert overdue.count() == 1


def test_unregistered_pilots_are_listed_and_their_department_reminded_once(w):
    registered = w.pilot()
    UserFactory(
        username="r", role=Role.ENTERPRISE, enterprise=registered.enterprise, last_login=timezone.now()
    )
    silent = w.pilot(enterprise_class="high_tech")
    UserFactory(username="never", role=Role.ENTERPRISE, enterprise=silent.enterprise)  # never signed in
    assert list(ms.unregistered(pilots_visible_to(w.coordinator))) == [silent]
    assert ms.registration_due(silent) == date(2017, 4, 1)
    assert ms.remind(today=date(2017, 3, 31))["registration"] == 0
    assert ms.remind(today=date(2017, 4, 2))["registration"] == 1
    head = w.departments["high_tech"].head
    assert (
        OutboxMessage.objects.filter(
            recipient=head, key__startswith=f"pilot-{silent.pk}-registration"
        ).count()
        >= 1
    )
    before = OutboxMessage.objects.count()
    ms.remind(today=date(2017, 4, 3))
    assert OutboxMessage.objects.count() == before  # once


def test_who_sees_which_pilots(w):
    a = w.pilot()
    b = w.pilot(enterprise_class="foreign")
    assert set(pilots_visible_to(w.coordinator)) == {a, b}
    assert set(pilots_visible_to(w.departments["foreign"].head)) == {b}
    user = UserFactory(username="a_user", role=Role.ENTERPRISE, enterprise=a.enterprise)
    assert set(pilots_visible_to(user)) == {a}
    assert not pilots_visible_to(UserFactory(username="ex", role=Role.EXPERT)).exists()
