"""Cadence compliance (周联系、月走访、季走访): which liaisons reached their enterprises as often as the
cadence rules (engagement.CadenceRule, data) ask, per leader, unit and town, and the reminders before
a period ends.

For each rule and each of its periods that began by `today`, the liaison who holds the enterprise at
the period's end (or today, for the period under way) owes it one contact of the counted kinds within
the period; a hand-over passes the period's duty to the successor, who is credited with its
predecessor's visits of that period. A period is done when such a visit exists, overdue when it ended
without one, due while it runs. The visits are counted by the database (one grouped query per rule:
distinct enterprise, leader and period), the rest is Polars over the assignments × periods.
"""

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from zhuqi.directory.models import LiaisonAssignment
from zhuqi.engagement.models import CadenceRule, Visit


def period_start(day: date, period: str) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_end(start: date, period: str) -> date:
    if period == "week":
        return start + timedelta(days=6)
    months = 1 if period == "month" else 3
    year, month = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month + 1, 1) - timedelta(days=1)


def period_key(start: date, period: str) -> str:
    """The once-per key of findings and reminders: 2026-W48, 2026-11, 2026Q3."""
    if period == "week":
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if period == "month":
        return f"{start:%Y-%m}"
    return f"{start.year}Q{(start.month - 1) // 3 + 1}"


def periods(period: str, start: date, end: date) -> list[tuple[date, date]]:
    """The periods of a rule that overlap [start, end]."""
    found = []
    first = period_start(start, period)
    while first <= end:
        last = period_end(first, period)
        found.append((first, last))
        first = last + timedelta(days=1)
    return found


def quarter_of(day: date) -> tuple[date, date]:
    first = period_start(day, "quarter")
    return first, period_end(first, "quarter")


ASSIGNMENT_SCHEMA = {
    "assignment_id": pl.Int64,
    "enterprise_id": pl.Int64,
    "leader_id": pl.Int64,
    "unit_id": pl.Int64,
    "town_id": pl.Int64,
    "since": pl.Date,
    "ended_on": pl.Date,
    "predecessor_leader_id": pl.Int64,
}


def _assignments(start: date, end: date, enterprise_ids=None) -> pl.DataFrame:
    qs = LiaisonAssignment.objects.filter(since__lte=end).exclude(ended_on__lt=start)
    if enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=enterprise_ids)
    rows = list(
        qs.values_list(
            "id", "enterprise_id", "leader_id", "unit_id", "enterprise__town_id", "since", "ended_on"
        )
    )
    # The predecessor's leader, for the assignments that were handed over (a subquery, not a list).
    before = dict(
        LiaisonAssignment.objects.filter(successor_id__in=qs.values("id")).values_list(
            "successor_id", "leader_id"
        )
    )
    return _frame(rows, ASSIGNMENT_SCHEMA, extra=[before.get(r[0]) for r in rows])


def _frame(rows: list[tuple], schema: dict, extra=None) -> pl.DataFrame:
    """A frame built column by column (much faster than row tuples in Polars)."""
    columns = (
        list(zip(*rows, strict=True)) if rows else [() for _ in range(len(schema) - (extra is not None))]
    )
    if extra is not None:
        columns.append(extra)
    return pl.DataFrame(
        {name: list(values) for name, values in zip(schema, columns, strict=True)}, schema=schema
    )


VISIT_SCHEMA = {"enterprise_id": pl.Int64, "visitor_id": pl.Int64, "visited_on": pl.Date, "kind": pl.Utf8}
TRUNCATE = {"week": "1w", "month": "1mo", "quarter": "1q"}


