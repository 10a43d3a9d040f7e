"""The bench's clauses written by hand in plain Polars (bench/rules_batch.py times them beside the
engine): what a person would write for the doubling pack without the rules engine.

Each clause of dongguan_doubling.yaml is a function of `p` (its copy's parameters at the period, as
floats: copy k of a clause reads `<name>.v<k>`) returning its condition and its amount as Polars
expressions over the facts. Numbers are Float64 yuan (the facts' Decimal columns cast once), not
rounded; a missing fact is null and stays null, as in the engine: `&`/`|` are Kleene's in Polars,
a cap is `clip` (a null stays null), and the minimum of columns that may be missing is `least`
(pl.min_horizontal skips nulls, the engine does not). Only the shared derived value `pilot` is a
column of its own, as anyone would write it; everything else is left to Polars' optimiser.
"""

import polars as pl

HALF_FEN = 0.005  # yuan: an amount below it rounds to 0 fen, which the engine does not grant

c = pl.col


def least(*values: pl.Expr) -> pl.Expr:
    """min() of columns, missing when any is (pl.min_horizontal would skip a missing one)."""
    return pl.when(pl.all_horizontal(v.is_not_null() for v in values)).then(pl.min_horizontal(*values))


def choose(condition: pl.Expr, then, otherwise) -> pl.Expr:
    """if(condition, then, otherwise), missing when the condition is."""
    return pl.when(condition.is_null()).then(None).when(condition).then(then).otherwise(otherwise)


def nothing():
    return pl.lit(False), pl.lit(None, dtype=pl.Float64)


def consulting(p, year):  # DB-3-2
    return c.pilot, (c.consulting_fees * p("consulting.rate")).clip(
        upper_bound=p("consulting.annual_cap") - c.granted_this_year
    ).clip(lower_bound=0)


def _package_base(p):
    return c.city_tax_retained_2016 if p("package.growth_against_2016") == 1 else c.city_tax_retained_base


def _package(p, year, years):  # DB-3-3-3Y, DB-3-3-5Y
    if year > p(f"package.{years}y.last_year"):
        return nothing()
    base = _package_base(p)
    condition = c.pilot & (c.doubling_commitment_years == years) & (c.city_tax_retained > base)
    growth = (c.city_tax_retained - base).clip(lower_bound=0) * p(f"package.{years}y.rate")
    return condition, least(c.service_fees_paid * p("package.fee_rate"), growth).clip(
        upper_bound=p(f"package.{years}y.cap")
    )


def _package_early(p, year, years):  # DB-3-3-3Y-EARLY, DB-3-3-5Y-EARLY
    last = p(f"package.{years}y.last_year")
    if year > last:
        return nothing()
    condition = c.pilot & (c.doubling_commitment_years == years) & c.doubled_early
    total = pl.lit(0.0)
    for y in range(2017, int(min(year, last)) + 1):
        base = (
            c.city_tax_retained_2016
            if p("package.growth_against_2016") == 1 or y == 2017
            else c(f"city_tax_retained_{y - 1}")
        )
        growth = (c(f"city_tax_retained_{y}") - base).clip(lower_bound=0) * p(f"package.{years}y.rate")
        total = total + least(c(f"service_fees_{y}") * p("package.fee_rate"), growth).clip(
            upper_bound=p(f"package.{years}y.cap")
        )
    return condition, (total - c.package_granted_total).clip(lower_bound=0)


def capped_share(fact: str, rate: str, cap: str, *also: str):
    def clause(p, year):
        condition = c.pilot
        for name in also:
            condition = condition & c(name)
        return condition, (c(fact) * p(rate)).clip(upper_bound=p(cap))

    return clause


def voucher(p, year):  # DB-3-6
    return c.pilot, c.voucher_services.clip(upper_bound=p("voucher.annual_cap") - c.granted_this_year).clip(
        lower_bound=0
    )


