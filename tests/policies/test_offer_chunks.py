"""An offer run (免申即享) reads, evaluates and offers in chunks of enterprises by id range
(settings.ZHUQI_BATCH_CHUNK): chunks of 3 make exactly the offers, snapshots, budget cut-off and
notifications of one chunk; the job reports each chunk, and a run stopped part-way and started
again offers the rest, none twice."""

import random
from datetime import date

import pytest
from django.core.management import call_command

from tests.factories import EnterpriseFactory, IndicatorValueFactory, RecognitionFactory, UserFactory
from tests.policies.conftest import tag
from zhuqi.accounts.models import Role
from zhuqi.core import jobs
from zhuqi.core.models import AuditEvent, Job, OutboxMessage
from zhuqi.policies import facts, grants
from zhuqi.policies import jobs as policy_jobs
from zhuqi.policies.models import Clause, GrantOffer

PERIOD = date(2025, 12, 31)
COUNTS = ("created", "already_offered", "unverified", "over_budget")


@pytest.fixture
def offer_world(policy_world):
    """Thirty more enterprises: gazelles with 2024 deductible R&D expense (INNOV-RD) from several
    sources, verified or not; new provincial 专精特新 in 2025 (ZJTX-REWARD-PROVINCIAL, its budget
    enough for about half of them); users for some. Enterprise ids interleave the two clauses."""
    rng = random.Random(11)
    for n in range(30):
        e = EnterpriseFactory(town=policy_world.a.town)
        if rng.random() < 0.6:
            tag(e, "瞪羚企业")
        for source in rng.sample(["tax", "stats", "self"], rng.randint(0, 2)):
            IndicatorValueFactory(
                enterprise=e,
                indicator="rd_expense_deductible",
                year=2024,
                source=source,
                verified=rng.random() < 0.7,
                value=rng.randint(0, 30_000_000),
            )
        if rng.random() < 0.5:
            RecognitionFactory(enterprise=e, recognised_on=date(2025, 5, 1), expires_on=date(2028, 4, 30))
        if rng.random() < 0.5:
            UserFactory(role=Role.ENTERPRISE, enterprise=e, username=f"ent{n}", mobile=f"1390000{n:04d}")
    recognised = facts.Enterprise.objects.filter(recognitions__recognised_on__year=2025).count()
    Clause.objects.filter(code="ZJTX-REWARD-PROVINCIAL").update(budget=recognised // 2 * 200_000)
    return policy_world


def outcome():
    offers = sorted(
        GrantOffer.objects.values_list("number", "enterprise_id", "clause__code", "year", "amount", "facts")
    )
    sent = sorted(
        OutboxMessage.objects.filter(key__startswith="grant-offer-").values_list("key", "recipient_id")
    )
    return offers, sent


def offers_in_chunks_of(chunk, settings, **kwargs):
    settings.ZHUQI_BATCH_CHUNK = chunk
    run = grants.offers_run(period=PERIOD, **kwargs)
    return tuple(getattr(run, f) for f in COUNTS)


def forget_offers():
    GrantOffer.objects.all().delete()
    OutboxMessage.objects.filter(key__startswith="grant-offer-").delete()


def test_chunks_of_three_offer_what_one_chunk_does(offer_world, settings):
    whole_counts = offers_in_chunks_of(10**6, settings)
    whole = outcome()
    created, _already, unverified, over_budget = whole_counts
    codes = {o[2] for o in whole[0]}
    assert codes == {"INNOV-RD", "ZJTX-REWARD-PROVINCIAL"} and created == len(whole[0])
    assert unverified > 0 and over_budget > 0 and whole[1]  # every path taken, some notified
    forget_offers()
    steps = []
    counts = offers_in_chunks_of(3, settings, progress=lambda done, total: steps.append((done, total)))
    total = len(facts.chunks(3))
    assert total >= 10 and steps == [(n, total) for n in range(1, total + 1)]
    assert counts == whole_counts and outcome() == whole
    # The budget was spent on the lowest ids first, whatever the chunks.
    budget = Clause.objects.get(code="ZJTX-REWARD-PROVINCIAL").budget
    provincial = [o[1] for o in whole[0] if o[2] == "ZJTX-REWARD-PROVINCIAL"]
    assert sum(o[4] for o in whole[0] if o[2] == "ZJTX-REWARD-PROVINCIAL") <= budget
    left_out = facts.Enterprise.objects.filter(recognitions__recognised_on__year=2025).exclude(
        id__in=provincial
    )
    assert min(left_out.values_list("id", flat=True)) > max(provincial)
    # Again in chunks: nothing new, nobody notified twice.
    assert offers_in_chunks_of(3, settings) == (0, created, unverified, over_budget)
    assert outcome() == whole


def test_the_job_reports_each_chunk(offer_world, settings):
    settings.ZHUQI_BATCH_CHUNK = 4
    coordinator = offer_world.users["coordinator"]
    job = jobs.enqueue(kind="policies.offers", owner=coordinator, parameters={"period": PERIOD.isoformat()})
    steps = []
    result = policy_jobs.run_offers(job, lambda done, total=None: steps.append((done, total)))
    total = len(facts.chunks(4))
    assert total >= 8 and steps == [(0, None)] + [(n, total) for n in range(1, total + 1)]
    assert result.result["created"] == GrantOffer.objects.count() > 0


def test_a_run_stopped_part_way_offers_the_rest_when_run_again(offer_world, settings, monkeypatch):
    whole_counts = offers_in_chunks_of(10**6, settings)
    whole = outcome()
    forget_offers()
    settings.ZHUQI_BATCH_CHUNK = 3
    coordinator = offer_world.users["coordinator"]
    job = jobs.enqueue(kind="policies.offers", owner=coordinator, parameters={"period": PERIOD.isoformat()})
    chunk = grants._offer_chunk
    done = []

    def stop_after_the_third(*args):  # the worker is asked to stop while the third chunk runs
        chunk(*args)
        done.append(1)
        if len(done) == 3:
            jobs.stopping.set()

    monkeypatch.setattr(grants, "_offer_chunk", stop_after_the_third)
    try:
        assert jobs.run_next() == 1
    finally:
        jobs.stopping.clear()
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED  # back in the queue, the first three chunks' offers kept
    kept = GrantOffer.objects.count()
    assert 0 < kept < len(whole[0])
    assert jobs.run_next() == 1
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.total == len(facts.chunks(3))
    assert job.result["created"] == len(whole[0]) - kept and job.result["already_offered"] == kept
    assert outcome() == whole and whole_counts[0] == len(whole[0])
    assert AuditEvent.objects.filter(verb="grant_offer_create").exists()


def test_the_command_runs_in_chunks_with_a_bar(offer_world, settings, capsys):
    settings.ZHUQI_BATCH_CHUNK = 5
    call_command("policies", "offers", "--period", PERIOD.isoformat())
    out, err = capsys.readouterr()
    made = GrantOffer.objects.count()
    assert made > 0 and out.startswith(f"2025: {made} offers made, 0 already offered")
    total = len(facts.chunks(5))
    assert f"{total}/{total}" in err  # the bar's last step: every chunk done
