"""The yearly key lists (seed 003 三(一)5): 「每年评选出100户规模优势企业、100户高成长企业、100户行业强企……
实行动态管理……原则上每年调整一次。对于不及时上报经营情况……的企业……取消重点企业……的资格」.

A list of year Y is ranked on the figures of year Y-1 (the last full year), by a rule the office
edits before it proposes (RULE_FIELDS; every change audited):

- 规模优势 (scale): 营业收入 of Y-1, largest first, from `min_revenue` up;
- 高成长 (growth): growth of 营业收入 over two years, Y-3 to Y-1 (revenue(Y-1) ÷ revenue(Y-3) − 1),
  highest first, for enterprises whose Y-3 revenue is at least `min_base_revenue` (a small base makes
  any growth large);
- 行业强企 (strength): rank within the industry (GB/T 4754 division, e.g. C39) by a score of 纳税 per 亩
  and R&D ratio (each as the enterprise's percentile among its industry's, weighted `tax_weight` and
  `rd_weight`), in industries with at least `min_peers` ranked enterprises; the list takes every
  industry's first, then every industry's second, and so on (ties by score, then tax per mu).

Figures are the directory's best values (figures.best_values: verified first, then 税务局 › 统计局 ›
企业自报). **Late reporters**: an enterprise whose 营业收入 of Y-1 was first recorded after the rule's
`report_by` day (by any source) is flagged out of the list (state `late`), with the place it would
have had; it cannot be added back by the office that year. The directory keeps when each value was
last written, so a figure rewritten after the day by its only source counts as late too.

The proposal fills the list to exactly `size` (100) places: enterprises the office added count
towards it, enterprises it removed stay out, late reporters are flagged and skipped.

**Projects over 100,000,000 yuan** (超亿元项目, kind `projects`) are key projects of the register
(`projects.selectors.key_projects()`: not stopped, investment at least the rule's `min_investment`,
100,000,000 by default), largest investment first, under the same yearly proposal, review, additions,
removals and publication. The seed's two drop-out rules for projects: 「不及时上报……项目进度」 — a
month of Y-1 with planned investment whose report was not in by the reporting day — flags the project
`late`; 「不能按计划开工或工程进展缓慢」 — red (`projects.status`) on the day of the proposal — flags it
`behind`. Either is out at the place it would have had and cannot be added back that year.
"""

from datetime import date, datetime, time

import polars as pl
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit
from zhuqi.core.errors import Conflict, Message, ZhuqiError
from zhuqi.cultivation.lifecycle import LIST_STEPS
from zhuqi.cultivation.models import EntryState, KeyList, KeyListEntry, ListKind, ListState
from zhuqi.cultivation.services import _check_text, check_year
from zhuqi.directory.figures import best_values
from zhuqi.directory.models import Enterprise, IndicatorValue, PeriodType
from zhuqi.policies.facts import MONEY, _exact
from zhuqi.projects import selectors as project_selectors
from zhuqi.projects import status as project_status
from zhuqi.projects.models import MonthFigure

ENTERPRISE_KINDS = (ListKind.SCALE, ListKind.GROWTH, ListKind.STRENGTH)
LIST_SIZE = 100  # seed 003 三(一)5: 100户 … 100户 … 100户
MONEY_LIMIT = 10**14

# name: (label, minimum, maximum, default) — whole numbers; report_by is a date
RULE_FIELDS = {
    ListKind.SCALE: {"min_revenue": (_("Lowest revenue (yuan)"), 0, MONEY_LIMIT, 0)},
    ListKind.GROWTH: {
        "min_base_revenue": (_("Lowest revenue of the base year (yuan)"), 0, MONEY_LIMIT, 20_000_000)
    },
    ListKind.STRENGTH: {
        "tax_weight": (_("Weight of tax per mu"), 0, 100, 50),
        "rd_weight": (_("Weight of the R&D ratio"), 0, 100, 50),
        "min_peers": (_("Fewest enterprises ranked in an industry"), 1, 1000, 3),
    },
    ListKind.PROJECTS: {
        "min_investment": (_("Lowest investment (yuan)"), 100_000_000, MONEY_LIMIT, 100_000_000)
    },
}