def provider(p, year):  # DB-3-7-PROVIDER
    kind = c.partner_project_type
    condition = c.partner_project_funded & kind.is_in(["示范", "智能化改造", "自动化改造"])
    rate = (
        pl.when(kind == "示范")
        .then(p("smart.provider.demo.rate"))
        .when(kind == "智能化改造")
        .then(p("smart.provider.upgrade.rate"))
        .otherwise(p("smart.provider.automation.rate"))
    )
    return condition, c.equipment_technology_investment * rate


def award(parameter: str, *also: str):
    def clause(p, year):
        condition = c.pilot
        for name in also:
            condition = condition & c(name)
        return condition, pl.lit(p(parameter))

    return clause


def informatisation(p, year):  # DB-3-8-INFO
    share = c.informatisation_investment * p("informatisation.rate")
    return c.pilot, share.clip(upper_bound=p("informatisation.annual_cap") - c.granted_this_year).clip(
        lower_bound=0
    )


def neeq(p, year):  # DB-3-16-NEEQ
    return c.pilot & (c.listing == "neeq"), pl.lit(p("neeq.award"))


def merger_loan(p, year):  # DB-3-14-LOAN
    years = c.subsidy_year_number
    condition = c.pilot & c.headquartered_locally & (years >= 1) & (years <= p("merger_loan.max_years"))
    rate, uplift = p("merger_loan.rate"), p("merger_loan.local_uplift")
    local_rate = rate + uplift if p("merger_loan.uplift_in_points") == 1 else rate * (1 + uplift)
    local = c.target_is_local
    share = c.interest_paid * choose(local, local_rate, rate)
    cap = p("merger_loan.annual_cap") * choose(local, 1 + uplift, 1.0) - c.granted_this_year
    return condition, least(share, cap).clip(lower_bound=0)


def lease(p, year):  # DB-3-17
    years = c.contract_year_number
    condition = c.pilot & (years >= 1) & (years <= p("lease.max_years"))
    amount = least(
        c.financed_amount.clip(upper_bound=p("lease.financed_cap")) * p("lease.rate"),
        c.lease_interest_paid,
        p("lease.annual_cap") - c.granted_this_year,
        p("lease.contract_cap") - c.contract_granted_total,
    )
    return condition, amount.clip(lower_bound=0)


def _tier(p, prefix: str, below_third=0.0):
    revenue = c.main_revenue_prev
    return (
        pl.when(revenue >= p("tier.1"))
        .then(p(f"{prefix}.1"))
        .when(revenue >= p("tier.2"))
        .then(p(f"{prefix}.2"))
        .when(revenue >= p("tier.3"))
        .then(p(f"{prefix}.3"))
        .otherwise(below_third)
    )


def places(prefix: str):  # DB-3-19-PLACES, DB-3-20-SCHOOL
    def clause(p, year):
        return c.pilot & (c.main_revenue_prev >= p("tier.3")), _tier(p, prefix)

    return clause


def key_staff_reward(p, year):  # DB-3-19-REWARD
    staff = c.key_staff_count
    condition = (
        c.pilot
        & (c.main_revenue_prev >= p("tier.3"))
        & (staff >= 1)
        & (staff <= _tier(p, "key_staff_places", p("key_staff_places.3")))
        & (c.housing_person_months <= staff * p("key_staff.months_per_year"))
    )
    amount = c.key_staff_city_iit * p("key_staff.iit_rate") + c.housing_person_months * p(
        "key_staff.housing_monthly"
    )
    return condition, amount


def talent(p, year):  # DB-3-18
    taxpayers = c.taxpayer_talents
    condition = c.pilot & ((taxpayers == 0) | (c.taxpayer_lowest_tax_paid >= p("talent.tax_threshold")))
    amount = (
        c.junior_talents * p("talent.junior")
        + c.middle_talents * p("talent.middle")
        + c.senior_talents * p("talent.senior")
        + taxpayers * p("talent.taxpayer")
    )
    return condition, amount


