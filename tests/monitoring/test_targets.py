from decimal import Decimal

import pytest

from zhuqi.core.errors import Forbidden
from zhuqi.core.models import AuditEvent
from zhuqi.monitoring import actuals, rules, status, targets
from zhuqi.monitoring.models import Method, TargetVersion

from .conftest import SHAPE, monthly

pytestmark = pytest.mark.django_db


def test_seasonal_target_follows_the_previous_three_years_and_sums_exactly(history):
    w = history
    target = targets.target_set(
        acting_user=w.users["coordinator"],
        measure="revenue",
        year=2026,
        town=None,
        annual=Decimal("200000000.07"),
    )
    months = [m.amount for m in target.months.all()]
    assert target.method == Method.SEASONAL
    assert sum(months) == Decimal("200000000.07")
    total = sum(SHAPE)
    for amount, share in zip(months, SHAPE, strict=True):
        assert abs(amount - Decimal("200000000.07") * share / total) < Decimal("0.01")


def test_every_change_is_a_version_and_audited(history):
    w = history
    user = w.users["coordinator"]
    targets.target_set(acting_user=user, measure="revenue", year=2026, town=None, annual=Decimal(1200))
    target = targets.target_set(
        acting_user=user, measure="revenue", year=2026, town=None, annual=Decimal(2400), method=Method.EVEN
    )
    assert target.version == 2
    assert [v.annual for v in TargetVersion.objects.filter(target=target)] == [Decimal(2400), Decimal(1200)]
    assert [m.amount for m in target.months.all()] == [Decimal(200)] * 12
    assert AuditEvent.objects.filter(verb="target_set", object_id=str(target.pk)).count() == 2


def test_a_town_sets_its_own_targets_only(world):
    officer = world.users["town_a"]
    town_a, town_b = world.towns
    targets.target_set(acting_user=officer, measure="tax_paid", year=2026, town=town_a, annual=Decimal(100))
    for town in (town_b, None):
        with pytest.raises(Forbidden):
            targets.target_set(
                acting_user=officer, measure="tax_paid", year=2026, town=town, annual=Decimal(100)
            )
    with pytest.raises(Forbidden):
        targets.target_set(
            acting_user=world.users["city_handler"], measure="tax_paid", year=2026, town=None, annual=1
        )


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        ("1.00", "green"),
        ("1.2", "green"),
        ("0.99", "yellow"),
        ("0.95", "yellow"),
        ("0.9499", "red"),
        ("0", "red"),
    ],
)
def test_colour_follows_the_default_thresholds(ratio, expected):
    assert status.colour(Decimal(ratio) * 1000, Decimal(1000), Decimal("1.00"), Decimal("0.95")) == expected


def test_colours_follow_the_thresholds_the_office_sets(history):
    w = history
    monthly(w.a, "revenue", 2026, [1_000_000] * 3)  # 2026 to March: 3,000,000
    actuals.refresh([2026])
    target = targets.target_set(
        acting_user=w.users["coordinator"],
        measure="revenue",
        year=2026,
        town=w.towns[0],
        annual=Decimal(12_000_000 * 1.1),
        method=Method.EVEN,
    )
    p = status.progress(target)
    assert (
        p.through == 3
        and p.target_to_date == Decimal("3300000.00")
        and p.actual_to_date == Decimal(3_000_000)
    )
    assert p.gap == Decimal("-300000.00") and p.ahead is False
    assert p.colour == "red"  # 90.9 % < 95 %
    rule = rules.rule("target_missed")
    rule.thresholds = {"green": "1.00", "yellow": "0.90"}
    rule.save()
    assert status.progress(target).colour == "yellow"
    rule.thresholds = {"green": "0.90", "yellow": "0.80"}
    rule.save()
    assert status.progress(target).colour == "green"


def test_actuals_take_the_best_value_of_each_month(world):
    # Self-reported 9 and the statistics bureau's 5 for January: 5 is used; a verified self value wins.
    monthly(world.a, "revenue", 2026, [9], source="self")
    monthly(world.a, "revenue", 2026, [5], source="stats")
    monthly(world.a, "revenue", 2026, [0, 0, 0], source="tax")
    monthly(world.b, "revenue", 2026, [0, 7], source="self", verified=True)
    monthly(world.b, "revenue", 2026, [0, 4], source="tax")
    actuals.refresh([2026])
    assert actuals.monthly("revenue", 2026, world.a.town_id) == {1: Decimal(0), 2: Decimal(0), 3: Decimal(0)}
    assert actuals.monthly("revenue", 2026, world.b.town_id)[2] == Decimal(7)


def test_unmeasurable_targets_say_so(world):
    target = targets.target_set(
        acting_user=world.users["coordinator"], measure="procurement_reserve", year=2026, town=None, annual=40
    )
    p = status.progress(target)
    assert not p.measurable and p.why_not and target.months.count() == 0


def test_level_measures_count_the_above_scale_enterprises_and_their_rd_coverage(world):
    """规上 count and R&D coverage (this year's, else last year's), read in one pass over the tagged."""
    from tests.factories import EnterpriseFactory, IndicatorValueFactory
    from zhuqi.directory.models import Tag

    assert status.level_value("rd_coverage", 2026, None) == (None, None)  # nobody tagged: no coverage
    tag = Tag.objects.create(name="规上企业")
    tagged = [world.a, world.b, *(EnterpriseFactory(town=world.a.town) for _ in range(2))]
    for e in tagged:
        e.tags.add(tag)
    EnterpriseFactory(town=world.a.town)  # not 规上: counted nowhere
    assert status.level_value("above_scale_count", 2026, None) == (Decimal(4), 2026)
    assert status.level_value("above_scale_count", 2026, world.b.town_id) == (Decimal(1), 2026)
    assert status.level_value("rd_coverage", 2026, None) == (None, None)  # 规上 but no R&D at all
    for e in tagged[:3]:
        IndicatorValueFactory(enterprise=e, indicator="rd_expense", year=2025, value=10)
    IndicatorValueFactory(
        enterprise=tagged[3], indicator="rd_expense", year=2025, value=0
    )  # zero: not covered
    assert status.level_value("rd_coverage", 2026, None) == (Decimal("75.00"), 2025)  # last year's
    IndicatorValueFactory(enterprise=world.a, indicator="rd_expense", year=2026, value=5)
    assert status.level_value("rd_coverage", 2026, None) == (Decimal("25.00"), 2026)  # this year's first
    assert status.level_value("rd_coverage", 2026, world.a.town_id) == (Decimal("33.33"), 2026)
