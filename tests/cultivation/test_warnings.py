"""The 降规 warning (seed 002 (四)14): kind drop_out_risk, one finding per enterprise and year,
addressed to the town and the helper."""

from datetime import date

import pytest

from tests.cultivation.helpers import firm
from tests.factories import TownFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.core import findings
from zhuqi.cultivation import services, warnings
from zhuqi.cultivation.models import Membership, PoolKind


def test_the_kind_is_registered():
    kind = findings.kinds()["drop_out_risk"]
    assert kind.provider is warnings.provider and str(kind.label)


@pytest.mark.django_db
def test_one_finding_per_enterprise_and_year_to_the_town_and_helper():
    town = TownFactory(code="a")
    office = UserFactory(role=Role.COORDINATOR)
    helper = UserFactory(role=Role.TOWN_OFFICER, town=town)
    # below the threshold AND fallen beyond 20 %: still one finding
    both = firm(town, run_rate=15_000_000, above_scale=True, last_year=30_000_000)
    fall = firm(town, run_rate=30_000_000, above_scale=True, last_year=40_000_000)
    firm(town, run_rate=30_000_000, above_scale=True, last_year=31_000_000)  # steady
    firm(town, run_rate=15_000_000)  # not 规上: not a drop
    services.upscale_refresh(year=2026, acting_user=office, today=date(2026, 10, 1))
    member = Membership.objects.get(kind=PoolKind.DROP, enterprise=both)
    services.membership_assign(membership=member, acting_user=office, helper=helper)
    today = date(2026, 10, 15)
    found = list(warnings.provider(today))
    assert sorted(f.subject_id for f in found) == sorted([both.pk, fall.pk])
    keys = [(f.kind, f.subject_type, f.subject_id, f.period) for f in found]
    assert len(keys) == len(set(keys)) and {f.period for f in found} == {"2026"}
    first = next(f for f in found if f.subject_id == both.pk)
    assert first.level == "red" and first.town_id == town.pk and first.user_ids == (helper.pk,)
    assert (
        both.name in first.text
        and "降规" in first.text
        and first.link == "/cultivation/pools/drop/?year=2026"
    )
    assert next(f for f in found if f.subject_id == fall.pk).level == "yellow"
    # asked again the same year (another day): the same keys, so the centre raises nothing new
    again = [(f.kind, f.subject_type, f.subject_id, f.period) for f in warnings.provider(date(2026, 11, 1))]
    assert sorted(again) == sorted(keys)