def innovative_rd(p, year):  # INNOV-RD
    rd = c.rd_expense_deductible_prev
    return c.innovative_enterprise & (rd > 0), rd * p("rd.rate") * choose(c.pilot, p("pilot.factor"), 1.0)


CLAUSES = {
    "DB-3-2": consulting,
    "DB-3-3-3Y": lambda p, year: _package(p, year, 3),
    "DB-3-3-5Y": lambda p, year: _package(p, year, 5),
    "DB-3-3-3Y-EARLY": lambda p, year: _package_early(p, year, 3),
    "DB-3-3-5Y-EARLY": lambda p, year: _package_early(p, year, 5),
    "DB-3-5": capped_share("project_total_investment", "major_project.rate", "major_project.cap"),
    "DB-3-6": voucher,
    "DB-3-7-DEMO": capped_share("equipment_technology_investment", "smart.demo.rate", "smart.demo.cap"),
    "DB-3-7-UPGRADE": capped_share(
        "equipment_technology_investment", "smart.upgrade.rate", "smart.upgrade.cap"
    ),
    "DB-3-7-AUTOMATION": capped_share(
        "equipment_technology_investment", "smart.automation.rate", "smart.automation.cap"
    ),
    "DB-3-7-PROVIDER": provider,
    "DB-3-8-2H": award("two_h.award", "has_2h_certification"),
    "DB-3-8-INFO": informatisation,
    "DB-3-8-INTERNET": capped_share("project_total_investment", "internet_plus.rate", "internet_plus.cap"),
    "DB-3-14-STAMP": capped_share(
        "stamp_duty_paid", "stamp_duty.rate", "stamp_duty.cap", "headquartered_locally"
    ),
    "DB-3-14-LOAN": merger_loan,
    "DB-3-16-LISTING": award("listing.award", "listing_application_accepted"),
    "DB-3-16-NEEQ": neeq,
    "DB-3-17": lease,
    "DB-3-19-PLACES": places("key_staff_places"),
    "DB-3-19-REWARD": key_staff_reward,
    "DB-3-20-SCHOOL": places("school_places"),
    "DB-3-18": talent,
    "INNOV-RD": innovative_rd,
}


def outputs(code: str) -> list[pl.Expr]:
    """Eligible where the condition holds and the amount does not round to 0 fen (a missing amount
    is eligible: the enterprise gives it when applying); the amount where eligible."""
    condition, amount = c(f"{code}:condition"), c(f"{code}:raw")
    eligible = condition.fill_null(False) & (amount.is_null() | (amount >= HALF_FEN))
    return [eligible.alias(f"{code}:eligible"), pl.when(eligible).then(amount).alias(f"{code}:amount")]


def evaluate(
    facts: pl.DataFrame, clauses: list[tuple[str, str, str]], parameters: dict, year: int
) -> pl.DataFrame:
    """`clauses`: (code, the pack's clause it copies, the suffix of its copy's parameters: "" or
    ".v<k>"); `parameters`: every parameter at the period, {pack name: float}. Every clause's
    `<code>:eligible` and `<code>:amount` (Float64 yuan, null when none)."""
    numbers = [n for n, d in facts.schema.items() if isinstance(d, pl.Decimal)]
    little_giant = parameters["equivalence.little_giant_as_pilot"] == 1
    table = (
        facts.lazy()
        .with_columns(c(numbers).cast(pl.Float64))
        .with_columns(
            c.granted_this_year.fill_null(0.0),
            (c.is_pilot | (c.little_giant_national & little_giant)).alias("pilot"),
        )
    )
    columns = []
    for code, base, suffix in clauses:
        condition, amount = CLAUSES[base](lambda name, suffix=suffix: parameters[name + suffix], year)
        columns += [condition.alias(f"{code}:condition"), amount.alias(f"{code}:raw")]
    return table.with_columns(columns).select(x for code, _b, _s in clauses for x in outputs(code)).collect()
