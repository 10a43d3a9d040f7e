"""Red, yellow, green by the gap between planned and actual (projects/status.py): pinned at the
boundaries of the thresholds and of the stages."""

from datetime import date
from decimal import Decimal

import pytest

from zhuqi.projects import services
from zhuqi.projects import status as st

T = {
    "yellow_days": 0,
    "red_days": 30,
    "amount_yellow": Decimal("0.10"),
    "amount_red": Decimal("0.30"),
    "report_day": 10,
}
PLAN = {"signed": date(2026, 2, 1), "landed": date(2026, 3, 1), "started": date(2026, 4, 1)}


def colour(today, stage="signed", planned=Decimal(0), actual=Decimal(0), stopped=False):
    return st.compute(
        stage=stage,
        stopped=stopped,
        planned_dates=PLAN,
        planned_to_date=planned,
        actual_to_date=actual,
        today=today,
        cutoff=st.cutoff_month(today, 10),
        t=T,
    )


def test_on_the_planned_day_a_stage_is_not_late_the_day_after_it_is_yellow():
    # A signed project works towards 落地, planned for 1 March.
    assert colour(date(2026, 3, 1)).level == st.GREEN
    after = colour(date(2026, 3, 2))
    assert (after.level, after.late_days, after.target_stage) == (st.YELLOW, 1, "landed")


def test_thirty_days_late_is_yellow_thirty_one_red():
    assert colour(date(2026, 3, 31)).level == st.YELLOW  # 30 days after 1 March
    assert colour(date(2026, 4, 1)).level == st.RED


def test_reaching_the_stage_ends_the_delay_and_the_next_stage_counts():
    # Landed late (the stage is now landed): the target is 开工 on 1 April, not yet passed.
    assert colour(date(2026, 3, 20), stage="landed").level == st.GREEN
    assert colour(date(2026, 4, 2), stage="landed").level == st.YELLOW


def test_a_stage_without_a_planned_date_is_never_late():
    assert colour(date(2027, 1, 1), stage="started").level == st.GREEN  # 推进 has no date in PLAN


def test_amount_shortfall_boundaries():
    today = date(2026, 3, 1)
    assert colour(today, planned=Decimal(100), actual=Decimal("90.01")).level == st.GREEN
    assert colour(today, planned=Decimal(100), actual=Decimal(90)).level == st.YELLOW  # 10% short
    assert colour(today, planned=Decimal(100), actual=Decimal("70.01")).level == st.YELLOW
    assert colour(today, planned=Decimal(100), actual=Decimal(70)).level == st.RED  # 30% short
    assert colour(today, planned=Decimal(100), actual=Decimal(150)).shortfall == 0
    assert colour(today).shortfall is None  # nothing planned: green


def test_the_worse_of_dates_and_amounts():
    late_but_funded = colour(date(2026, 3, 5), planned=Decimal(100), actual=Decimal(100))
    assert (late_but_funded.date_level, late_but_funded.amount_level, late_but_funded.level) == (
        st.YELLOW,
        st.GREEN,
        st.YELLOW,
    )
    on_time_but_short = colour(date(2026, 2, 20), planned=Decimal(100), actual=Decimal(10))
    assert on_time_but_short.level == st.RED


def test_production_and_stopped_have_no_colour():
    assert colour(date(2027, 6, 1), stage="producing").level is None
    assert colour(date(2027, 6, 1), stopped=True).level is None


def test_a_months_report_is_due_by_the_tenth_of_the_next():
    assert st.cutoff_month(date(2026, 4, 10), 10) == (2026, 2)
    assert st.cutoff_month(date(2026, 4, 11), 10) == (2026, 3)
    assert st.cutoff_month(date(2026, 1, 5), 10) == (2025, 11)


@pytest.mark.django_db
def test_stored_projects_coloured_at_a_stage_boundary_and_by_reports(world, make_project, monkeypatch):
    monkeypatch.setattr(services, "_today", lambda: date(2026, 3, 15))
    project = make_project()
    coordinator = world.users["coordinator"]
    project = services.project_advance(project=project, acting_user=coordinator, on=date(2026, 2, 1))
    # Signed on time; 落地 planned 1 March is 14 days late.
    assert st.status_of(project, date(2026, 3, 15)).level == st.YELLOW
    project = services.project_advance(project=project, acting_user=coordinator, on=date(2026, 3, 15))
    assert st.status_of(project, date(2026, 3, 15)).level == st.GREEN  # landed: 开工 on 1 April counts
    services.project_plan(
        project=project, acting_user=coordinator, months=[(2026, 1, 1000), (2026, 2, 1000), (2026, 3, 5000)]
    )
    # On 15 March the months due are January and February: 2000 planned, nothing reported.
    s = st.status_of(project, date(2026, 3, 15))
    assert (s.planned_to_date, s.actual_to_date, s.level) == (Decimal(2000), Decimal(0), st.RED)
    services.project_report(project=project, acting_user=coordinator, year=2026, month=1, actual=1000)
    services.project_report(project=project, acting_user=coordinator, year=2026, month=2, actual=801)
    assert st.status_of(project, date(2026, 3, 15)).level == st.GREEN  # 9.95% short
    # Reporting February again replaces its figure: 1800 of 2000 is 10% short, yellow.
    services.project_report(project=project, acting_user=coordinator, year=2026, month=2, actual=800)
    assert st.status_of(project, date(2026, 3, 15)).level == st.YELLOW


def test_thresholds_come_from_settings(settings):
    settings.ZHUQI_PROJECT_RED_DAYS = 10
    settings.ZHUQI_PROJECT_AMOUNT_YELLOW = "0.2"
    t = st.thresholds()
    assert (t["red_days"], t["amount_yellow"]) == (10, Decimal("0.2"))
