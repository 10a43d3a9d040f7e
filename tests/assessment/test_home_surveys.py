"""An enterprise's home counts the open surveys it should answer (issue 12: 企业评判部门), linked to the
survey list filtered to exactly those, in one query whatever the number of campaigns."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.assessment.conftest import rate
from zhuqi.assessment import selectors, services
from zhuqi.core import workdays
from zhuqi.web.queues import queues_for

pytestmark = pytest.mark.django_db


def _campaign(w, title, *, open_it=True):
    campaign = services.campaign_create(
        title=title,
        period="2026Q4",
        deadline=timezone.localdate() + timedelta(days=7),
        sample_size=None,
        sample_seed=1,
        acting_user=w.users["coordinator"],
    )
    return (
        services.campaign_open(campaign=campaign, acting_user=w.users["coordinator"]) if open_it else campaign
    )


def _queue(user):
    return next((q for q in queues_for(user) if q.key == "surveys"), None)


def test_the_enterprise_home_counts_its_open_surveys_not_yet_answered(survey, client):
    w = survey
    user = w.users["enterprise_a"]
    second = _campaign(w, "第二次测评")
    _campaign(w, "尚未发出的测评", open_it=False)  # a draft asks nobody yet
    queue = _queue(user)
    assert queue.count == 2 and queue.url == reverse("assessment:campaigns") + "?todo=1" and queue.urgent
    rate(w, user, w.city_dept)  # answered the first: one left
    assert _queue(user).count == 1
    services.campaign_close(campaign=second, acting_user=w.users["coordinator"])  # closed: none left
    assert _queue(user).count == 0

    third = _campaign(w, "第三次测评")
    client.force_login(user)
    home = client.get(reverse("web:home")).content.decode()
    assert 'data-queue="surveys" data-count="1"' in home and "?todo=1" in home
    listed = client.get(reverse("assessment:campaigns"), {"todo": "1"}).content.decode()
    assert "第三次测评" in listed and reverse("assessment:answer", args=[third.pk]) in listed
    assert "第二次测评" not in listed and "尚未发出的测评" not in listed
    assert [c.pk for c in selectors.surveys_to_answer(user)] == [third.pk]


def test_only_an_enterprise_user_has_the_queue(survey):
    for name in ("coordinator", "city_handler", "town_a", "leader_a", "expert"):
        assert _queue(survey.users[name]) is None
        assert not selectors.surveys_to_answer(survey.users[name]).exists()


def test_the_count_takes_one_query_whatever_the_campaigns(survey, django_assert_num_queries):
    user = survey.users["enterprise_a"]
    with django_assert_num_queries(1):
        assert selectors.work_counts(user) == {"surveys": 1}
    for n in range(4):
        _campaign(survey, f"又一次测评{n}")
    with django_assert_num_queries(1):
        assert selectors.work_counts(user) == {"surveys": 5}
    workdays.exceptions()  # the calendar is cached per process
    with django_assert_num_queries(4):  # appeals, applications, offers, surveys: the enterprise's queues
        queues_for(user)
