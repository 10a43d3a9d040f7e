"""Growth monitoring of pilots (成长监测, seed 000 四(四) and 一): each pilot's main revenue and tax
against its base year, the path that doubles them within its commitment, ahead or behind.

Readings (README, "Growth monitoring and the annual evaluation"):
- A pilot's base year is the year before its first year (2016 for the 2017 pilots, as 一 says:
  「以企业2016年度的数据为基础」); a replacement or a pilot re-entering after doubling counts from the
  year before it joined.
- The doubling path: growing at the steady rate that doubles in the commitment's years, 2^(1/3) − 1
  (about 25.99 %) a year for 3 years or 2^(1/5) − 1 (about 14.87 %) for 5, a pilot needs after t years
  a ratio to its base of 2^(t/n). It is on its path when main revenue **or** tax has reached that
  ratio (四(四): 「保持营收或税收倍增趋势的,继续享受试点企业待遇」); it has doubled when main revenue
  has at least doubled (一: 「主营业务收入至少翻一倍」). Both pinned by tests.
- The comparison is exact: in whole fen, (value / base)^n ≥ 2^t is value^n ≥ 2^t · base^n in integers.
- The figures used are the directory's (verified first, then 税务局 › 统计局 › 企业自报), annual.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from zhuqi.directory.figures import SOURCE_RANK
from zhuqi.directory.models import IndicatorValue, PeriodType

REVENUE, TAX = "main_revenue", "tax_paid"
# The auxiliary indicators of 一 (单位用地面积贡献、资产、出口、工业增加值) the programme table shows.
AUXILIARY = ("exports", "added_value", "land_area")
FOUR = Decimal("0.0001")


@lru_cache(maxsize=256)
def yearly_rate(commitment_years: int) -> Decimal:
    """The yearly growth that doubles in `commitment_years`: 2^(1/n) − 1, to four places."""
    return (Decimal(2) ** (Decimal(1) / Decimal(commitment_years)) - 1).quantize(FOUR, ROUND_HALF_UP)


@lru_cache(maxsize=256)
def needed_ratio(years: int, commitment_years: int) -> Decimal:
    """Where the doubling path stands after `years`: 2^(years/n), to four places (for display; the
    test itself is exact, `reached`)."""
    return (Decimal(2) ** (Decimal(years) / Decimal(commitment_years))).quantize(FOUR, ROUND_HALF_UP)


def _fen(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def reached(value: Decimal | None, base: Decimal | None, years: int, commitment_years: int) -> bool | None:
    """value / base ≥ 2^(years / n), exactly; None when a figure is missing or the base is not positive."""
    if value is None or base is None or base <= 0:
        return None
    if years <= 0:
        return value >= base
    return _fen(value) ** commitment_years >= 2**years * _fen(base) ** commitment_years


def ratio(value: Decimal | None, base: Decimal | None) -> Decimal | None:
    if value is None or base is None or base <= 0:
        return None
    return (value / base).quantize(FOUR, ROUND_HALF_UP)


def base_year_of(pilot) -> int:
    return pilot.start_year - 1


@dataclass
class Standing:
    """Where one pilot stands in one year."""

    base_year: int
    year: int
    years: int
    commitment_years: int
    base_revenue: Decimal | None
    revenue: Decimal | None
    base_tax: Decimal | None
    tax: Decimal | None

    @property
    def revenue_ratio(self):
        return ratio(self.revenue, self.base_revenue)

    @property
    def tax_ratio(self):
        return ratio(self.tax, self.base_tax)

    @property
    def needed(self) -> Decimal:
        return needed_ratio(self.years, self.commitment_years)

    @property
    def revenue_on_path(self):
        return reached(self.revenue, self.base_revenue, self.years, self.commitment_years)

    @property
    def tax_on_path(self):
        return reached(self.tax, self.base_tax, self.years, self.commitment_years)

    @property
    def on_path(self) -> bool | None:
        """Main revenue or tax on its path; None when neither can be judged."""
        flags = (self.revenue_on_path, self.tax_on_path)
        if True in flags:
            return True
        if flags == (None, None):
            return None
        return False

    @property
    def doubled(self) -> bool:
        return bool(self.revenue is not None and self.base_revenue and self.revenue >= 2 * self.base_revenue)


def annual_values(enterprise_ids, years, indicators=(REVENUE, TAX)) -> dict[tuple[int, str, int], Decimal]:
    """{(enterprise, indicator, year): value} with the directory's precedence (verified first, then
    税务局 › 统计局 › 企业自报), read in one query."""
    best: dict[tuple[int, str, int], tuple] = {}
    rows = IndicatorValue.objects.filter(
        enterprise_id__in=list(enterprise_ids),
        period_type=PeriodType.YEAR,
        year__in=list(years),
        indicator__in=list(indicators),
    ).values_list("enterprise_id", "indicator", "year", "value", "source", "verified")
    for enterprise_id, indicator, year, value, source, verified in rows:
        key = (enterprise_id, indicator, year)
        rank = (not verified, SOURCE_RANK.get(source, 9))
        held = best.get(key)
        if held is None or rank < held[0]:
            best[key] = (rank, value)
    return {key: value for key, (_rank, value) in best.items()}


def standing(pilot, year: int, values: dict) -> Standing:
    base = base_year_of(pilot)
    e = pilot.enterprise_id
    return Standing(
        base_year=base,
        year=year,
        years=year - base,
        commitment_years=pilot.commitment_years,
        base_revenue=values.get((e, REVENUE, base)),
        revenue=values.get((e, REVENUE, year)),
        base_tax=values.get((e, TAX, base)),
        tax=values.get((e, TAX, year)),
    )


def path_series(pilot, last_year: int, values: dict) -> list[dict]:
    """Per year from the base to `last_year`: main revenue and tax, their ratio to the base, and the
    path's ratio — what the pilot's chart draws."""
    rows = []
    for year in range(base_year_of(pilot), last_year + 1):
        s = standing(pilot, year, values)
        rows.append(
            {
                "year": year,
                "revenue": s.revenue,
                "tax": s.tax,
                "revenue_ratio": s.revenue_ratio,
                "tax_ratio": s.tax_ratio,
                "needed": s.needed,
                "on_path": s.on_path,
            }
        )
    return rows


SERIES = (REVENUE, TAX)


def progress_rows(pilots, year: int) -> list[dict]:
    """The programme table (四(四), 一): per pilot, main revenue and tax against its base, the path's
    ratio, ahead or behind, and the auxiliary indicators of `year` — land productivity (main revenue
    per mu), total assets (from its whole-year report), exports and industrial added value. Two
    queries for any number of pilots."""
    from zhuqi.programs.evaluation_models import ReportingTask

    if not pilots:
        return []
    ids = [p.enterprise_id for p in pilots]
    years = {base_year_of(p) for p in pilots} | {year}
    values = annual_values(ids, years, SERIES + AUXILIARY)
    assets = dict(
        ReportingTask.objects.filter(pilot__in=pilots, year=year, half=2, state="submitted").values_list(
            "pilot_id", "figures__total_assets"
        )
    )
    rows = []
    for pilot in pilots:
        s = standing(pilot, year, values)
        e = pilot.enterprise_id
        land = values.get((e, "land_area", year))
        rows.append(
            {
                "pilot": pilot,
                "standing": s,
                "exports": values.get((e, "exports", year)),
                "added_value": values.get((e, "added_value", year)),
                "land_productivity": (s.revenue / land).quantize(FOUR) if s.revenue and land else None,
                "assets": Decimal(assets[pilot.pk]) if assets.get(pilot.pk) else None,
            }
        )
    return rows
