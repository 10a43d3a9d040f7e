"""Matching every enterprise against every clause in force (`zhuqi policies match`).

One run: the facts table of every enterprise for the period's year (facts.build), what each clause
already granted each enterprise this year (annual caps), the batch evaluator over all of it, then in
one transaction the year's stored matches are replaced and each enterprise that newly qualifies for
a clause is notified through the outbox. A match is stored when the enterprise is eligible, or when
the clause is undecided for want of a *fact* the platform does not have (a missing application input
is not a gap: the enterprise supplies it when it applies).
"""

import hashlib
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
import polars.selectors as cs
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit, bulk, outbox, permissions
from zhuqi.core.errors import Message
from zhuqi.core.permissions import Capability
from zhuqi.directory.selectors import enterprise_users_by_enterprise
from zhuqi.policies import facts as facts_table
from zhuqi.policies.models import (
    Application,
    ApplicationState,
    Clause,
    GrantOffer,
    Match,
    MatchRun,
    OfferState,
)
from zhuqi.policies.packs import active_packs, clause_rule
from zhuqi.policies.packs import compiled as _compiled_pack
from zhuqi.rules import engine
from zhuqi.rules.model import BUILTIN_FACTS


@dataclass
class Evaluation:
    """The batch outcome of one period: per row an enterprise, per clause three columns (engine.batch)
    plus `<code>:gap` (undecided for want of a fact) and, for indicator facts, `<fact>:verified`."""

    period: date
    frame: pl.DataFrame
    clauses: list[tuple[Clause, object, object]]  # (row, rules clause, rules pack)


def granted_frame(year: int, enterprise_ids=None) -> pl.DataFrame:
    """What each clause granted each enterprise in `year`: approved applications and live offers, as
    columns `granted_this_year:<code>`."""
    approved = Application.objects.filter(year=year, state=ApplicationState.APPROVED)
    offered = GrantOffer.objects.filter(year=year).exclude(state=OfferState.CANCELLED)
    if enterprise_ids is not None:
        approved = approved.filter(**facts_table.ids_lookup(enterprise_ids))
        offered = offered.filter(**facts_table.ids_lookup(enterprise_ids))
    rows = [
        (e, code, total)
        for qs, field in ((approved, "approved_amount"), (offered, "amount"))
        for e, code, total in qs.values("enterprise_id", "clause__code")
        .annotate(total=Sum(field))
        .values_list("enterprise_id", "clause__code", "total")
    ]
    frame = pl.DataFrame(
        rows, schema={"enterprise_id": pl.Int64, "code": pl.String, "total": pl.Decimal(38, 2)}, orient="row"
    )
    if frame.is_empty():
        return pl.DataFrame(schema={"enterprise_id": pl.Int64})
    return (
        frame.group_by("enterprise_id", "code")
        .agg(pl.col("total").sum())
        .with_columns(pl.format("granted_this_year:{}", "code").alias("code"))
        .pivot(on="code", index="enterprise_id", values="total")
    )


def _facts_missing(pack, clause, columns) -> pl.Expr:
    """True where a fact the condition reads is missing (an input missing is no gap)."""
    read = sorted((pack.reads(clause.condition) & set(pack.facts)) - set(BUILTIN_FACTS))
    if any(name not in columns for name in read):
        return pl.lit(True)  # a fact the platform has no source for
    return pl.any_horizontal(*(pl.col(n).is_null() for n in read)) if read else pl.lit(False)


def evaluate(period: date, *, enterprise_ids=None, auto_grant_only: bool = False) -> Evaluation:
    packs = active_packs()
    table = facts_table.build([p for _row, p in packs], period.year, enterprise_ids)
    granted = granted_frame(period.year, enterprise_ids)
    if granted.width > 1:
        table = table.join(granted, on="enterprise_id", how="left")
    rows = {c.code: c for c in Clause.objects.filter(retired=False).select_related("policy")}
    outputs = [table.select("enterprise_id", cs.ends_with(":verified"))]
    clauses = []
    for _row, pack in packs:
        chosen = [
            c
            for c in pack.clauses
            if c.in_force(period) and c.code in rows and (c.auto_grant or not auto_grant_only)
        ]
        if not chosen:
            continue
        missing = table.select(*(_facts_missing(pack, c, table.columns).alias(c.code) for c in chosen))
        out = engine.batch(pack, table, period, chosen)
        outputs.append(
            out.with_columns(
                *(
                    (pl.col(f"{c.code}:unknown") & pl.lit(missing[c.code])).alias(f"{c.code}:gap")
                    for c in chosen
                )
            )
        )
        clauses += [(rows[c.code], c, pack) for c in chosen]
    return Evaluation(period, pl.concat(outputs, how="horizontal"), clauses)