def default_rule(kind: str, year: int) -> dict:
    rule = {name: spec[3] for name, spec in RULE_FIELDS[kind].items()}
    # 「不及时上报经营情况」: the seed names no day; the list takes the end of March for last year's figures.
    rule["report_by"] = date(year, 3, 31).isoformat()
    return rule


def check_rule(kind: str, year: int, changes: dict) -> dict:
    """The rule with `changes`, every value within its bounds (422 naming the field otherwise)."""
    rule = default_rule(kind, year)
    for name, value in (changes or {}).items():
        if name == "report_by":
            try:
                day = value if isinstance(value, date) else date.fromisoformat(str(value))
            except ValueError:
                day = None
            if day is None or not date(year - 1, 1, 1) <= day <= date(year, 12, 31):
                raise ZhuqiError(
                    "invalid_rule",
                    _("The reporting day must fall in the list's year or the year before."),
                    status=422,
                    field=name,
                )
            rule[name] = day.isoformat()
            continue
        spec = RULE_FIELDS[kind].get(name)
        if spec is None:
            raise ZhuqiError(
                "invalid_rule",
                Message(_("Unknown rule setting: %(name)s."), {"name": str(name)[:40]}),
                status=422,
                field=str(name)[:40],
            )
        _label, low, high, _default = spec
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ZhuqiError(
                "invalid_rule",
                Message(
                    _("%(label)s is a whole number from %(low)s to %(high)s."),
                    {"label": spec[0], "low": low, "high": high},
                ),
                status=422,
                field=name,
            )
        rule[name] = value
    if kind == ListKind.STRENGTH and rule["tax_weight"] + rule["rd_weight"] == 0:
        raise ZhuqiError(
            "invalid_rule", _("The two weights cannot both be 0."), status=422, field="tax_weight"
        )
    return rule


