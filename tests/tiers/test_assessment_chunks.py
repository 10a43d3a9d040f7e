"""The tier assessment runs in chunks of enterprises by id range (settings.ZHUQI_BATCH_CHUNK):
chunks of 2 store exactly the candidates and counts of one chunk."""

from datetime import date

from tests.factories import EnterpriseFactory, RecognitionFactory
from zhuqi.policies import facts
from zhuqi.tiers import assessment
from zhuqi.tiers.models import Assessment

DAY = date(2025, 6, 30)


def stored(run):
    return sorted(
        Assessment.objects.filter(run=run).values_list(
            "enterprise_id", "tier", "outcome", "score", "lacking", "missing"
        )
    )


def test_chunks_store_what_one_chunk_does(make_innovative, settings):
    found = [make_innovative(), make_innovative(facts={"debt_ratio": None}), EnterpriseFactory()]
    found.append(make_innovative(facts={"ip_class1": 0, "sei_field": 0}, figures={"rd_expense": 1_500_000}))
    found.append(
        make_innovative(facts={"segment_years": 3, "specialised_score": 70, "equity_financing_2y": 0})
    )
    RecognitionFactory(
        enterprise=found[-1], tier="innovative", recognised_on=date(2024, 5, 1), expires_on=date(2027, 4, 30)
    )
    settings.ZHUQI_BATCH_CHUNK = 10**6
    whole = assessment.assess(year=2025, day=DAY)
    settings.ZHUQI_BATCH_CHUNK = 2
    steps = []
    chunked = assessment.assess(year=2025, day=DAY, progress=lambda done, total: steps.append((done, total)))
    assert len(facts.chunks(2)) == 3 and steps == [(1, 3), (2, 3), (3, 3)]
    assert chunked.enterprises == whole.enterprises == 5 and chunked.counts == whole.counts
    assert {row[2] for row in stored(chunked)} >= {"meets", "could", "near"}
    assert stored(chunked) == stored(whole)
