"""The warnings sweep costs what changed (issue 12, issue 16 item 4): on PostgreSQL a kind whose tables
(and, for appeal deadlines, whose clock) did not move since its last pass is skipped, and skipping
leaves the warnings exactly as a sweep that reads everything would."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from zhuqi.appeals import selectors as appeal_selectors
from zhuqi.appeals.models import Appeal, State
from zhuqi.directory.models import IndicatorValue
from zhuqi.monitoring import actuals, kinds, warnings
from zhuqi.monitoring.models import SweepStamp, Warning

from .conftest import monthly
from .test_warnings import TODAY, _overdue_appeal

pytestmark = pytest.mark.django_db


def _snapshot():
    return sorted(Warning.objects.values_list("kind", "subject_id", "period", "level", "text", "state"))


def test_kinds_that_declare_nothing_or_sqlite_always_run(world):
    counts = warnings.sweep(TODAY)
    again = warnings.sweep(TODAY)
    assert "unchanged" not in again["target_missed"]  # declares no tables: always read
    if connection.vendor != "postgresql":
        assert all("unchanged" not in c for c in again.values()) and not SweepStamp.objects.exists()
    assert counts.keys() == again.keys()


def test_a_sweep_skips_what_did_not_move_and_misses_nothing(world):
    if connection.vendor != "postgresql":
        pytest.skip("the change counters are PostgreSQL's")
    appeal = _overdue_appeal(world, 10)
    monthly(world.a, "revenue", 2025, [1_000_000] * 12)
    monthly(world.a, "revenue", 2026, [700_000] * 10)
    actuals.refresh([2025, 2026])
    first = warnings.sweep(TODAY)
    assert first["figure_fall"]["raised"] == 1 and first["appeal_deadline"]["raised"] == 1
    again = warnings.sweep(TODAY)
    for kind in ("figure_fall", "appeal_deadline", "drop_out_risk"):
        assert again[kind] == {"unchanged": 1}, kind

    # What a kind reads changes: it runs again and sees it; the others are still skipped.
    IndicatorValue.objects.filter(enterprise=world.a, year=2026).update(value=Decimal(950_000))
    actuals.refresh([2026])
    third = warnings.sweep(TODAY)
    assert third["figure_fall"]["resolved"] == 1 and third["appeal_deadline"] == {"unchanged": 1}
    Appeal.objects.filter(pk=appeal.pk).update(state=State.REPLIED)
    assert warnings.sweep(TODAY)["appeal_deadline"]["resolved"] == 1
    # Another day: every kind reads again.
    assert "unchanged" not in warnings.sweep(TODAY + timedelta(days=1))["figure_fall"]

    # Skipping missed nothing: a sweep that reads everything finds nothing to do.
    Appeal.objects.filter(pk=appeal.pk).update(state=State.ACCEPTED)
    warnings.sweep(TODAY)
    snapshot = _snapshot()
    SweepStamp.objects.all().delete()
    full = warnings.sweep(TODAY)
    assert all(c.get("raised", 0) == c.get("resolved", 0) == c.get("changed", 0) == 0 for c in full.values())
    assert _snapshot() == snapshot


def test_the_deadlines_clock_moves_when_a_deadline_crosses_a_colours_limit(world):
    appeal = _overdue_appeal(world, 10)
    due = appeal.resolve_due
    limits = appeal_selectors.level_limits
    assert appeal_selectors.levels_moved(limits(due - timedelta(hours=1)), limits(due + timedelta(hours=1)))
    after = due + timedelta(hours=1)
    assert not appeal_selectors.levels_moved(limits(after), limits(after + timedelta(minutes=1)))
    moved, kept = kinds.deadline_clock(None, TODAY)
    assert moved and kinds.deadline_clock(kept, TODAY) == (False, kept)
    # In agreement with the colours themselves: one level before, another after.
    before = {
        a.pk: a.level for a in appeal_selectors.with_levels(Appeal.objects.all(), due - timedelta(hours=1))
    }
    later = {
        a.pk: a.level for a in appeal_selectors.with_levels(Appeal.objects.all(), due + timedelta(hours=1))
    }
    assert before[appeal.pk] != later[appeal.pk]
