"""A match run reads, evaluates, stores and notifies in chunks of enterprises by id range
(settings.ZHUQI_BATCH_CHUNK): chunks of 7 give exactly what one chunk gives, in one transaction."""

import random
from datetime import date

import pytest

from tests.factories import EnterpriseFactory, IndicatorValueFactory, UserFactory, make_pilot
from tests.policies.conftest import tag
from zhuqi.accounts.models import Role
from zhuqi.core.models import OutboxMessage
from zhuqi.policies import facts, matching
from zhuqi.policies.models import Match, MatchRun

PERIODS = (date(2021, 12, 31), date(2026, 6, 30))
COUNTS = ("enterprises", "clauses", "eligible", "unknown", "newly_eligible")


def random_world(world):
    rng = random.Random(7)
    for n in range(30):
        e = EnterpriseFactory(town=world.a.town)
        if rng.random() < 0.4:
            make_pilot(e)
        if rng.random() < 0.5:
            tag(e, "瞪羚企业")
        for year in (2020, 2021, 2025):
            for key in ("rd_expense_deductible", "city_retained_tax", "rd_expense"):
                for source in rng.sample(["tax", "stats", "self"], rng.randint(0, 2)):
                    IndicatorValueFactory(
                        enterprise=e,
                        indicator=key,
                        year=year,
                        source=source,
                        verified=rng.random() < 0.6,
                        value=rng.randint(0, 50_000_000),
                    )
        if rng.random() < 0.5:
            UserFactory(role=Role.ENTERPRISE, enterprise=e, username=f"ent{n}", mobile=f"1380000{n:04d}")


def outcome():
    matches = sorted(Match.objects.values_list("enterprise_id", "clause_id", "year", "eligible", "amount"))
    sent = sorted(
        OutboxMessage.objects.filter(key__startswith="policy-eligible-").values_list("key", "recipient_id")
    )
    runs = [tuple(getattr(r, f) for f in COUNTS) for r in MatchRun.objects.order_by("pk")]
    return matches, sent, runs


def run_all(chunk, settings):
    settings.ZHUQI_BATCH_CHUNK = chunk
    steps = []
    for period in PERIODS:
        matching.match_run(period=period, progress=lambda done, total: steps.append((done, total)))
    return steps


def test_chunks_of_seven_store_and_notify_what_one_chunk_does(policy_world, settings):
    random_world(policy_world)
    run_all(10**6, settings)
    whole = outcome()
    assert any(m[3] for m in whole[0]) and not all(m[3] for m in whole[0])  # eligible and undecided
    assert whole[1] and whole[2][1][4] > 0  # notified; some newly eligible
    Match.objects.all().delete()
    OutboxMessage.objects.filter(key__startswith="policy-eligible-").delete()
    MatchRun.objects.all().delete()
    steps = run_all(7, settings)
    total = len(facts.chunks(7))
    assert total >= 5 and steps[-1] == (total, total)
    assert outcome() == whole
    # Again: the same matches, nothing newly eligible, nobody notified twice.
    run_all(7, settings)
    matches, sent, runs = outcome()
    assert matches == whole[0] and sent == whole[1]
    assert [r[4] for r in runs[2:]] == [0, 0]


def test_the_chunks_cover_every_enterprise_once(world, settings):
    for _ in range(9):
        EnterpriseFactory()
    ids = sorted(e for e in facts.Enterprise.objects.values_list("id", flat=True))
    spans = facts.chunks(4)
    assert [len([i for i in ids if i in s]) for s in spans] == [4] * (len(ids) // 4) + (
        [len(ids) % 4] if len(ids) % 4 else []
    )
    assert spans[0].start == 0 and spans[-1].stop == ids[-1] + 1
    assert all(a.stop == b.start for a, b in zip(spans, spans[1:], strict=False))
    # A chunk of one enterprise each (ZHUQI_BATCH_CHUNK=1 is accepted): one range per enterprise,
    # not none (row numbers modulo 1 were never 1, and a run saw no enterprise at all).
    assert [len([i for i in ids if i in s]) for s in facts.chunks(1)] == [1] * len(ids)


@pytest.mark.django_db
def test_no_enterprise_no_chunk():
    assert facts.chunks(7) == []
