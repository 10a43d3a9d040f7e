"""Campaigns: a reproducible sample, reminders once each, anonymous answers, scores in the database,
supervision items from low aspects."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.assessment.conftest import rate
from zhuqi.assessment import selectors, services
from zhuqi.assessment.models import Campaign, Invitation, Response, SupervisionItem
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.models import AuditEvent, OutboxMessage

pytestmark = pytest.mark.django_db


def test_the_sample_is_drawn_again_from_its_stored_seed():
    ids = list(range(1, 501))
    first = services.draw_sample(ids, 40, 20170210)
    assert len(first) == 40 == len(set(first))
    assert (
        services.draw_sample(list(reversed(ids)), 40, 20170210) == first
    )  # order of the population does not matter
    assert services.draw_sample(ids, 40, 1) != first
    assert services.draw_sample(ids, None, 5) == ids  # all


def test_opening_invites_the_sample_and_tells_its_users(survey):
    w = survey
    # Every enterprise with a user: the six respondents and 乙 (the world's second enterprise).
    assert Invitation.objects.filter(campaign=w.campaign).count() == 7
    invited = OutboxMessage.objects.filter(key__startswith=f"survey:{w.campaign.pk}:invite", channel="inapp")
    assert invited.count() == 7
    assert invited.first().link == f"/surveys/{w.campaign.pk}/answer/"


def test_a_sample_of_two_invites_two_and_reopening_the_same_seed_draws_the_same(survey):
    w = survey
    chosen = []
    for _ in range(2):
        c = services.campaign_create(
            title="抽样",
            period="2026Q3",
            deadline=timezone.localdate() + timedelta(days=3),
            sample_size=2,
            sample_seed=99,
            acting_user=w.users["coordinator"],
        )
        services.campaign_open(campaign=c, acting_user=w.users["coordinator"])
        chosen.append(sorted(c.invitations.values_list("enterprise_id", flat=True)))
    assert len(chosen[0]) == 2 and chosen[0] == chosen[1]


def test_reminders_go_once_to_those_who_have_not_answered(survey):
    w = survey
    rate(w, w.respondents[0], w.city_dept)
    services.campaign_remind(campaign=w.campaign, acting_user=w.users["coordinator"])
    reminded = OutboxMessage.objects.filter(key__startswith=f"survey:{w.campaign.pk}:remind")
    sent = reminded.count()
    services.campaign_remind(campaign=w.campaign, acting_user=w.users["coordinator"])
    assert reminded.count() == sent  # once each: the second call adds nothing
    assert reminded.filter(channel="inapp").count() == 6
    assert not reminded.filter(recipient=w.respondents[0]).exists()


def test_the_sweep_reminds_before_the_deadline_and_closes_after_it(survey):
    w = survey
    deadline = w.campaign.deadline
    assert services.sweep(timezone.now())["reminded"] == 0  # a week before: not yet
    near = timezone.now() + timedelta(days=(deadline - timezone.localdate()).days - 2)
    assert services.sweep(near)["reminded"] == 1
    assert services.sweep(near)["reminded"] == 0  # once
    late = timezone.now() + timedelta(days=(deadline - timezone.localdate()).days + 1)
    assert services.sweep(late)["closed"] == 1
    assert Campaign.objects.get(pk=w.campaign.pk).state == "closed"


def test_an_answer_names_nobody(survey):
    w = survey
    rate(w, w.respondents[0], w.city_dept)
    # The answer has no column naming the enterprise, the user or the invitation.
    names = {f.name for f in Response._meta.get_fields()}
    assert not names & {"enterprise", "user", "invitation", "created_at", "created_by"}
    response = Response.objects.get()
    assert response.department == w.city_dept
    # A keyed digest: without the secret key it cannot be recomputed from the enterprise's id.
    plain = hashlib.sha256(f"survey:{w.campaign.pk}:{w.a.pk}:{w.city_dept.pk}".encode()).hexdigest()
    assert len(response.respondent_key) == 64 and response.respondent_key != plain
    # The trail says that the enterprise answered, not whom it rated or how.
    event = AuditEvent.objects.get(verb="survey_answer")
    assert event.data == {} and event.object_type == "assessment.campaign"
    invitation = Invitation.objects.get(campaign=w.campaign, enterprise=w.a)
    assert invitation.answered_on is not None and invitation.departments_rated == 1


def test_an_enterprise_rates_a_department_once_per_campaign(survey):
    w = survey
    rate(w, w.respondents[0], w.city_dept)
    with pytest.raises(ZhuqiError) as refused:
        rate(w, w.respondents[0], w.city_dept, score=1)
    assert refused.value.status == 409
    assert Response.objects.count() == 1


def test_an_enterprise_not_invited_cannot_answer(survey):
    w = survey
    Invitation.objects.filter(enterprise=w.b).delete()
    with pytest.raises(ZhuqiError) as refused:
        rate(w, w.users["enterprise_b"], w.city_dept)
    assert refused.value.status == 403


def test_bad_scores_are_refused(survey):
    w = survey
    for scores in ({}, {"policy.known": 6}, {"nope": 3}):
        with pytest.raises(ZhuqiError) as refused:
            services.survey_answer(
                campaign=w.campaign, acting_user=w.respondents[0], department=w.city_dept, scores=scores
            )
        assert refused.value.status == 422
    assert not Response.objects.exists()


def test_scores_are_hidden_below_the_minimum_group_and_shown_from_it(survey, settings):
    w = survey
    settings.ZHUQI_SURVEY_MIN_ANSWERS = 5
    for user in w.respondents[:4]:
        rate(w, user, w.city_dept, score=4)
    table = selectors.score_table(w.users["coordinator"], w.campaign)
    [row] = table["rows"]
    assert row["answers"] == 4 and row["hidden"] and row["score"] is None and set(row["aspects"]) == {None}
    rate(w, w.respondents[4], w.city_dept, score=5)
    [row] = selectors.score_table(w.users["coordinator"], w.campaign)["rows"]
    # Four enterprises gave 4 and one 5 on every item: mean 4.2, × 20 = 84.00.
    assert not row["hidden"] and str(row["score"]) == "84.00"
    assert all(str(s) == "84.00" for s in row["aspects"])


def test_a_handler_reads_only_its_own_department(survey, settings):
    w = survey
    settings.ZHUQI_SURVEY_MIN_ANSWERS = 2
    for user in w.respondents[:3]:
        rate(w, user, w.city_dept)
        rate(w, user, w.town_dept)
    rows = selectors.score_table(w.users["city_handler"], w.campaign)["rows"]
    assert [r["department"] for r in rows] == [w.city_dept]
    assert len(selectors.score_table(w.users["coordinator"], w.campaign)["rows"]) == 2


def _enterprise_marks(w):
    marks = []
    for user in w.respondents:
        marks += [user.enterprise.name, user.enterprise.uscc, user.username, str(user)]
    return marks


def test_the_department_never_sees_who_answered_on_the_page_or_the_api(survey, client, settings):
    w = survey
    settings.ZHUQI_SURVEY_MIN_ANSWERS = 2
    for user in w.respondents[:3]:
        rate(w, user, w.city_dept)
    client.force_login(w.users["city_handler"])
    page = client.get(f"/surveys/{w.campaign.pk}/")
    api = client.get(f"/api/v1/survey-campaigns/{w.campaign.pk}/scores")
    listing = client.get("/api/v1/survey-campaigns")
    assert page.status_code == api.status_code == listing.status_code == 200
    text = page.content.decode() + json.dumps(api.json(), ensure_ascii=False) + listing.content.decode()
    assert w.city_dept.short_name in page.content.decode() or w.city_dept.name in page.content.decode()
    for mark in _enterprise_marks(w):
        assert mark not in text, mark
    assert api.json()["rows"][0]["answers"] == 3
    # The answer page and the answers endpoint are the enterprise's own: 404 to a department.
    assert client.get(f"/surveys/{w.campaign.pk}/answer/").status_code == 404
    posted = client.post(
        f"/api/v1/survey-campaigns/{w.campaign.pk}/answers",
        {"department_code": w.city_dept.code, "scores": {"policy.known": 5}},
        content_type="application/json",
    )
    assert posted.status_code == 403


def test_the_enterprise_answers_on_its_page(survey, client):
    w = survey
    user = w.respondents[1]
    client.force_login(user)
    page = client.get(f"/surveys/{w.campaign.pk}/answer/")
    assert page.status_code == 200 and "政策落实" in page.content.decode()
    form = {"department": str(w.city_dept.pk), **{f"item-{i.pk}": "5" for i in w.items[:10]}}
    sent = client.post(f"/surveys/{w.campaign.pk}/answer/", form)
    assert sent.status_code == 302
    assert Response.objects.get().answers.count() == 10


def test_closing_opens_a_supervision_item_for_a_low_aspect(survey, settings):
    w = survey
    settings.ZHUQI_SURVEY_MIN_ANSWERS = 3
    for user in w.respondents[:3]:
        rate(w, user, w.city_dept, score=5, low_aspect="project", low=2)  # 项目落地 40 < 60
    services.campaign_close(campaign=w.campaign, acting_user=w.users["coordinator"])
    [item] = SupervisionItem.objects.all()
    assert item.department == w.city_dept and item.aspect.code == "project" and str(item.score) == "40.00"
    # A tracked task of engagement, owned by the department, which its people are told of.
    from zhuqi.engagement.models import Task

    task = Task.objects.get(pk=item.task_id)
    assert task.source == "supervision" and task.owner_department == w.city_dept and task.state == "open"
    assert task.source_object == item and "项目落地" in task.title
    assert OutboxMessage.objects.filter(key__startswith=f"task-{task.pk}-created").exists()
    services.open_supervision(w.campaign)  # once each
    assert Task.objects.filter(source="supervision").count() == 1


def test_the_forms_offer_periods_by_name_and_the_list_names_them(client, world):
    """Found by a new user: the period had to be typed as a code (2026Q4) and was shown as one."""
    from datetime import date

    from zhuqi.assessment import periods

    today = date.today()
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    client.force_login(world.users["coordinator"])
    for url in ("/assessments/", "/surveys/", "/briefings/"):
        page = client.get(url).content.decode()
        assert '<select name="period"' in page and f'value="{quarter}"' in page, url
        assert periods.parse(quarter).label in page and 'input name="period"' not in page, url
    scoring_page = client.get("/assessments/").content.decode()
    assert "年第" in scoring_page
