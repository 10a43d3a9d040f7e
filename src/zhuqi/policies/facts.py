"""The facts table: every enterprise's facts for a year, as the packs' `from` says, in one frame.

    tag:瞪羚企业                       true when the enterprise has the tag (several: tag:A|B, any of them)
    pilot:current                      true when the enterprise is a current pilot (试点 or 名誉试点, on
                                       probation too) of a city programme (programs.Pilot)
    pilot:honorary                     … and an honorary pilot (名誉试点)
    pilot:commitment_years             its commitment (3 or 5 years); pilot:start_year its first year
    enterprise:listing                 a field of the enterprise (text)
    indicator:city_retained_tax        the indicator's value for the year matched
    indicator:rd_expense@-1            … for the year before (@-2 two years before, and so on)
    indicator:city_retained_tax@2016   … for one fixed year (a base year named by a document)
    tier:little_giant/national         true when a tier recognition (tiers.Recognition) of that tier (and
                                       level, when named) is in force on some day of the year (or on the
                                       day a tier assessment reads)
    tier_new:specialised/provincial    the year of the enterprise's first recognition of that tier (a
                                       number): "newly recognised in the year" is `… == period_year`
    fact:ip_class1                     a tier fact (tiers.TierFact, zhuqi/tiers/facts.py says which): the
                                       newest value on or before the year's end, while valid
    fact:sci_award@3y                  … dated within the last three years (as-of year ≥ year − 3)

The value of an indicator is the one figures.best_values picks (verified first, then the most
authoritative source). For each indicator fact the frame also has `<fact>:verified`, so that a
no-application grant is offered only on verified data. Tags and fields of the enterprise are the
directory's own records and count as verified.

Reading is columnar and uses raw SQL: 100,000 enterprises load in about a second on either database.
"""

import re
from collections.abc import Iterable
from decimal import Decimal

import polars as pl
from django.conf import settings
from django.db import connection

from zhuqi.directory import indicators
from zhuqi.directory.models import Enterprise, IndicatorValue, Tag
from zhuqi.rules.expr import BOOL, NUMBER, TEXT, RuleError
from zhuqi.rules.model import Fact, Pack
from zhuqi.rules.polars_eval import DTYPES

MONEY = pl.Decimal(38, 2)  # indicator values, exactly as stored (the engine reads them in fen)
FEN = Decimal("0.01")
ENTERPRISE_FIELDS = ("listing", "ownership", "size", "doubling_class", "industry_code")
PILOT_FIELDS = {"current": BOOL, "honorary": BOOL, "commitment_years": NUMBER, "start_year": NUMBER}
ORIGIN = re.compile(
    r"^(?P<kind>tag|enterprise|indicator|pilot):(?P<what>[^@]+?)(?:@(?:(?P<offset>-\d+)|(?P<year>(?:19|20)\d\d)))?$"
)


TIER_ORIGIN = re.compile(
    r"^(?P<kind>tier|tier_new):(?P<tier>innovative|specialised|little_giant)(?:/(?P<level>national|provincial|city))?$"
)
FACT_ORIGIN = re.compile(r"^fact:(?P<key>[a-z0-9_]+)(?:@(?P<years>[1-9])y)?$")


def indicator_year(origin: tuple, year: int) -> int:
    """The year an indicator fact reads when `year` is evaluated: year + offset, or the fixed year."""
    _kind, _what, offset, *fixed = origin
    return fixed[0] if fixed and fixed[0] else year + offset