def _annual(years: list[int], keys: list[str]) -> pl.DataFrame:
    """Best annual values (Decimal) of the indicators for the years, one column per `key@year`."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT enterprise_id, year, indicator, value, source, verified FROM {IndicatorValue._meta.db_table} "
            f"WHERE period_type = 'year' AND indicator IN ({', '.join(['%s'] * len(keys))}) "
            f"AND year IN ({', '.join(['%s'] * len(years))})",
            keys + years,
        )
        rows = [(e, y, i, _exact(v), s, bool(ok)) for e, y, i, v, s, ok in cursor.fetchall()]
    schema = {
        "enterprise_id": pl.Int64,
        "year": pl.Int64,
        "indicator": pl.String,
        "value": MONEY,
        "source": pl.String,
        "verified": pl.Boolean,
    }
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    ids = pl.DataFrame(
        list(Enterprise.objects.values_list("id", "industry_code")),
        schema={"enterprise_id": pl.Int64, "industry_code": pl.String},
        orient="row",
    )
    if frame.is_empty():
        return ids
    wide = (
        best_values(frame)
        .with_columns(pl.format("{}@{}", "indicator", "year").alias("key"))
        .pivot(on="key", index="enterprise_id", values="value")
    )
    return ids.join(wide, on="enterprise_id", how="left")


def _col(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype=MONEY)


def ranking(kind: str, year: int, rule: dict) -> pl.DataFrame:
    """Every enterprise the rule ranks, best first: enterprise_id, score (float, for order and show)
    and the figures it was ranked on."""
    last, base = year - 1, year - 3
    if kind == ListKind.SCALE:
        frame = _annual([last], ["revenue"])
        revenue = _col(frame, f"revenue@{last}")
        return (
            frame.select("enterprise_id", revenue.alias("revenue"))
            .filter(
                pl.col("revenue").is_not_null()
                & (pl.col("revenue") >= pl.lit(rule["min_revenue"]).cast(MONEY))
                & (pl.col("revenue") > 0)
            )
            .with_columns(pl.col("revenue").cast(pl.Float64).alias("score"))
            .sort(["revenue", "enterprise_id"], descending=[True, False])
        )
    if kind == ListKind.GROWTH:
        frame = _annual([last, base], ["revenue"])
        now, then = _col(frame, f"revenue@{last}"), _col(frame, f"revenue@{base}")
        return (
            frame.select("enterprise_id", now.alias("revenue"), then.alias("revenue_base"))
            .filter(pl.col("revenue").is_not_null() & pl.col("revenue_base").is_not_null())
            .filter(
                (pl.col("revenue_base") > 0)
                & (pl.col("revenue_base") >= pl.lit(rule["min_base_revenue"]).cast(MONEY))
            )
            .with_columns(
                (pl.col("revenue").cast(pl.Float64) / pl.col("revenue_base").cast(pl.Float64) - 1).alias(
                    "score"
                )
            )
            .sort(["score", "revenue", "enterprise_id"], descending=[True, True, False])
        )
    if kind == ListKind.STRENGTH:
        frame = _annual([last], ["tax_paid", "land_area", "rd_expense", "revenue"])
        f = lambda n: _col(frame, f"{n}@{last}").cast(pl.Float64)  # noqa: E731 - ratios, not money
        scored = (
            frame.select(
                "enterprise_id",
                pl.col("industry_code").str.slice(0, 3).alias("industry"),
                pl.when(f("land_area") > 0).then(f("tax_paid") / f("land_area")).alias("tax_per_mu"),
                pl.when(f("revenue") > 0).then(f("rd_expense") / f("revenue")).alias("rd_ratio"),
            )
            .filter(pl.col("industry").str.len_chars() == 3)
            .drop_nulls(["tax_per_mu", "rd_ratio"])
        )
        peers = pl.len().over("industry")
        weights = rule["tax_weight"] + rule["rd_weight"]
        scored = (
            scored.with_columns(peers.alias("peers"))
            .filter(pl.col("peers") >= rule["min_peers"])
            .with_columns(
                (
                    (
                        pl.col("tax_per_mu").rank("average").over("industry") * rule["tax_weight"]
                        + pl.col("rd_ratio").rank("average").over("industry") * rule["rd_weight"]
                    )
                    / (pl.col("peers") * weights)
                ).alias("score")
            )
            .sort(["industry", "score", "tax_per_mu", "enterprise_id"], descending=[False, True, True, False])
            .with_columns(pl.int_range(1, pl.len() + 1).over("industry").alias("industry_rank"))
        )
        return scored.sort(
            ["industry_rank", "score", "tax_per_mu", "enterprise_id"], descending=[False, True, True, False]
        )
    raise ValueError(kind)  # projects: project_ranking


def project_ranking(year: int, rule: dict, today: date) -> tuple[list[dict], set[int], set[int]]:
    """The key projects the rule ranks, largest investment first (project_id, score = investment in
    yuan, figures), with the ids of the late reporters and of the projects behind plan on `today`."""
    from decimal import Decimal

    projects = list(project_selectors.key_projects(minimum=Decimal(rule["min_investment"])))
    ranked = [
        {
            "project_id": p.pk,
            "score": p.investment,  # Decimal yuan: money is never a float
            "figures": {"investment": str(p.investment), "stage": p.stage},
        }
        for p in projects
    ]
    day = date.fromisoformat(rule["report_by"])
    deadline = timezone.make_aware(datetime.combine(day, time.max))
    late = set(
        MonthFigure.objects.filter(project__in=[p.pk for p in projects], year=year - 1, planned__gt=0)
        .filter(Q(reported_at__isnull=True) | Q(reported_at__gt=deadline))
        .values_list("project_id", flat=True)
    )
    statuses = project_status.statuses(projects, today)
    behind = {pk for pk, found in statuses.items() if found.level == project_status.RED}
    return ranked, late, behind


def late_ids(year: int, rule: dict) -> set[int]:
    """Enterprises whose 营业收入 of year-1 was first recorded after the reporting day."""
    day = date.fromisoformat(rule["report_by"])
    deadline = timezone.make_aware(datetime.combine(day, time.max))
    return set(
        IndicatorValue.objects.filter(indicator="revenue", period_type=PeriodType.YEAR, year=year - 1)
        .values("enterprise_id")
        .annotate(first=Min("updated_at"))
        .filter(first__gt=deadline)
        .values_list("enterprise_id", flat=True)
    )


def _figures(row: dict) -> dict:
    return {
        k: (None if v is None else str(v))
        for k, v in row.items()
        if k not in ("enterprise_id", "score", "industry_rank", "peers")
    }


def list_for(kind: str, year: int) -> KeyList:
    """The list of a kind and year, made (as a draft with the default rule) when there is none yet."""
    check_year(year)
    found, _created = KeyList.objects.get_or_create(
        kind=kind, year=year, defaults={"rule": default_rule(kind, year), "size": LIST_SIZE}
    )
    return found


def _step(name: str, key_list: KeyList, user) -> None:
    LIST_STEPS[name].check(user, key_list, f"{key_list.get_kind_display()} {key_list.year}")


def _key(kind: str) -> str:
    """The column naming what an entry lists: the project for the project list, else the enterprise."""
    return "project_id" if kind == ListKind.PROJECTS else "enterprise_id"


@transaction.atomic
def list_propose(*, key_list: KeyList, acting_user, today: date | None = None) -> dict:
    """Ranks every enterprise (or key project) by the list's rule (one batch) and fills the draft to
    `size` places."""
    key_list = KeyList.objects.select_for_update().get(pk=key_list.pk)
    _step("propose", key_list, acting_user)
    key = _key(key_list.kind)
    behind: set[int] = set()
    if key_list.kind == ListKind.PROJECTS:
        rows, late, behind = project_ranking(key_list.year, key_list.rule, today or timezone.localdate())
    else:
        ranked = ranking(key_list.kind, key_list.year, key_list.rule)
        rows = [
            {key: r["enterprise_id"], "score": r["score"], "figures": _figures(r)}
            for r in ranked.iter_rows(named=True)
        ]
        late = late_ids(key_list.year, key_list.rule)
    kept = {
        getattr(e, key): e
        for e in key_list.entries.filter(state=EntryState.REMOVED)
        | key_list.entries.filter(added_by_office=True)
    }
    key_list.entries.exclude(pk__in=[e.pk for e in kept.values()]).delete()
    placed = sum(1 for e in kept.values() if e.state == EntryState.IN)
    new, flagged, slow = [], 0, 0
    for position, row in enumerate(rows, start=1):
        if placed >= key_list.size:
            break
        listed = row[key]
        if listed in kept:
            continue
        entry = KeyListEntry(
            key_list=key_list,
            rank=position,
            score=round(row["score"], 4) if row["score"] is not None else None,
            figures=row["figures"],
            **{key: listed},
        )
        if listed in late:
            entry.state = EntryState.LATE
            entry.reason = str(_("Figures of the last year not reported on time"))
            flagged += 1
        elif listed in behind:
            entry.state = EntryState.BEHIND
            entry.reason = str(_("Seriously behind plan"))
            slow += 1
        else:
            placed += 1
        new.append(entry)
    KeyListEntry.objects.bulk_create(new, batch_size=1000)
    key_list.proposed_at = timezone.now()
    key_list.save(update_fields=["proposed_at"])
    counts = {
        "year": key_list.year,
        "list": key_list.kind,
        "placed": placed,
        "late": flagged,
        "ranked": len(rows),
    }
    if key_list.kind == ListKind.PROJECTS:
        counts["behind"] = slow
    audit.record(actor=acting_user, verb="key_list_propose", obj=key_list, data=counts)
    return counts


@transaction.atomic
def list_rule_edit(*, key_list: KeyList, acting_user, changes: dict) -> KeyList:
    _step("edit_rule", key_list, acting_user)
    before = dict(key_list.rule)
    key_list.rule = check_rule(key_list.kind, key_list.year, {**before, **changes})
    key_list.save(update_fields=["rule"])
    audit.record(
        actor=acting_user,
        verb="key_list_rule_edit",
        obj=key_list,
        data={"before": before, "after": key_list.rule},
    )
    return key_list


@transaction.atomic
def list_add(*, key_list: KeyList, enterprise=None, project=None, acting_user, reason: str) -> KeyListEntry:
    """The office adds an enterprise, or a key project to the project list (with a reason); the list
    holds at most `size`."""
    key_list = KeyList.objects.select_for_update().get(pk=key_list.pk)
    _step("add", key_list, acting_user)
    reason = _check_text(reason, "reason", required=True)
    is_projects = key_list.kind == ListKind.PROJECTS
    subject = project if is_projects else enterprise
    if subject is None:
        raise ZhuqiError(
            "missing_subject",
            _("Name a key project.") if is_projects else _("Name an enterprise."),
            status=422,
            field="project" if is_projects else "enterprise",
        )
    if is_projects and (
        project.stopped_on is not None or project.investment < int(key_list.rule.get("min_investment", 0))
    ):
        raise Conflict(
            "not_key_project",
            Message(_("%(name)s is stopped or below the list's lowest investment."), {"name": project.name}),
        )
    lookup = {"project": project} if is_projects else {"enterprise": enterprise}
    entry = key_list.entries.filter(**lookup).first()
    if entry is not None and entry.state == EntryState.IN:
        raise Conflict(
            "already_listed", Message(_("%(name)s is already on the list."), {"name": subject.name})
        )
    if entry is not None and entry.state == EntryState.LATE:
        raise Conflict(
            "late_reporter",
            Message(
                _("%(name)s did not report its figures on time: it is out this year."),
                {"name": subject.name},
            ),
        )
    if entry is not None and entry.state == EntryState.BEHIND:
        raise Conflict(
            "behind_plan",
            Message(_("%(name)s is seriously behind plan: it is out this year."), {"name": subject.name}),
        )
    if key_list.entries.filter(state=EntryState.IN).count() >= key_list.size:
        raise Conflict(
            "list_full", Message(_("The list holds %(size)s: remove one first."), {"size": key_list.size})
        )
    if entry is None:
        entry = KeyListEntry(key_list=key_list, **lookup)
    entry.state, entry.added_by_office, entry.reason = EntryState.IN, True, reason
    entry.save()
    audit.record(
        actor=acting_user,
        verb="key_list_add",
        obj=key_list,
        data={"project" if is_projects else "enterprise": subject.name, "reason": reason},
    )
    return entry


@transaction.atomic
def list_remove(*, entry: KeyListEntry, acting_user, reason: str) -> KeyListEntry:
    key_list = KeyList.objects.select_for_update().get(pk=entry.key_list_id)
    _step("remove", key_list, acting_user)
    reason = _check_text(reason, "reason", required=True)
    entry.refresh_from_db()
    if entry.state != EntryState.IN:
        raise Conflict("not_listed", Message(_("%(name)s is not on the list."), {"name": entry.subject.name}))
    entry.state, entry.reason = EntryState.REMOVED, reason
    entry.save(update_fields=["state", "reason"])
    audit.record(
        actor=acting_user,
        verb="key_list_remove",
        obj=key_list,
        data={"project" if entry.project_id else "enterprise": entry.subject.name, "reason": reason},
    )
    return entry


@transaction.atomic
def list_publish(*, key_list: KeyList, acting_user) -> KeyList:
    key_list = KeyList.objects.select_for_update().get(pk=key_list.pk)
    _step("publish", key_list, acting_user)
    key_list.state = ListState.PUBLISHED
    key_list.published_at = timezone.now()
    key_list.save(update_fields=["state", "published_at"])
    count = key_list.entries.filter(state=EntryState.IN).count()
    audit.record(
        actor=acting_user,
        verb="key_list_publish",
        obj=key_list,
        data={"year": key_list.year, "entries": count},
    )
    return key_list


def listed_ids(key_list: KeyList | None) -> set[int]:
    """Ids of the enterprises (of the projects, for the project list) on the list."""
    if key_list is None:
        return set()
    return set(key_list.entries.filter(state=EntryState.IN).values_list(_key(key_list.kind), flat=True))


def changes(key_list: KeyList) -> tuple[set[int], set[int]]:
    """(in, out) against the same kind's list of the year before: who entered, who left (enterprise
    ids, or project ids for the project list)."""
    previous = KeyList.objects.filter(kind=key_list.kind, year=key_list.year - 1).first()
    now, before = listed_ids(key_list), listed_ids(previous)
    if previous is None:
        return now, set()
    return now - before, before - now
