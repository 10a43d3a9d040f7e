"""The demo city's tiers (issue 10): tier facts for part of the enterprises, recognitions of 创新型,
专精特新 and 小巨人 through the real service (so first recognitions of 专精特新 and 小巨人 get their
免申即享 reward), some expiring within six months of today, and the 2025 and 2026 assessments."""

import random
from datetime import date
from decimal import Decimal

from django.utils import timezone

from zhuqi.core import bulk
from zhuqi.directory.models import Enterprise
from zhuqi.policies.models import GrantOffer
from zhuqi.tiers import assessment, services
from zhuqi.tiers.models import TierFact

SOURCE = "市工业和信息化局"
DOCUMENT = "2025年度梯度培育企业信息采集"
FACT_FIELDS = (
    "enterprise",
    "key",
    "value",
    "as_of",
    "valid_until",
    "source",
    "document",
    "batch_id",
    "updated_at",
)


def build(demo: Enterprise, rng: random.Random, today: date | None = None) -> dict:
    offers_before = GrantOffer.objects.count()
    enterprises = list(Enterprise.objects.exclude(pk=demo.pk).order_by("id"))
    n = len(enterprises) + 1
    with_facts = [demo] + enterprises[: max(6, n // 3)]
    facts, now = [], timezone.now()
    for i, e in enumerate(with_facts):
        strong = e.doubling_class == Enterprise.DoublingClass.HIGH_TECH or i % 3 == 0
        values = {
            "ip_class1_high": 1 if strong and i % 2 else 0,
            "ip_class1_own": 1 if strong else 0,
            "ip_class1": rng.randint(1, 4) if strong else rng.randint(0, 1),
            "ip_class2": rng.randint(0, 6),
            "debt_ratio": Decimal(rng.randint(3000, 8000)) / 100,
            "sei_field": 1 if strong or i % 4 == 0 else 0,
            "segment_years": rng.randint(1, 8),
            "equity_financing_2y": 0,
            "info_system": 1,
            "certification": 1 if strong else 0,
            "own_brand": 1 if i % 2 == 0 else 0,
            "market_share": Decimal(rng.randint(200, 1800)) / 100,
        }
        if strong:
            values["specialised_score"] = rng.randint(55, 85)
            values["chain_supporting"] = 1
            values["priority_field"] = 1 if i % 2 == 0 else 0
        if e.doubling_class == Enterprise.DoublingClass.HIGH_TECH:
            values["honour"] = 1  # 高新技术企业 (valid)
        if e == demo:  # the demo enterprise lacks the province's score: "could qualify" for 专精特新
            values.pop("specialised_score", None)
            values["segment_years"] = 3
        for key, value in values.items():
            until = date(2027, 12, 31) if key == "honour" else None
            facts.append((e.pk, key, Decimal(value), date(2025, 3, 31), until, SOURCE, DOCUMENT, "demo", now))
    bulk.insert_rows(TierFact, FACT_FIELDS, facts)  # plain rows (core/bulk.py): some 13,000 of them

    recognitions = []  # recorded together at the end: the rules run once per day, not per enterprise

    def record(e, tier, level, document, day):
        recognitions.append(
            {"enterprise": e, "tier": tier, "level": level, "document": document, "recognised_on": day}
        )

    pool = enterprises[: max(12, n // 4)]
    innovative = pool[: min(120, max(6, n // 12))]
    record(demo, "innovative", "provincial", "粤工信融资函〔2024〕21号", date(2024, 8, 15))
    for i, e in enumerate(innovative):
        # Some recognised in 2023 (expiring in 2026: warnings), some in 2024 and 2025.
        day = [date(2023, 12, 20), date(2024, 8, 15), date(2025, 7, 30)][i % 3]
        record(e, "innovative", "provincial", f"粤工信融资函〔{day.year}〕{20 + i % 7}号", day)
    specialised = innovative[: min(40, max(3, n // 40))]
    for i, e in enumerate(specialised):
        day = [date(2024, 3, 1), date(2025, 11, 20), date(2026, 6, 18)][i % 3]  # 2024-03: expires 2027-02
        record(e, "specialised", "provincial", f"粤工信融资函〔{day.year}〕{30 + i % 5}号", day)
    giants = specialised[: min(8, max(1, n // 150))]
    for i, e in enumerate(giants):
        day = [date(2024, 7, 5), date(2026, 7, 10)][i % 2]
        record(e, "little_giant", "national", f"工信部企业函〔{day.year}〕{150 + i}号", day)
    services.recognitions_record(rows=recognitions)
    runs = [assessment.assess(year=2025).pk, assessment.assess(year=2026, day=today).pk]
    # The offers a first recognition made (the reward, and any other 免申即享 clause it now meets).
    rewards = GrantOffer.objects.count() - offers_before
    return {
        "tier_facts": len(facts),
        "recognitions": len(recognitions),
        "assessment_runs": len(runs),
        "reward_offers": rewards,
    }