def _yuan(fen: int | None) -> Decimal | None:
    return engine.yuan_of_fen(fen)


def match_run(*, period: date, acting_user=None, enterprise_ids=None, progress=None) -> MatchRun:
    """Evaluates, stores the year's matches and notifies newly eligible enterprises, in one
    transaction (a crash leaves the previous matches as they were, and a retry notifies once).
    acting_user None is the platform itself (zhuqi policies match, the demo city).

    Every enterprise is read, evaluated, stored and notified in chunks of settings.ZHUQI_BATCH_CHUNK
    enterprises by id range (facts.chunks), so that memory stays flat at a province's scale;
    `progress(done, total)` is told after each chunk."""
    if acting_user is not None:
        permissions.require(
            acting_user, Capability.RUN_MATCHING, _("Only the coordinating office does this.")
        )
    started = time.perf_counter()
    with transaction.atomic():
        spans = [enterprise_ids] if enterprise_ids is not None else facts_table.chunks()
        run = MatchRun.objects.create(
            period=period,
            started_by=acting_user if getattr(acting_user, "pk", None) else None,
            enterprises=0,
            clauses=0,
            eligible=0,
            unknown=0,
            newly_eligible=0,
        )
        for done, span in enumerate(spans, 1):
            _match_chunk(run, period, span)
            if progress is not None:
                progress(done, len(spans))
        run.seconds = round(time.perf_counter() - started, 3)
        run.save()
        audit.record(
            actor=acting_user,
            verb="policy_match_run",
            obj=run,
            data={
                "period": period.isoformat(),
                "eligible": run.eligible,
                "newly_eligible": run.newly_eligible,
            },
        )
    return run


def _match_chunk(run: MatchRun, period: date, enterprise_ids) -> None:
    """One chunk of a run: evaluate the enterprises, replace their stored matches of the year, notify
    those newly eligible, and add the counts to the run."""
    year = period.year
    evaluation = evaluate(period, enterprise_ids=enterprise_ids)
    frame = evaluation.frame
    long = []
    for clause_row, clause, _pack in evaluation.clauses:
        code = clause.code
        long.append(
            frame.filter(pl.col(f"{code}:eligible") | pl.col(f"{code}:gap")).select(
                "enterprise_id",
                pl.lit(clause_row.pk, dtype=pl.Int64).alias("clause_id"),
                pl.col(f"{code}:eligible").alias("eligible"),
                # An entitlement's number of places is no amount of money: stored without one.
                (pl.col(f"{code}:amount") if clause.is_money else pl.lit(None, dtype=pl.Int64)).alias(
                    "amount"
                ),
            )
        )
    schema = {"enterprise_id": pl.Int64, "clause_id": pl.Int64, "eligible": pl.Boolean, "amount": pl.Int64}
    found = pl.concat(long) if long else pl.DataFrame(schema=schema)
    clause_ids = [row.pk for row, _c, _p in evaluation.clauses]
    stored = Match.objects.filter(year=year, clause_id__in=clause_ids, eligible=True)
    if enterprise_ids is not None:
        stored = stored.filter(**facts_table.ids_lookup(enterprise_ids))
    before = pl.DataFrame(
        list(stored.values_list("enterprise_id", "clause_id")),
        schema={"enterprise_id": pl.Int64, "clause_id": pl.Int64},
        orient="row",
    )
    newly = found.filter(pl.col("eligible")).join(before, on=["enterprise_id", "clause_id"], how="anti")
    eligible = int(found["eligible"].sum())
    run.enterprises += frame.height
    run.clauses = len(clause_ids)
    run.eligible += eligible
    run.unknown += found.height - eligible
    run.newly_eligible += newly.height
    stale = Match.objects.filter(year=year, clause_id__in=clause_ids)
    if enterprise_ids is not None:
        stale = stale.filter(**facts_table.ids_lookup(enterprise_ids))
    stale._raw_delete(stale.db)  # no signals or cascades hang on matches: one DELETE
    _write_matches(found, year, run.pk)
    _notify_newly_eligible(newly, {row.pk: row for row, _c, _p in evaluation.clauses}, year)


