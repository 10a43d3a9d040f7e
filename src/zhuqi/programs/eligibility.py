"""The formal check (形式审查, seed 000 二(四)3) of a round's applications with the eligibility pack
`rules/packs/eligibility/dongguan_doubling_selection.yaml`, in one batch evaluation.

Facts come from the directory as the pack's `from` says:

    indicator:KEY[@-N]            the best annual value (policies.facts: verified first, then 税务局 ›
                                  统计局 › 企业自报); where the directory has none, the applicant's
                                  declared figure of that year (a reading: the check is on record data
                                  when there is some, on the declaration otherwise; the cross-check
                                  compares the two)
    tag:NAME                      the enterprise has the tag
    fact:KEY                      the latest EnterpriseFact (environmental credit rating, key energy
                                  user, its assessment); no rating on record reads 未评价, not a key
                                  energy user when not on record
    enterprise:founded_year       the year of founded_on
    application:FIELD             a field of the application (key_introduced_project)

The outcome: every condition of 二(三)1–2 must hold (tax, environment, energy); then the figures of
二(三)4 (revenue, growth, profit) all hold → passed; some do not but the relaxation holds → flagged for
the committee (never silently passed); otherwise failed. Each finding keeps the values seen.
"""

from datetime import date
from decimal import Decimal
from functools import cache

import polars as pl

from zhuqi.policies import facts as policy_facts
from zhuqi.programs.models import Application, DeclaredFigure, EnterpriseFact
from zhuqi.rules import packs
from zhuqi.rules.engine import batch
from zhuqi.rules.expr import BOOL, NUMBER
from zhuqi.rules.model import load_pack

PACK_FILE = "dongguan_doubling_selection.yaml"
HARD = ("SEL-1-TAX", "SEL-2-ENV", "SEL-2-ENERGY")
FIGURES = ("SEL-4-REVENUE", "SEL-4-GROWTH", "SEL-4-PROFIT")
RELAX = "SEL-4-RELAX"
NOT_RATED = "未评价"


@cache
def pack():
    return load_pack(next(p for p in packs.eligibility() if p.name == PACK_FILE))


def _origin(text: str) -> tuple[str, str, int]:
    kind, _sep, rest = text.partition(":")
    what, _at, offset = rest.partition("@")
    return kind, what, int(offset or 0)


def facts_frame(applications: list[Application], year: int) -> pl.DataFrame:
    """One row per application: `application_id`, `enterprise_id` and every fact of the pack."""
    p = pack()
    ids = sorted({a.enterprise_id for a in applications})
    read_ids = ids if len(ids) <= policy_facts.MAX_SQL_IDS else None
    frame = pl.DataFrame(
        {
            "application_id": [a.pk for a in applications],
            "enterprise_id": [a.enterprise_id for a in applications],
            "founded_year": [
                a.enterprise.founded_on.year if a.enterprise.founded_on else None for a in applications
            ],
            "key_introduced_project": [a.key_introduced_project for a in applications],
        },
        schema={
            "application_id": pl.Int64,
            "enterprise_id": pl.Int64,
            "founded_year": pl.Int64,
            "key_introduced_project": pl.Boolean,
        },
    )
    origins = {name: _origin(f.origin) for name, f in p.facts.items() if f.origin}
    needed = {(what, year + off) for kind, what, off in origins.values() if kind == "indicator"}
    values = policy_facts._indicators(needed, read_ids)
    declared = _declared([a.pk for a in applications], needed)
    tags = policy_facts._tags({w for k, w, _o in origins.values() if k == "tag"}, read_ids)
    facts = _latest_facts(read_ids)
    columns = []
    for name, (kind, what, off) in origins.items():
        fact = p.facts[name]
        if kind == "indicator":
            key = f"{what}@{year + off}"
            found = values.filter(pl.col("key") == key).select(
                "enterprise_id", pl.col("value").alias(f"{name}:dir")
            )
            mine = declared.filter(pl.col("key") == key).select(
                "application_id", pl.col("value").alias(f"{name}:decl")
            )
            frame = frame.join(found, on="enterprise_id", how="left").join(
                mine, on="application_id", how="left"
            )
            columns.append(pl.coalesce(f"{name}:dir", f"{name}:decl").cast(policy_facts.MONEY).alias(name))
        elif kind == "tag":
            having = tags.filter(pl.col("tag") == what)["enterprise_id"].unique()
            columns.append(pl.col("enterprise_id").is_in(having.implode()).alias(name))
        elif kind == "fact":
            one = facts.filter(pl.col("key") == what).select("enterprise_id", pl.col("value").alias(name))
            frame = frame.join(one, on="enterprise_id", how="left")
            if fact.type == BOOL:
                columns.append((pl.col(name) == "是").fill_null(False).alias(name))
            elif what == "env_credit":
                columns.append(pl.col(name).fill_null(NOT_RATED))
            else:
                columns.append(pl.col(name))
        else:  # enterprise:founded_year, application:… are already columns
            columns.append(pl.col(name))
    return frame.select("application_id", "enterprise_id", *columns)