def parse_origin(fact: Fact) -> tuple[str, str, int, int | None] | None:
    """(kind, what, year offset, fixed year) of a fact's `from`, None when it has none; RuleError
    when wrong."""
    if not fact.origin:
        return None
    where = f"fact {fact.name} from"
    text = fact.origin.strip()
    if text.startswith(("tier:", "tier_new:", "fact:")):
        return _tier_origin(fact, text, where)
    m = ORIGIN.match(text)
    if m is None:
        raise RuleError(
            f"{fact.origin!r} is not tag:NAME, enterprise:FIELD, pilot:FIELD or indicator:KEY[@-N|@YYYY]",
            where=where,
        )
    kind, what, offset = m["kind"], m["what"].strip(), int(m["offset"] or 0)
    fixed = int(m["year"]) if m["year"] else None
    if kind == "pilot" and what not in PILOT_FIELDS:
        raise RuleError(f"a pilot has no field {what!r}; one of {', '.join(PILOT_FIELDS)}", where=where)
    wanted = {"tag": BOOL, "enterprise": TEXT, "indicator": NUMBER}.get(kind) or PILOT_FIELDS[what]
    if fact.type != wanted:
        raise RuleError(f"a fact read from {kind}: is a {wanted}, not a {fact.type}", where=where)
    if kind == "enterprise" and what not in ENTERPRISE_FIELDS:
        raise RuleError(
            f"enterprise has no field {what!r}; one of {', '.join(ENTERPRISE_FIELDS)}", where=where
        )
    if kind == "indicator" and what not in indicators.BY_KEY:
        raise RuleError(f"no indicator {what!r}; one of {', '.join(indicators.BY_KEY)}", where=where)
    if offset < -10:
        raise RuleError("an indicator is read at most 10 years back", where=where)
    if kind != "indicator" and (offset or fixed):
        raise RuleError("only indicators have a year (@-N or @YYYY)", where=where)
    return kind, what, offset, fixed


def _tier_origin(fact: Fact, text: str, where: str) -> tuple:
    from zhuqi.tiers.facts import BY_KEY

    m = TIER_ORIGIN.match(text)
    if m:
        wanted = BOOL if m["kind"] == "tier" else NUMBER
        if fact.type != wanted:
            raise RuleError(f"a fact read from {m['kind']}: is a {wanted}, not a {fact.type}", where=where)
        return m["kind"], f"{m['tier']}/{m['level'] or ''}", 0, None
    m = FACT_ORIGIN.match(text)
    if m is None:
        raise RuleError(
            f"{text!r} is not tier:TIER[/LEVEL], tier_new:TIER[/LEVEL] or fact:KEY[@Ny]", where=where
        )
    if m["key"] not in BY_KEY:
        raise RuleError(f"no tier fact {m['key']!r}; one of {', '.join(BY_KEY)}", where=where)
    if fact.type != BY_KEY[m["key"]].type:
        raise RuleError(
            f"the tier fact {m['key']} is a {BY_KEY[m['key']].type}, not a {fact.type}", where=where
        )
    return "fact", m["key"], int(m["years"] or 0), None


def check_origins(pack: Pack) -> None:
    for fact in pack.facts.values():
        parse_origin(fact)


def sourced_facts(packs: Iterable[Pack]) -> dict[str, tuple[Fact, tuple[str, str, int]]]:
    found = {}
    for pack in packs:
        for name, fact in pack.facts.items():
            origin = parse_origin(fact)
            if origin is not None:
                found[name] = (fact, origin)
    return found


def is_span(enterprise_ids) -> bool:
    """True when `enterprise_ids` is a range of ids (a chunk of a batch run), read as lo <= id < hi."""
    return isinstance(enterprise_ids, range) and enterprise_ids.step == 1


def ids_lookup(enterprise_ids, field: str = "enterprise_id") -> dict:
    """The ORM filter for `enterprise_ids` (a list, or a range: a chunk of a batch run)."""
    if is_span(enterprise_ids):
        return {f"{field}__gte": enterprise_ids.start, f"{field}__lt": enterprise_ids.stop}
    return {f"{field}__in": [int(i) for i in enterprise_ids]}


def chunks(size: int | None = None) -> list[range]:
    """Every enterprise in ranges of ids of `size` enterprises each (settings.ZHUQI_BATCH_CHUNK): a
    batch run reads, evaluates and writes one range at a time. The ranges cover every id from 0 to
    the largest; none when there is no enterprise."""
    size = size or settings.ZHUQI_BATCH_CHUNK
    table = Enterprise._meta.db_table
    starts = [
        row[0]
        for row in _query(
            f"SELECT id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM {table}) AS t "
            "WHERE (n - 1) %% %s = 0 ORDER BY id",  # rows 1, size + 1, …: right for a size of 1 too
            [size],
        )
    ]
    if not starts:
        return []
    last = _query(f"SELECT MAX(id) FROM {table}", [])[0][0]
    bounds = [0, *starts[1:], last + 1]
    return [range(lo, hi) for lo, hi in zip(bounds, bounds[1:], strict=False)]


def _ids_clause(column: str, enterprise_ids) -> tuple[str, list]:
    if enterprise_ids is None:
        return "", []
    if is_span(enterprise_ids):
        return f" AND {column} >= %s AND {column} < %s", [enterprise_ids.start, enterprise_ids.stop]
    ids = [int(i) for i in enterprise_ids]
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", ids