@contextmanager
def _no_gc():
    """Tens of thousands of row tuples made and dropped at once set off the cyclic collector again
    and again (they hold no cycles): it is paused while they are read and turned into columns."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _visits(start: date, end: date, kinds, enterprise_ids=None) -> pl.DataFrame:
    """The visits of the window (enterprise, leader, day, kind): each rule keeps its kinds and
    truncates the days to its periods in Polars (a date_trunc in SQL returns timestamps with a time
    zone, converted row by row on the way out; a DISTINCT there costs more than it saves)."""
    qs = Visit.objects.filter(visited_on__gte=start, visited_on__lte=end, kind__in=sorted(kinds))
    if enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=enterprise_ids)
    with _no_gc():
        rows = list(qs.values_list("enterprise_id", "leader_id", "visited_on", "kind").order_by())
        return _frame(rows, VISIT_SCHEMA)


def _seen(visits: pl.DataFrame, rule: CadenceRule) -> pl.DataFrame:
    return (
        visits.filter(pl.col("kind").is_in(rule.kinds))
        .select(
            "enterprise_id",
            "visitor_id",
            pl.col("visited_on").dt.truncate(TRUNCATE[rule.period]).alias("period_start"),
        )
        .unique()
    )


def statuses(*, start: date, end: date, today: date, enterprise_ids=None, rules=None) -> pl.DataFrame:
    """One row per (rule, assignment, period) owed: rule, period_start, period_end, assignment,
    enterprise, leader, unit, town and status (done / due / overdue)."""
    rules = list(rules if rules is not None else CadenceRule.objects.filter(active=True))
    assignments = _assignments(start, min(end, today), enterprise_ids)
    windows = [periods(rule.period, start, end) for rule in rules]
    visits = (
        _visits(
            min(w[0][0] for w in windows),
            max(w[-1][1] for w in windows),
            {k for rule in rules for k in rule.kinds},
            enterprise_ids,
        )
        if rules and not assignments.is_empty()
        else pl.DataFrame(schema=VISIT_SCHEMA)
    )
    frames = []
    for rule in rules:
        spans = [
            (a, b, period_key(a, rule.period))
            for a, b in periods(rule.period, start, end)
            if a <= today and a >= rule.valid_from and (rule.valid_to is None or a <= rule.valid_to)
        ]
        if not spans or assignments.is_empty():
            continue
        grid = pl.DataFrame(
            spans, schema={"period_start": pl.Date, "period_end": pl.Date, "period": pl.Utf8}, orient="row"
        ).with_columns(
            pl.min_horizontal(pl.col("period_end"), pl.lit(today)).alias("held_on"),
            pl.lit(rule.code).alias("rule"),
            pl.lit(rule.period).alias("rule_period"),
        )
        owed = assignments.join(grid, how="cross").filter(
            (pl.col("since") <= pl.col("held_on"))
            & (pl.col("ended_on").is_null() | (pl.col("ended_on") > pl.col("held_on")))
        )
        seen = _seen(visits, rule).with_columns(pl.lit(True).alias("hit"))
        own = owed.join(
            seen.rename({"visitor_id": "leader_id"}),
            on=["enterprise_id", "leader_id", "period_start"],
            how="left",
        )
        inherited = owed.join(
            seen.rename({"visitor_id": "predecessor_leader_id", "hit": "hit_before"}),
            on=["enterprise_id", "predecessor_leader_id", "period_start"],
            how="left",
        ).select("assignment_id", "period_start", "hit_before")
        done = own.join(inherited, on=["assignment_id", "period_start"], how="left").with_columns(
            (pl.col("hit").fill_null(False) | pl.col("hit_before").fill_null(False)).alias("done")
        )
        frames.append(
            done.with_columns(
                pl.when(pl.col("done"))
                .then(pl.lit("done"))
                .when(pl.col("period_end") < pl.lit(today))
                .then(pl.lit("overdue"))
                .otherwise(pl.lit("due"))
                .alias("status")
            ).select(
                "rule",
                "rule_period",
                "period",
                "period_start",
                "period_end",
                "assignment_id",
                "enterprise_id",
                "leader_id",
                "unit_id",
                "town_id",
                "status",
            )
        )
    if not frames:
        return pl.DataFrame(
            schema={
                "rule": pl.Utf8,
                "rule_period": pl.Utf8,
                "period": pl.Utf8,
                "period_start": pl.Date,
                "period_end": pl.Date,
                "assignment_id": pl.Int64,
                "enterprise_id": pl.Int64,
                "leader_id": pl.Int64,
                "unit_id": pl.Int64,
                "town_id": pl.Int64,
                "status": pl.Utf8,
            }
        )
    return pl.concat(frames)


@dataclass(frozen=True)
class Row:
    key: int | None
    rule: str
    owed: int
    done: int
    due: int
    overdue: int

    @property
    def rate(self) -> float | None:
        settled = self.done + self.overdue
        return self.done / settled if settled else None


def summary(frame: pl.DataFrame, by: str) -> list[Row]:
    """Owed, done, due and overdue per `by` (leader_id, unit_id, town_id) and rule."""
    if frame.is_empty():
        return []
    grouped = (
        frame.group_by(by, "rule")
        .agg(
            pl.len().alias("owed"),
            (pl.col("status") == "done").sum().alias("done"),
            (pl.col("status") == "due").sum().alias("due"),
            (pl.col("status") == "overdue").sum().alias("overdue"),
        )
        .sort(["overdue", by, "rule"], descending=[True, False, False], nulls_last=True)
    )
    return [
        Row(r[by], r["rule"], r["owed"], r["done"], r["due"], r["overdue"])
        for r in grouped.iter_rows(named=True)
    ]


def compliance(*, start: date, end: date, today: date, enterprise_ids=None) -> dict[str, list[Row]]:
    frame = statuses(start=start, end=end, today=today, enterprise_ids=enterprise_ids)
    return {by: summary(frame, by) for by in ("leader_id", "unit_id", "town_id")}


def send_reminders(today: date) -> int:
    """Before a period ends (within the rule's remind_days of its last day), each liaison that has
    not yet reached an enterprise it owes is reminded through the outbox, once per rule, assignment
    and period (VisitReminder). Returns the reminders sent now."""
    from django.db import transaction
    from django.utils.translation import gettext_lazy as _

    from zhuqi.accounts.models import User
    from zhuqi.core import formats, outbox
    from zhuqi.core.errors import Message
    from zhuqi.directory.models import Enterprise
    from zhuqi.engagement.models import VisitReminder

    sent = 0
    for rule in CadenceRule.objects.filter(active=True):
        first = period_start(today, rule.period)
        last = period_end(first, rule.period)
        if (last - today).days >= rule.remind_days:
            continue
        frame = statuses(start=first, end=last, today=today, rules=[rule]).filter(pl.col("status") == "due")
        if frame.is_empty():
            continue
        owed = {
            a: (leader, enterprise)
            for a, leader, enterprise in frame.select(
                "assignment_id", "leader_id", "enterprise_id"
            ).iter_rows()
        }
        with transaction.atomic():
            already = set(
                VisitReminder.objects.filter(
                    rule=rule, period_start=first, assignment_id__in=list(owed)
                ).values_list("assignment_id", flat=True)
            )
            new = [a for a in owed if a not in already]
            if not new:
                continue
            VisitReminder.objects.bulk_create(
                [VisitReminder(rule=rule, assignment_id=a, period_start=first) for a in new],
                ignore_conflicts=True,
            )
            users = User.objects.in_bulk({owed[a][0] for a in new})
            names = dict(
                Enterprise.objects.filter(pk__in={owed[a][1] for a in new}).values_list("pk", "name")
            )
            outbox.enqueue_many(
                [
                    outbox.Pending(
                        event_key=f"visit-remind-{rule.code}-{a}-{first:%Y%m%d}",
                        recipients=[users[owed[a][0]]],
                        subject=str(
                            Message(
                                _("%(rule)s: %(name)s not yet reached"),
                                {"rule": rule.name, "name": names[owed[a][1]]},
                            )
                        ),
                        body=str(Message(_("The period ends on %(day)s."), {"day": formats.day(last)})),
                        link="/engagement/visits/new/",
                    )
                    for a in new
                ]
            )
            sent += len(new)
    return sent


def overdue_findings(today: date):
    """The warning kind visit_overdue (core/findings.py): each liaison that let the last ended period
    of a rule pass without reaching an enterprise it owed."""
    from zhuqi.accounts.models import User
    from zhuqi.core import findings, formats
    from zhuqi.directory.models import Enterprise

    for rule in CadenceRule.objects.filter(active=True):
        first = period_start(period_start(today, rule.period) - timedelta(days=1), rule.period)
        last = period_end(first, rule.period)
        frame = statuses(start=first, end=last, today=today, rules=[rule]).filter(
            pl.col("status") == "overdue"
        )
        if frame.is_empty():
            continue
        names = dict(
            Enterprise.objects.filter(pk__in=frame["enterprise_id"].to_list()).values_list("pk", "name")
        )
        leaders = User.objects.in_bulk(set(frame["leader_id"].to_list()))
        for row in frame.iter_rows(named=True):
            yield findings.Finding(
                kind="visit_overdue",
                subject_type="directory.liaisonassignment",
                subject_id=row["assignment_id"],
                period=row["period"],
                level="red" if rule.period == "quarter" else "yellow",
                text=f"{leaders[row['leader_id']]}未按“{rule.name}”在{formats.day(first)}至{formats.day(last)}联系或走访{names[row['enterprise_id']]}",
                since=last + timedelta(days=1),
                link="/engagement/compliance/?status=overdue",
                town_id=row["town_id"],
                department_id=row["unit_id"],
                user_ids=(row["leader_id"],),
            )


def sweep() -> int:
    """The worker's periodic sweep: today's reminders (each is sent once, however often it runs)."""
    from django.utils import timezone

    return send_reminders(timezone.localdate())
