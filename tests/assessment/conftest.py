from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import EnterpriseFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.appeals import services as appeal_services
from zhuqi.assessment import questionnaire, services
from zhuqi.directory.models import ServiceCategory

RESPONDENTS = 6


@pytest.fixture
def survey(world):
    """The world, the shipped questionnaire, six more enterprises of 长安镇 with a user each, and an
    open campaign asking all of them (deadline in a week)."""
    questionnaire.install_shipped()
    world.respondents = [world.users["enterprise_a"]]
    for i in range(RESPONDENTS - 1):
        enterprise = EnterpriseFactory(town=world.towns[0], name=f"东莞市测评{i}号企业有限公司")
        world.respondents.append(
            UserFactory(username=f"resp{i}", role=Role.ENTERPRISE, enterprise=enterprise)
        )
    world.campaign = services.campaign_create(
        title="测评",
        period="2026Q3",
        deadline=timezone.localdate() + timedelta(days=7),
        sample_size=None,
        sample_seed=7,
        acting_user=world.users["coordinator"],
    )
    world.campaign = services.campaign_open(campaign=world.campaign, acting_user=world.users["coordinator"])
    world.items = list(questionnaire.active_items(world.campaign.questionnaire).select_related("aspect"))
    return world


def rate(w, user, department, score=4, low_aspect=None, low=1):
    scores = {i.code: (low if i.aspect.code == low_aspect else score) for i in w.items}
    services.survey_answer(campaign=w.campaign, acting_user=user, department=department, scores=scores)


@pytest.fixture
def categories(world):
    financing = ServiceCategory.objects.create(code="financing", name="融资")
    labour = ServiceCategory.objects.create(code="labour", name="用工")
    world.city_dept.categories.add(financing)
    world.town_dept.categories.add(labour)
    world.cats = type("Cats", (), {"financing": financing, "labour": labour})
    return world


def appeal(w, category, *, handler, rating=None, user="enterprise_a"):
    """An appeal submitted now, replied by `handler`, rated when `rating` is given."""
    a = appeal_services.appeal_submit(
        enterprise=w.users[user].enterprise,
        title="诉求",
        description="d",
        category=category,
        acting_user=w.users[user],
    ).appeal
    if rating is None:
        return a
    a = appeal_services.appeal_accept(appeal=a, acting_user=w.users[handler])
    a = appeal_services.appeal_reply(appeal=a, acting_user=w.users[handler], reply="已办")
    return appeal_services.appeal_rate(appeal=a, acting_user=w.users[user], rating=rating)
