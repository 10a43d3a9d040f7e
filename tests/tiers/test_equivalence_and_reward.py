"""seed 001 三（一）: a 国家级“小巨人” counts as a doubling pilot for the clauses reserved to pilots (a rule of
the pack, read from tiers.Recognition); 二（二）: the 专精特新 reward is offered without application when a
tier is first recognised, once."""

from datetime import date

import pytest

from tests.factories import EnterpriseFactory, RecognitionFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.policies import grants, matching, packs
from zhuqi.policies.models import Clause, GrantOffer
from zhuqi.tiers import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def installed(db):
    packs.install_shipped()


def test_a_little_giant_qualifies_for_the_clauses_reserved_to_pilots(installed):
    giant, plain, provincial = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    RecognitionFactory(
        enterprise=giant,
        tier="little_giant",
        level="national",
        recognised_on=date(2018, 3, 1),
        expires_on=date(2021, 2, 28),
    )
    RecognitionFactory(
        enterprise=provincial,
        tier="specialised",
        level="provincial",
        recognised_on=date(2018, 3, 1),
        expires_on=date(2021, 2, 28),
    )
    clause = Clause.objects.get(code="DB-3-2")  # 咨询服务费用事后补助: condition `pilot`
    assert matching.explain_one(giant.pk, clause, 2019, {"consulting_fees": 1000000}).eligible
    assert matching.explain_one(giant.pk, clause, 2019, {"consulting_fees": 1000000}).derived == {
        "pilot": True
    }
    assert not matching.explain_one(plain.pk, clause, 2019, {"consulting_fees": 1000000}).eligible
    assert not matching.explain_one(provincial.pk, clause, 2019, {"consulting_fees": 1000000}).eligible
    # the batch run agrees
    frame = matching.evaluate(date(2019, 12, 31)).frame
    eligible = dict(zip(frame["enterprise_id"], frame["DB-3-14-STAMP:unknown"], strict=True))
    assert (
        eligible[giant.pk] is True and eligible[plain.pk] is False
    )  # pilot: undecided only for want of 总部在本市


def test_the_reward_is_offered_once_when_a_tier_is_first_recognised(installed):
    enterprise = EnterpriseFactory()
    office = UserFactory(role=Role.COORDINATOR)
    services.recognition_record(
        enterprise=enterprise,
        tier="specialised",
        level="provincial",
        document="粤工信融资函〔2025〕12号",
        recognised_on=date(2025, 11, 20),
        acting_user=office,
    )
    offers = GrantOffer.objects.filter(enterprise=enterprise)
    assert [(o.clause.code, o.year, o.amount) for o in offers] == [("ZJTX-REWARD-PROVINCIAL", 2025, 200000)]
    # the year's offer run again, and next year's: nothing more
    grants.offers_run(period=date(2025, 12, 31))
    grants.offers_run(period=date(2026, 12, 31))
    # a renewal three years later is no new recognition
    services.recognition_record(
        enterprise=enterprise,
        tier="specialised",
        level="provincial",
        document="粤工信融资函〔2028〕3号",
        recognised_on=date(2028, 11, 1),
        acting_user=office,
    )
    grants.offers_run(period=date(2028, 12, 31))
    assert GrantOffer.objects.filter(enterprise=enterprise).count() == 1


def test_the_talent_reward_reads_the_tier_recognitions_not_the_tags(installed):
    """东府办〔2022〕63号: the talents of a 国家级“小巨人” or a 省级专精特新 enterprise are in the reward's scope
    directly; the pack reads tiers.Recognition (in force), not the directory's 专精特新 tags."""
    from tests.cultivation.helpers import tag

    giant, provincial, tagged, lapsed = (EnterpriseFactory() for _ in range(4))
    RecognitionFactory(
        enterprise=giant, tier="little_giant", level="national", recognised_on=date(2022, 7, 1)
    )
    RecognitionFactory(
        enterprise=provincial, tier="specialised", level="provincial", recognised_on=date(2022, 7, 1)
    )
    RecognitionFactory(
        enterprise=lapsed,
        tier="specialised",
        level="provincial",
        recognised_on=date(2019, 7, 1),
        expires_on=date(2022, 6, 30),
    )
    for name in ("专精特新", "专精特新小巨人", "省级专精特新中小企业"):
        tag(tagged, name)
    clause = Clause.objects.get(code="TALENT-CONTRIBUTION")
    inputs = {"unit_qualifies": False, "talent_role_qualifies": True, "contribution_award_assessed": 200000}
    found = {e: matching.explain_one(e.pk, clause, 2023, inputs) for e in (giant, provincial, tagged, lapsed)}
    assert found[giant].eligible and found[provincial].eligible
    assert found[giant].derived == {"specialised_enterprise": True}
    assert not found[tagged].eligible and not found[lapsed].eligible


def test_recognitions_recorded_together_offer_what_one_by_one_would(installed):
    """A provincial notice recognises many enterprises: recognitions_record checks and audits each and
    runs the offers once per day, with the same offers as recording them one at a time."""
    from zhuqi.core.errors import ZhuqiError
    from zhuqi.core.models import AuditEvent, OutboxMessage
    from zhuqi.tiers.models import Recognition

    office = UserFactory(role=Role.COORDINATOR)
    alone, together = [EnterpriseFactory() for _ in range(3)], [EnterpriseFactory() for _ in range(3)]
    owner = UserFactory(role=Role.ENTERPRISE, enterprise=together[0])
    decisions = [
        ("specialised", "provincial", "粤工信融资函〔2025〕12号", date(2025, 11, 20)),
        ("little_giant", "national", "工信部企业函〔2025〕150号", date(2025, 11, 20)),
        ("specialised", "provincial", "粤工信融资函〔2024〕30号", date(2024, 3, 1)),
    ]

    def rows(enterprises):
        return [
            {"enterprise": e, "tier": t, "level": lv, "document": d, "recognised_on": day}
            for e, (t, lv, d, day) in zip(enterprises, decisions, strict=True)
        ]

    for row in rows(alone):
        services.recognition_record(**row, acting_user=office)
    recorded = services.recognitions_record(rows=rows(together), acting_user=office)

    def offers(enterprises):
        return [
            sorted((o.clause.code, o.year, o.amount) for o in GrantOffer.objects.filter(enterprise=e))
            for e in enterprises
        ]

    assert offers(together) == offers(alone) and all(offers(together))
    assert [r.enterprise for r in recorded] == together
    audited = AuditEvent.objects.filter(
        verb="tier_recognition_record", object_id__in=[r.pk for r in recorded]
    )
    assert audited.count() == 3
    assert OutboxMessage.objects.filter(key__startswith=f"tier-recognised-{recorded[0].pk}:", recipient=owner)
    # All or nothing: a bad row records none of the batch.
    good, bad = rows([EnterpriseFactory() for _ in range(3)])[:2]
    with pytest.raises(ZhuqiError) as raised:
        services.recognitions_record(rows=[good, {**bad, "tier": "nope"}], acting_user=office)
    assert raised.value.code == "bad_tier"
    assert not Recognition.objects.filter(enterprise=good["enterprise"]).exists()
    assert not GrantOffer.objects.exclude(enterprise__in=alone + together).exists()