def _query(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


MAX_SQL_IDS = 2000  # past this many, reading everyone and filtering in Polars is faster than IN (…)


def build(packs: Iterable[Pack], year: int, enterprise_ids=None, *, day=None) -> pl.DataFrame:
    """One row per enterprise (all, or those in `enterprise_ids`) with `enterprise_id`, every sourced
    fact of the packs for `year`, and `<fact>:verified` for indicator facts. `day` (in `year`) reads
    tier recognitions and tier facts as they stand on that day rather than over the year."""
    if enterprise_ids is not None and not is_span(enterprise_ids) and len(enterprise_ids) > MAX_SQL_IDS:
        wanted_ids = pl.Series(list(enterprise_ids), dtype=pl.Int64).implode()
        return build(packs, year, day=day).filter(pl.col("enterprise_id").is_in(wanted_ids))
    wanted = sourced_facts(packs)
    e_table = Enterprise._meta.db_table
    where, params = _ids_clause("id", enterprise_ids)
    rows = _query(f"SELECT id, {', '.join(ENTERPRISE_FIELDS)} FROM {e_table} WHERE 1=1{where}", params)
    frame = pl.DataFrame(
        rows, schema={"enterprise_id": pl.Int64} | {f: pl.String for f in ENTERPRISE_FIELDS}, orient="row"
    )
    columns = []
    tag_names = {n for _f, (kind, what, *_y) in wanted.values() if kind == "tag" for n in what.split("|")}
    tags = _tags(tag_names, enterprise_ids)
    needed = {(o[1], indicator_year(o, year)) for _f, o in wanted.values() if o[0] == "indicator"}
    values = _indicators(needed, enterprise_ids)
    pilots = None
    for name, (fact, origin) in wanted.items():
        kind, what = origin[:2]
        if kind in ("tier", "tier_new", "fact"):
            from zhuqi.tiers import sources

            one = sources.column(name, origin, fact.type, year, day, enterprise_ids)
            frame = frame.join(one, on="enterprise_id", how="left")
            columns.append(sources.fill(name, origin))
        elif kind == "enterprise":
            columns.append(pl.col(what).alias(name))
        elif kind == "pilot":
            if pilots is None:
                pilots = _pilots(enterprise_ids)
            frame = frame.join(
                pilots.select("enterprise_id", pl.col(what).alias(name)), on="enterprise_id", how="left"
            )
            if PILOT_FIELDS[what] == BOOL:
                columns.append(pl.col(name).fill_null(False))
            else:
                columns.append(pl.col(name).cast(pl.Int64))
        elif kind == "tag":
            having = tags.filter(pl.col("tag").is_in(what.split("|")))["enterprise_id"].unique()
            columns.append(pl.col("enterprise_id").is_in(having.implode()).alias(name))
        else:
            key = f"{what}@{indicator_year(origin, year)}"
            one = values.filter(pl.col("key") == key).select(
                "enterprise_id", pl.col("value").alias(name), pl.col("verified").alias(f"{name}:verified")
            )
            frame = frame.join(one, on="enterprise_id", how="left")
            columns.append(pl.col(name).cast(MONEY if fact.type == NUMBER else DTYPES[fact.type]))
            columns.append(pl.col(f"{name}:verified").fill_null(False))
    return frame.select("enterprise_id", *columns) if columns else frame.select("enterprise_id")


def _tags(names: set[str], enterprise_ids) -> pl.DataFrame:
    schema = {"enterprise_id": pl.Int64, "tag": pl.String}
    if not names:
        return pl.DataFrame(schema=schema)
    through = Enterprise.tags.through._meta.db_table
    where, params = _ids_clause("et.enterprise_id", enterprise_ids)
    names = sorted(names)
    rows = _query(
        f"SELECT et.enterprise_id, t.name FROM {through} et JOIN {Tag._meta.db_table} t ON t.id = et.tag_id "
        f"WHERE t.name IN ({', '.join(['%s'] * len(names))}){where}",
        names + params,
    )
    return pl.DataFrame(rows, schema=schema, orient="row")


def _pilots(enterprise_ids) -> pl.DataFrame:
    """Current pilots of city programmes, one row per enterprise (the latest if several)."""
    from zhuqi.programs.models import Pilot, Programme

    schema = {
        "enterprise_id": pl.Int64,
        "current": pl.Boolean,
        "honorary": pl.Boolean,
        "commitment_years": pl.Int64,
        "start_year": pl.Int64,
    }
    rows = Pilot.objects.filter(state__in=Pilot.CURRENT_STATES, programme__level=Programme.Level.CITY)
    if enterprise_ids is not None:
        rows = rows.filter(**ids_lookup(enterprise_ids))
    found = {}
    for e, honorary, years, start in rows.order_by("since", "id").values_list(
        "enterprise_id", "honorary", "commitment_years", "start_year"
    ):
        found[e] = (e, True, honorary, years, start)
    return pl.DataFrame(list(found.values()), schema=schema, orient="row")


BEST_ORDER = "verified DESC, CASE source WHEN 'tax' THEN 0 WHEN 'stats' THEN 1 ELSE 2 END, period_no, id"  # figures.best_values: verified first, then tax bureau › statistics bureau › self-reported


def _indicators(needed: set[tuple[str, int]], enterprise_ids) -> pl.DataFrame:
    """The best annual value of each (indicator, year) needed (figures.best_values' choice, made in
    SQL), as rows (enterprise_id, key `indicator@year`, value, verified). PostgreSQL streams them with
    COPY … TO STDOUT into Polars (on the same connection, so inside the caller's transaction); SQLite
    picks with a window function."""
    schema = {"enterprise_id": pl.Int64, "key": pl.String, "value": MONEY, "verified": pl.Boolean}
    if not needed:
        return pl.DataFrame(schema=schema)
    pairs = sorted(needed)
    where, params = _ids_clause("enterprise_id", enterprise_ids)
    wanted = " OR ".join(["(indicator = %s AND year = %s)"] * len(pairs))
    params = [x for pair in pairs for x in pair] + params
    table = IndicatorValue._meta.db_table
    chosen = f"FROM {table} WHERE period_type = 'year' AND ({wanted}){where}"
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT DISTINCT ON (enterprise_id, year, indicator) enterprise_id, "
            f"indicator || '@' || year AS key, value, verified::int AS verified {chosen} "
            f"ORDER BY enterprise_id, year, indicator, {BEST_ORDER}"
        )
        return _copy_frame(sql, params, schema)
    rows = _query(
        f"SELECT enterprise_id, key, value, verified FROM (SELECT enterprise_id, "
        f"indicator || '@' || year AS key, value, verified, ROW_NUMBER() OVER (PARTITION BY enterprise_id, "
        f"year, indicator ORDER BY {BEST_ORDER}) AS n {chosen}) WHERE n = 1",
        params,
    )
    return pl.DataFrame([(e, k, _exact(v), bool(ok)) for e, k, v, ok in rows], schema=schema, orient="row")


