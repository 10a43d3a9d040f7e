"""For every role, every step and every state of a survey campaign and of an assessment: what the pages
offer is exactly what the services allow. Each service is called for real in a savepoint rolled back
after it, and either succeeds or refuses with 403 (permission) or 409 (state)."""

import pytest
from django.urls import reverse

from tests.agreement import allows
from tests.assessment.conftest import rate
from zhuqi.assessment import lifecycle, scoring, services
from zhuqi.assessment.models import Assessment, AssessmentState, Campaign, CampaignState

pytestmark = pytest.mark.django_db


def _page(client, user, url) -> str | None:
    client.force_login(user)
    response = client.get(url)
    return None if response.status_code in (302, 404) else response.content.decode()


@pytest.mark.parametrize("state", list(CampaignState))
def test_campaign_pages_offer_what_the_services_allow(client, survey, state):
    w = survey
    Campaign.objects.filter(pk=w.campaign.pk).update(state=state)
    campaign = w.campaign = Campaign.objects.get(pk=w.campaign.pk)
    calls = {
        "open": lambda u: services.campaign_open(campaign=campaign, acting_user=u),
        "remind": lambda u: services.campaign_remind(campaign=campaign, acting_user=u),
        "close": lambda u: services.campaign_close(campaign=campaign, acting_user=u),
        "answer": lambda u: rate(w, u, w.city_dept),
    }
    assert set(calls) == set(lifecycle.CAMPAIGN_STEPS)
    for name, user in w.users.items():
        page = _page(client, user, reverse("assessment:campaign_detail", args=[campaign.pk]))
        answer_page = _page(client, user, reverse("assessment:answer", args=[campaign.pk]))
        for step, call in calls.items():
            allowed = allows(call, user)
            assert allowed == lifecycle.CAMPAIGN_STEPS[step].allows(user, campaign), (name, step, state)
            if step == "answer":
                offered = answer_page is not None and 'name="department"' in answer_page
            else:
                offered = (
                    page is not None
                    and reverse("assessment:campaign_action", args=[campaign.pk, step]) in page
                )
            assert offered == allowed, (name, step, state)


@pytest.mark.parametrize("state", list(AssessmentState))
def test_assessment_pages_offer_what_the_services_allow(client, survey, state):
    w = survey
    found = scoring.assessment_compute(
        period="2026Q3", acting_user=w.users["coordinator"], campaign=w.campaign
    )
    Assessment.objects.filter(pk=found.pk).update(state=state)
    found = Assessment.objects.get(pk=found.pk)
    calls = {
        "compute": lambda u: scoring.assessment_compute(period="2026Q3", acting_user=u),
        "publish": lambda u: scoring.assessment_publish(assessment=found, acting_user=u),
    }
    assert set(calls) == set(lifecycle.ASSESSMENT_STEPS)
    for name, user in w.users.items():
        page = _page(client, user, reverse("assessment:assessment_detail", args=[found.period]))
        publish = allows(calls["publish"], user)
        assert publish == lifecycle.ASSESSMENT_STEPS["publish"].allows(user, found), (name, state)
        offered = page is not None and reverse("assessment:assessment_publish", args=[found.period]) in page
        assert offered == publish, (name, state)
        assert allows(calls["compute"], user) == lifecycle.ASSESSMENT_STEPS["compute"].allows(user, found)
