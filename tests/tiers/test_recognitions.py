from datetime import date

import pytest

from tests.factories import EnterpriseFactory, RecognitionFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.core.errors import Forbidden, ZhuqiError
from zhuqi.core.models import AuditEvent
from zhuqi.tiers import services, warnings
from zhuqi.tiers.models import Recognition

pytestmark = pytest.mark.django_db


def test_recognition_keeps_history_and_default_expiry_is_three_years():
    enterprise = EnterpriseFactory()
    office = UserFactory(role=Role.COORDINATOR)
    first = services.recognition_record(
        enterprise=enterprise,
        tier="specialised",
        level="provincial",
        document="粤工信〔2022〕1号",
        recognised_on=date(2022, 12, 1),
        acting_user=office,
    )
    assert first.expires_on == date(2025, 11, 30)
    services.recognition_record(
        enterprise=enterprise,
        tier="specialised",
        level="provincial",
        document="粤工信〔2025〕9号",
        recognised_on=date(2025, 11, 20),
        acting_user=office,
    )
    assert Recognition.objects.filter(enterprise=enterprise).count() == 2
    assert list(Recognition.objects.in_force(date(2026, 1, 1)).values_list("document", flat=True)) == [
        "粤工信〔2025〕9号"
    ]
    assert AuditEvent.objects.filter(verb="tier_recognition_record").count() == 2


def test_only_the_office_records_and_levels_are_checked():
    enterprise = EnterpriseFactory()
    with pytest.raises(Forbidden):
        services.recognition_record(
            enterprise=enterprise,
            tier="innovative",
            level="provincial",
            document="x",
            recognised_on=date(2025, 1, 1),
            acting_user=UserFactory(role=Role.LEADER),
        )
    with pytest.raises(ZhuqiError):
        services.recognition_record(
            enterprise=enterprise,
            tier="little_giant",
            level="provincial",
            document="x",
            recognised_on=date(2025, 1, 1),
        )
    assert not Recognition.objects.exists()


def test_expiry_within_six_months_is_found_once_and_not_after_renewal():
    today = date(2026, 12, 6)
    soon = RecognitionFactory(recognised_on=date(2023, 6, 1), expires_on=date(2027, 5, 31))
    RecognitionFactory(recognised_on=date(2024, 12, 1), expires_on=date(2027, 11, 30))  # far
    edge = RecognitionFactory(recognised_on=date(2023, 6, 7), expires_on=date(2027, 6, 6))  # exactly 6 months
    beyond = RecognitionFactory(recognised_on=date(2023, 6, 8), expires_on=date(2027, 6, 7))
    found = {f.subject_id: f for f in warnings.provider(today)}
    assert set(found) == {soon.pk, edge.pk}
    assert beyond.pk not in found
    assert found[soon.pk].kind == "tier_expiry" and found[soon.pk].level == "blue"
    RecognitionFactory(
        enterprise=soon.enterprise, recognised_on=date(2026, 11, 1), expires_on=date(2029, 10, 31)
    )
    assert soon.pk not in {f.subject_id for f in warnings.provider(today)}


def test_tier_expiry_kind_is_registered():
    from zhuqi.core import findings

    assert "tier_expiry" in findings.kinds()
