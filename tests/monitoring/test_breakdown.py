"""Seed 003 三(一)2: 「分解到年，按年分解到季，按季分解到月」 — twelve months that sum to the year exactly."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhuqi.core.errors import ZhuqiError
from zhuqi.monitoring import breakdown

from .conftest import SHAPE


@given(
    total=st.decimals(min_value=Decimal("0"), max_value=Decimal("1e15"), places=2, allow_nan=False),
    weights=st.lists(st.integers(min_value=0, max_value=10**9), min_size=12, max_size=12).filter(
        lambda w: sum(w) > 0
    ),
)
@settings(max_examples=300, deadline=None)
def test_split_sums_exactly_and_stays_within_a_fen(total, weights):
    parts = breakdown.split(total, weights)
    assert sum(parts) == total
    assert all(p == p.quantize(breakdown.FEN) for p in parts)
    whole = sum(weights)
    for part, w in zip(parts, weights, strict=True):
        assert abs(part - total * Decimal(w) / Decimal(whole)) < Decimal("0.01")


def test_remainder_goes_to_the_largest_remainders_then_the_earlier_month():
    # 100.00 in thirds: 33.34 + 33.33 + 33.33, the extra fen to the first (ties go to the earlier)
    assert breakdown.split(Decimal("100"), [1, 1, 1]) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    # 1.00 over twelve months: 0.08 × 4 then 0.09? No: 100 fen / 12 = 8 r 4 → the first four get 9 fen.
    months = breakdown.even(Decimal("1.00"))
    assert months[:4] == [Decimal("0.09")] * 4 and months[4:] == [Decimal("0.08")] * 8
    assert breakdown.split(Decimal("100"), [1, 1, 1]) == breakdown.split(Decimal("100"), [1, 1, 1])


def test_seasonal_profile_of_three_years_sums_exactly_to_the_annual_target():
    history = {
        y: {m: Decimal(s * 1_000_003 + y) for m, s in enumerate(SHAPE, start=1)} for y in (2023, 2024, 2025)
    }
    annual = Decimal("12345678901.23")
    months, profiled = breakdown.seasonal(annual, history)
    assert profiled
    assert sum(months) == annual
    # The shape is kept: February (5) is the smallest month, December (11) the largest.
    assert months.index(min(months)) == 1 and months.index(max(months)) == 11
    assert sum(breakdown.quarters_of(months)) == annual


def test_without_history_the_months_are_even():
    months, profiled = breakdown.seasonal(Decimal("1200"), {})
    assert not profiled and months == [Decimal("100.00")] * 12


def test_a_year_with_missing_months_is_not_part_of_the_profile():
    partial = {2025: {m: Decimal(1) for m in range(1, 11)}}
    assert breakdown.seasonal_profile(partial) is None


def test_quarters_by_hand_must_sum_to_the_year():
    months = breakdown.by_quarters(
        Decimal("1000"), [Decimal("100"), Decimal("200"), Decimal("300"), Decimal("400")]
    )
    assert sum(months) == Decimal("1000") and months[:3] == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    with pytest.raises(ZhuqiError) as refused:
        breakdown.by_quarters(Decimal("1000"), [Decimal("100")] * 4)
    assert refused.value.code == "breakdown_sum" and refused.value.status == 422