def _declared(application_ids: list[int], needed: set[tuple[str, int]]) -> pl.DataFrame:
    schema = {"application_id": pl.Int64, "key": pl.String, "value": policy_facts.MONEY}
    keys = {k for k, _y in needed}
    years = {y for _k, y in needed}
    rows = []
    for chunk in range(0, len(application_ids), policy_facts.MAX_SQL_IDS):
        rows += [
            (a, f"{i}@{y}", policy_facts._exact(v))
            for a, i, y, v in DeclaredFigure.objects.filter(
                application_id__in=application_ids[chunk : chunk + policy_facts.MAX_SQL_IDS],
                indicator__in=keys,
                year__in=years,
            ).values_list("application_id", "indicator", "year", "value")
        ]
    return pl.DataFrame(rows, schema=schema, orient="row")


def _latest_facts(enterprise_ids) -> pl.DataFrame:
    schema = {"enterprise_id": pl.Int64, "key": pl.String, "value": pl.String, "as_of": pl.Date}
    rows = EnterpriseFact.objects.all()
    if enterprise_ids is not None:
        rows = rows.filter(enterprise_id__in=enterprise_ids)
    frame = pl.DataFrame(
        list(rows.values_list("enterprise_id", "key", "value", "as_of")), schema=schema, orient="row"
    )
    return frame.sort("as_of").group_by("enterprise_id", "key").last()


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def evaluate(applications: list[Application], year: int) -> dict[int, tuple[str, list[dict]]]:
    """application id → (check result, findings): each clause met (true/false/null when a value is
    missing) with the values of the facts it reads."""
    if not applications:
        return {}
    p = pack()
    frame = facts_frame(applications, year)
    result = batch(p, frame, date(year, 12, 31))
    reads = {c.code: sorted(c.condition.names() & set(p.facts) & set(frame.columns)) for c in p.clauses}
    out = {}
    joined = pl.concat([frame, result.select(pl.exclude(frame.columns))], how="horizontal")
    for row in joined.iter_rows(named=True):
        findings = []
        for clause in p.clauses:
            unknown = row[f"{clause.code}:unknown"]
            met = None if unknown else bool(row[f"{clause.code}:eligible"])
            findings.append(
                {"clause": clause.code, "met": met, "seen": {n: _plain(row[n]) for n in reads[clause.code]}}
            )
        by = {f["clause"]: f["met"] for f in findings}
        if not all(by[c] for c in HARD):
            outcome = Application.CheckResult.FAILED
        elif all(by[c] for c in FIGURES):
            outcome = Application.CheckResult.PASSED
        elif by[RELAX]:
            outcome = Application.CheckResult.FLAGGED
        else:
            outcome = Application.CheckResult.FAILED
        out[row["application_id"]] = (outcome, findings)
    return out


def described(findings: list[dict]) -> list[dict]:
    """Findings as a page shows them: the clause's title and paragraph, met or not, values seen."""
    from zhuqi.policies.explain import shown

    p = pack()
    clauses = {c.code: c for c in p.clauses}
    rows = []
    for f in findings:
        clause = clauses.get(f["clause"])
        if clause is None:
            continue
        seen = []
        for name, value in f["seen"].items():
            fact = p.facts.get(name)
            if fact is not None and fact.type == NUMBER and value is not None:
                value = Decimal(value)
            seen.append({"label": fact.label if fact else name, "value": shown(value, fact)})
        rows.append(
            {
                "code": clause.code,
                "title": clause.title,
                "source": clause.source,
                "met": f["met"],
                "relaxation": clause.code == RELAX,
                "seen": seen,
            }
        )
    return rows