def _write_matches(found: pl.DataFrame, year: int, run_id: int) -> None:
    """Bulk insert (core/bulk.py: COPY on PostgreSQL, executemany on SQLite; the ORM's bulk_create is
    10× slower)."""
    bulk.insert_rows(
        Match,
        ("enterprise_id", "clause_id", "year", "eligible", "amount", "run_id"),
        (
            (e, c, year, ok, _yuan(amount), run_id)
            for e, c, ok, amount in found.select(
                "enterprise_id", "clause_id", "eligible", "amount"
            ).iter_rows()
        ),
    )


def _notify_newly_eligible(newly: pl.DataFrame, clauses: dict[int, Clause], year: int) -> None:
    """One message per enterprise user listing the clauses the enterprise newly qualifies for."""
    if newly.is_empty():
        return
    per_enterprise = newly.group_by("enterprise_id").agg(pl.col("clause_id").sort(), pl.col("amount"))
    ids = per_enterprise["enterprise_id"].to_list()
    users = enterprise_users_by_enterprise(ids)
    messages = []
    for enterprise_id, clause_ids, amounts in per_enterprise.iter_rows():
        if enterprise_id not in users:
            continue
        titles = [f"{clauses[c].code} {clauses[c].title}" for c in clause_ids]
        digest = hashlib.sha256(",".join(map(str, clause_ids)).encode()).hexdigest()[:12]
        total = sum(a for a in amounts if a is not None)  # fen
        body = "\n".join(titles)
        if total:
            body += "\n" + str(
                Message(_("Estimated total: %(amount)s yuan"), {"amount": f"{engine.yuan_of_fen(total):,}"})
            )
        messages.append(
            outbox.Pending(
                event_key=f"policy-eligible-{year}-{enterprise_id}-{digest}",
                recipients=users[enterprise_id],
                subject=str(
                    Message(
                        _("You qualify for %(count)d more policy clauses (%(year)d)"),
                        {"count": len(clause_ids), "year": year},
                    )
                ),
                body=body,
                link=f"/policies/mine/?year={year}",
            )
        )
    outbox.enqueue_many(messages)


def period_of(clause, year: int) -> date:
    """The day a clause is evaluated for a year: the year's last day, or the clause's last day in
    force when it ends within that year."""
    end = date(year, 12, 31)
    to = getattr(clause, "effective_to", None)
    return to if to is not None and to.year == year and to < end else end


def explain_one(enterprise_id: int, clause_row: Clause, year: int, inputs: dict | None = None):
    """The single evaluator for one enterprise and clause, with the platform's facts, what the clause
    granted it this year, and `inputs` (application inputs and declared facts); same meaning as a run."""
    pack, clause = clause_rule(clause_row)
    known, unverified = facts_table.for_enterprise([pack], year, enterprise_id)
    granted = granted_frame(year, [enterprise_id])
    column = f"granted_this_year:{clause.code}"
    if column in granted.columns:
        known["granted_this_year"] = granted[column][0]
    # Inputs are stored as text (exact); an application stored before that holds JSON floats, whose
    # shortest repr is the decimal that was typed.
    given = {
        k: Decimal(repr(v)) if isinstance(v, float) else v for k, v in (inputs or {}).items() if v is not None
    }
    # What the platform knows wins over what an application declares.
    merged = given | {k: v for k, v in known.items() if v is not None}
    explanation = engine.explain(pack, clause, merged, period_of(clause, year))
    explanation.unverified = unverified
    return explanation


def explain_all(enterprise_id: int, year: int) -> list[tuple[Clause, object]]:
    """Every clause in force in `year` explained for one enterprise (我的政策): the facts and what
    each clause granted it this year are read once."""
    rows = list(Clause.objects.filter(retired=False).select_related("policy__pack", "department"))
    packs = {}
    for row in rows:
        packs.setdefault(row.policy.pack_id, row.policy.pack)
    compiled = {pk: _compiled_pack(p) for pk, p in packs.items()}
    known, unverified = facts_table.for_enterprise(list(compiled.values()), year, enterprise_id)
    granted = granted_frame(year, [enterprise_id])
    found = []
    for row in rows:
        pack = compiled[row.policy.pack_id]
        clause = pack.clause(row.code)
        period = period_of(clause, year)
        if not clause.in_force(period):
            continue
        given = dict(known)
        column = f"granted_this_year:{clause.code}"
        if column in granted.columns:
            given["granted_this_year"] = granted[column][0]
        explanation = engine.explain(pack, clause, given, period)
        explanation.unverified = unverified
        found.append((row, explanation))
    return found