def _copy_frame(sql: str, params: list, schema: dict) -> pl.DataFrame:
    """A query's rows as a frame through `COPY (…) TO STDOUT (FORMAT csv)` (PostgreSQL): the values
    travel as text and Polars parses them, with no Python object per value. Booleans must be selected
    as integers (0/1)."""
    # psycopg's own cursor: Django's debug wrapper (active under DEBUG and while queries are counted)
    # takes no parameters for copy() and failed every page that read facts this way.
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params or None) as copy,
    ):
        data = b"".join(bytes(block) for block in copy)
    read = {k: pl.Int8 if v == pl.Boolean else v for k, v in schema.items()}
    if not data:
        return pl.DataFrame(schema=schema)
    frame = pl.read_csv(data, has_header=False, new_columns=list(schema), schema=read)
    return frame.with_columns(pl.col(k).cast(pl.Boolean) for k, v in schema.items() if v == pl.Boolean)


def _exact(value) -> Decimal:
    """An indicator value as exact Decimal yuan. PostgreSQL returns Decimal; SQLite keeps NUMERIC
    as REAL, and its 15 significant digits are the stored value (as Django's own converter reads it)."""
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(FEN)
    return Decimal(value).quantize(FEN)


def for_enterprise(
    packs: Iterable[Pack], year: int, enterprise_id: int, *, day=None
) -> tuple[dict, set[str]]:
    """One enterprise's facts as a dict, and the names of the indicator facts that are unverified."""
    frame = build(packs, year, [enterprise_id], day=day)
    if frame.is_empty():
        return {}, set()
    row = frame.row(0, named=True)
    unverified = {k.split(":")[0] for k, v in row.items() if k.endswith(":verified") and not v}
    return {k: v for k, v in row.items() if ":" not in k and k != "enterprise_id"}, unverified
