"""Home counts for late key projects (a stage past its planned date) for the people responsible:
counted in the database inside the home page's one query of engagement counts, the queue linking to
the project list showing exactly those projects."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from zhuqi.projects import selectors, services
from zhuqi.projects import status as project_status
from zhuqi.projects.models import Project
from zhuqi.web.queues import engagement_queues

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)
RESPONSIBLE = ("coordinator", "city_handler", "town_a", "town_handler", "leader_a")


@pytest.fixture
def projects(world, make_project):
    late = make_project(name="已逾期签约的项目")  # 签约 planned 2026-02-01: late since
    on_plan = make_project(name="按计划推进的项目", planned_dates={"signed": date(2026, 7, 1)})
    on_the_day = make_project(name="今天到期的项目", planned_dates={"signed": TODAY})
    stopped = make_project(name="已终止的项目")
    services.project_stop(project=stopped, acting_user=world.users["coordinator"], reason="企业撤资")
    producing = make_project(name="已投产的项目")
    Project.objects.filter(pk=producing.pk).update(stage="producing")
    elsewhere = make_project(
        name="虎门镇的项目", town=world.towns[1], enterprise=world.b, department=None, liaison_leader=None
    )
    return {"late": late, "on_plan": on_plan, "on_the_day": on_the_day, "elsewhere": elsewhere}


def queue(user, today=TODAY):
    found = {q.key: q for q in engagement_queues(user, today=today)}
    return found.get("projects_late")


def late_by_status(user, today=TODAY) -> set[int]:
    active = selectors.projects_visible_to(user).filter(stopped_on__isnull=True)
    return {pk for pk, st in project_status.statuses(active, today).items() if st.late_days > 0}


def test_each_responsible_person_counts_its_late_projects(world, projects):
    expected = {
        "coordinator": {projects["late"].pk, projects["elsewhere"].pk},
        "city_handler": {projects["late"].pk},  # its department's
        "town_a": {projects["late"].pk},  # its town's, not 虎门镇's
        "town_handler": {projects["late"].pk},
        "leader_a": {projects["late"].pk},  # its liaison project
    }
    for who in RESPONSIBLE:
        user = world.users[who]
        found = queue(user)
        listed = set(selectors.project_search(user, late="1", today=TODAY).values_list("pk", flat=True))
        assert found.count == len(expected[who]) and listed == expected[who] == late_by_status(user), who
        assert found.url == reverse("projects:project_list") + "?late=1" and found.urgent
    for who in ("enterprise_a", "expert"):  # an enterprise reports on its project; it is not counted
        assert queue(world.users[who]) is None, who


def test_late_starts_the_day_after_the_planned_date_and_ends_with_the_stage(world, projects):
    coordinator = world.users["coordinator"]
    on_the_day = projects["on_the_day"]
    assert on_the_day.pk not in set(
        selectors.project_search(coordinator, late="1", today=TODAY).values_list("pk", flat=True)
    )
    tomorrow = date(2026, 6, 16)
    assert on_the_day.pk in set(
        selectors.project_search(coordinator, late="1", today=tomorrow).values_list("pk", flat=True)
    )
    assert queue(coordinator, tomorrow).count == len(late_by_status(coordinator, tomorrow)) == 3
    services.project_advance(project=projects["late"], acting_user=coordinator, on=TODAY)  # 签约 reached
    assert projects["late"].pk in late_by_status(coordinator)  # 落地 (planned 03-01) now late
    assert queue(coordinator).count == len(late_by_status(coordinator)) == 2
    Project.objects.filter(pk=projects["late"].pk).update(stage="completed")  # 投产 planned 12-01
    assert queue(coordinator).count == 1 and late_by_status(coordinator) == {projects["elsewhere"].pk}


@pytest.mark.parametrize("who", RESPONSIBLE)
def test_the_count_costs_no_query_of_its_own(world, projects, make_project, who, django_assert_num_queries):
    user = world.users[who]
    if hasattr(user, "department") and user.department_id:
        user.department  # noqa: B018 - loaded once per request by the home page already
    with django_assert_num_queries(1):  # engagement's one row of counts, the late projects within it
        before = queue(user).count
    for n in range(5):
        make_project(name=f"又一个逾期项目{n}")
    with django_assert_num_queries(1):
        assert queue(user).count == before + 5


def test_the_home_page_and_the_list_show_the_count(client, world, projects):
    user = world.users["city_handler"]
    today = timezone.localdate()
    count = len(late_by_status(user, today))
    client.force_login(user)
    home = client.get(reverse("web:home")).content.decode()
    assert f'data-queue="projects_late" data-count="{count}"' in home
    listed = client.get(reverse("projects:project_list"), {"late": "1"}).content.decode()
    assert projects["late"].number in listed and projects["elsewhere"].number not in listed
