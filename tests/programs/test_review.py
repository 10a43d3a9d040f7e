"""The draw (seed 000 二(四)4): reproducible from its stored seed and candidates, never a conflicted
expert, spread over fields; experts see only the applications drawn for them (page and API: 404);
scores lock on submission; combined score and spread."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import EnterpriseFactory
from tests.programs.selection_world import experts
from zhuqi.core.errors import Conflict, Forbidden
from zhuqi.programs import draw, scoring, selectors, services
from zhuqi.programs.models import Application, Expert, ReviewGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(sel):
    w = sel
    w.c = EnterpriseFactory(town=w.towns[0], name="东莞市丙科技有限公司")
    w.apps = [w.apply(e) for e in (w.a, w.b, w.c)]
    services.round_close(round_=w.round, acting_user=w.coordinator)
    services.formal_check_run(round_=w.round, acting_user=w.coordinator)
    w.apps = [Application.objects.select_related("enterprise").get(pk=a.pk) for a in w.apps]
    w.pool = experts(10, users={0: w.users["expert"]})
    return w


def test_the_draw_is_reproducible_from_its_stored_seed(review):
    w = review
    group = services.group_draw(
        round_=w.round,
        name="第一组",
        stage="desk",
        size=5,
        applications=w.apps[:2],
        seed="abc123",
        acting_user=w.coordinator,
    )
    drawn = sorted(group.experts.values_list("pk", flat=True))
    stored = ReviewGroup.objects.get(pk=group.pk)
    assert stored.seed == "abc123" and len(stored.candidates) == 10
    assert sorted(services.redraw(stored)) == drawn
    assert sorted(draw.draw(stored.candidates, stored.seed, stored.size)) == drawn
    again = services.group_draw(
        round_=w.round,
        name="复核",
        stage="desk",
        size=5,
        applications=w.apps[:2],
        seed="abc123",
        acting_user=w.coordinator,
    )
    assert sorted(again.experts.values_list("pk", flat=True)) == drawn
    # five fields in the pool, five drawn: one of each
    assert len({e.field for e in group.experts.all()}) == 5
    # the page shows the seed and the same people drawn again
    from django.test import Client

    client = Client()
    client.force_login(w.coordinator)
    page = client.get(reverse("programs:group_detail", args=[group.pk])).content.decode()
    assert 'id="seed">abc123<' in page


def test_the_draw_never_picks_a_conflicted_expert(review):
    w = review
    same_org = Expert.objects.create(name="同单位专家", field="finance", organisation=w.a.name)
    declared = Expert.objects.create(name="申报回避专家", field="law", organisation="某律所")
    declared.conflicts.add(w.b)
    for n in range(60):
        group = services.group_draw(
            round_=w.round,
            name=f"组{n}",
            stage="desk",
            size=8,
            applications=w.apps[:2],
            seed=f"s{n}",
            acting_user=w.coordinator,
        )
        ids = set(group.experts.values_list("pk", flat=True))
        assert same_org.pk not in ids and declared.pk not in ids
        assert {x["expert"] for x in group.excluded} == {same_org.pk, declared.pk}
        assert same_org.pk not in {c[0] for c in group.candidates}
    # for an application neither conflicts with, both are candidates
    group = services.group_draw(
        round_=w.round,
        name="丙",
        stage="desk",
        size=12,
        applications=[w.apps[2]],
        seed="x",
        acting_user=w.coordinator,
    )
    assert {same_org.pk, declared.pk} <= set(group.experts.values_list("pk", flat=True))


def test_an_expert_reads_only_what_it_was_drawn_for(review, client):
    w = review
    me = w.pool[0]
    group = services.group_draw(
        round_=w.round,
        name="组",
        stage="desk",
        size=10,
        applications=[w.apps[0]],
        seed="1",
        acting_user=w.coordinator,
    )
    assert group.experts.filter(pk=me.pk).exists()
    client.force_login(w.users["expert"])
    drawn, other = w.apps[0].number, w.apps[1].number
    assert client.get(reverse("programs:application_detail", args=[drawn])).status_code == 200
    assert client.get(reverse("programs:application_detail", args=[other])).status_code == 404
    assert client.get(f"/api/v1/programme-applications/{drawn}").status_code == 200
    assert client.get(f"/api/v1/programme-applications/{other}").status_code == 404
    marks = {k: 80 for k in scoring.DESK_CRITERIA}
    answer = client.post(
        f"/api/v1/programme-applications/{other}/scores",
        {"group": group.pk, "marks": marks},
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert client.get(reverse("programs:my_reviews")).content.decode().count("/programmes/applications/") == 1
    with pytest.raises(Forbidden):  # the service refuses too
        services.score_submit(group=group, application=w.apps[1], marks=marks, acting_user=w.users["expert"])


def test_scores_lock_and_combine(review):
    w = review
    services.round_settings(
        round_=w.round,
        weights={k: 1 for k in scoring.DESK_CRITERIA},
        site_weight_percent=40,
        acting_user=w.coordinator,
    )
    group = services.group_draw(
        round_=w.round,
        name="组",
        stage="desk",
        size=3,
        applications=[w.apps[0]],
        seed="7",
        acting_user=w.coordinator,
    )
    drawn = list(group.experts.select_related("user"))
    for expert, mark in zip(drawn, (70, 80, 90), strict=True):
        services.score_submit(
            group=group,
            application=w.apps[0],
            marks={k: mark for k in scoring.DESK_CRITERIA},
            acting_user=expert.user,
        )
    with pytest.raises(Conflict) as exc:
        services.score_submit(
            group=group,
            application=w.apps[0],
            marks={k: 10 for k in scoring.DESK_CRITERIA},
            acting_user=drawn[0].user,
        )
    assert exc.value.code == "score_locked"
    with pytest.raises(Conflict):  # weights are fixed once a desk score is in
        services.round_settings(
            round_=w.round, weights={k: 2 for k in scoring.DESK_CRITERIA}, acting_user=w.coordinator
        )
    a = Application.objects.get(pk=w.apps[0].pk)
    assert (a.desk_score, a.spread, a.score) == (Decimal("80.00"), Decimal("20.00"), Decimal("80.00"))
    services.shortlist_set(round_=w.round, applications=[a], acting_user=w.coordinator)
    a.refresh_from_db()
    site = services.group_draw(
        round_=w.round,
        name="现场",
        stage="site",
        size=1,
        applications=[a],
        seed="9",
        acting_user=w.coordinator,
    )
    expert = site.experts.select_related("user").get()
    services.score_submit(
        group=site, application=a, marks={"verification": 100, "diagnosis": 90}, acting_user=expert.user
    )
    a.refresh_from_db()
    assert a.site_score == Decimal("95.00") and a.score == Decimal("86.00")  # 80 × 0.6 + 95 × 0.4


def test_an_expert_declares_a_conflict_on_its_page_and_the_draw_leaves_it_out(client, review):
    """Seed 000 二(四)4 回避: the expert itself lists the enterprises it has a conflict with; every draw
    for their applications then excludes it (stored and shown with the reason), until it withdraws."""
    w = review
    me = w.pool[0]
    client.force_login(w.users["expert"])
    url = reverse("programs:my_conflicts")
    assert client.get(url).status_code == 200
    client.post(url, {"action": "declare", "uscc": w.b.uscc.lower(), "name": w.b.name})
    client.post(url, {"action": "declare", "uscc": w.c.uscc, "name": f" {w.c.name} "})
    again = client.post(
        url, {"action": "declare", "uscc": w.b.uscc, "name": w.b.name}, follow=True
    ).content.decode()
    assert "已申报过与这家企业的利益冲突" in again
    # A code alone, or a code with another name, tells nothing: the same refusal as a made-up company
    # (an expert may not turn codes into company names), and the page shows nothing it was not told.
    for probe in (
        {"uscc": w.a.uscc, "name": "随便写"},
        {"uscc": w.a.uscc, "name": ""},
        {"uscc": "X", "name": "不存在的公司"},
    ):
        refused = client.post(url, {"action": "declare", **probe}, follow=True).content.decode()
        assert "没有统一社会信用代码与全称都相符的企业" in refused and w.a.name not in refused
    page = client.get(url).content.decode()
    assert w.b.name in page and w.c.name in page and w.a.name not in page
    assert set(me.conflicts.all()) == {w.b, w.c}

    for n in range(20):  # the whole rest of the pool is drawn, never the conflicted expert
        group = services.group_draw(
            round_=w.round,
            name=f"乙组{n}",
            stage="desk",
            size=9,
            applications=[w.apps[1]],
            seed=f"c{n}",
            acting_user=w.coordinator,
        )
        assert me.pk not in set(group.experts.values_list("pk", flat=True))
        assert {"expert": me.pk, "reason": "declared"} in group.excluded
    assert client.get(reverse("programs:application_detail", args=[w.apps[1].number])).status_code == 404
    free = services.group_draw(
        round_=w.round,
        name="甲组",
        stage="desk",
        size=10,
        applications=[w.apps[0]],
        acting_user=w.coordinator,
    )
    assert me in free.experts.all()  # no conflict with 甲: it may be drawn for it
    from django.test import Client

    office = Client()
    office.force_login(w.coordinator)
    shown = office.get(reverse("programs:group_detail", args=[group.pk])).content.decode()
    assert f"{me.name} · {me.organisation} · 申报的利益冲突" in shown
    assert office.get(url).status_code == 404  # the office is no expert: the page is not its

    client.post(url, {"action": "withdraw", "enterprise": w.b.uscc})
    assert set(me.conflicts.all()) == {w.c}
    after = services.group_draw(
        round_=w.round,
        name="乙组复",
        stage="desk",
        size=10,
        applications=[w.apps[1]],
        acting_user=w.coordinator,
    )
    assert me in after.experts.all()


def _one_scored_one_refused(w):
    """The three applications drawn into one desk group: the first scored by the expert, the second
    refused by the office, the third still to score."""
    group = services.group_draw(
        round_=w.round,
        name="组",
        stage="desk",
        size=10,
        applications=w.apps,
        seed="1",
        acting_user=w.coordinator,
    )
    scored, left, _open = w.apps
    marks = {k: 80 for k in scoring.DESK_CRITERIA}
    services.score_submit(group=group, application=scored, marks=marks, acting_user=w.users["expert"])
    services.application_refuse(application=left, reason="材料不符", acting_user=w.coordinator)
    return w.apps


def test_the_expert_lists_to_score_only_what_it_can_still_score_as_its_home_counts(review, client):
    w = review
    scored, left, open_ = _one_scored_one_refused(w)
    client.force_login(w.users["expert"])
    assert selectors.to_score_count(w.users["expert"]) == 1
    page = client.get(reverse("programs:my_reviews")).content.decode()
    to_score = page[page.index('id="reviews"') : page.index("</table>")]
    assert open_.number in to_score and scored.number not in to_score and left.number not in to_score
    done = page[page.index('id="reviewed"') :]
    assert scored.number in done and left.number in done
    # The page of an application no longer in review offers no form to score it.
    detail = client.get(reverse("programs:application_detail", args=[left.number])).content.decode()
    assert 'name="mark_' not in detail
    assert (
        'name="mark_'
        in client.get(reverse("programs:application_detail", args=[open_.number])).content.decode()
    )
    home = client.get(reverse("web:home")).content.decode()
    assert 'data-queue="to_score" data-count="1"' in home
    # The expert's home shows its work, not the enterprise figures of a scope it does not have.
    assert open_.number in home and scored.number not in home
    assert 'id="figures"' not in home and "管辖范围内企业" not in home


def test_the_experts_done_list_shows_an_estimated_count_as_the_other_lists(
    review, client, monkeypatch, settings
):
    """Past ZHUQI_COUNT_ESTIMATE_ABOVE the done list says "about" and offers the exact count (as
    tests/core/test_estimated_counts.py for the other lists); its pages keep the list to score's."""
    from zhuqi.core import pagination
    from zhuqi.programs import views

    w = review
    scored, left, _open = _one_scored_one_refused(w)
    monkeypatch.setattr(views, "PAGE_SIZE", 1)  # two done rows: two pages
    settings.ZHUQI_COUNT_ESTIMATE_ABOVE = 10
    monkeypatch.setattr(pagination, "estimated_count", lambda rows: 1000)
    client.force_login(w.users["expert"])
    url = reverse("programs:my_reviews")

    def done(query=""):
        page = client.get(url + query).content.decode()
        return page[page.index('id="reviewed"') :]

    first = done("?page=1")
    assert "第 1 页，共约1,000条" in first and "精确计数" in first and "count=exact" in first
    assert 'href="?page=1&amp;done=2"' in first  # the list to score stays on its page
    exact = done("?count=exact")
    assert "第 1 / 2 页" in exact and "共约" not in exact
    assert "count=exact&amp;done=2" in exact  # the next page keeps the exact count
    last = done("?done=2")
    assert "第 2 / 2 页" in last and "共约" not in last  # the last page knows the exact count
    assert scored.number in first + last and left.number in first + last
