"""The services of key projects: creation, stages, monthly reports, problems as appeals."""

from datetime import date
from decimal import Decimal

import pytest

from zhuqi.appeals.models import Appeal, Channel
from zhuqi.core.errors import Conflict, Forbidden, ZhuqiError
from zhuqi.core.models import AuditEvent, OutboxMessage
from zhuqi.projects import selectors, services
from zhuqi.projects.models import Milestone

pytestmark = pytest.mark.django_db


def test_a_new_project_is_conceived_with_a_milestone_per_stage(world, make_project):
    project = make_project()
    assert project.number.startswith("XM2026") and project.stage == "conceived"
    milestones = {m.stage: m for m in Milestone.objects.filter(project=project)}
    assert len(milestones) == 7
    assert milestones["conceived"].actual_on == date(2026, 1, 5)
    assert milestones["producing"].planned_on == date(2026, 12, 1)
    assert AuditEvent.objects.filter(verb="project_create", object_id=str(project.pk)).exists()
    # the liaison leader hears of it
    assert OutboxMessage.objects.filter(
        recipient=world.users["leader_a"], link__contains=project.number
    ).exists()


def test_stages_follow_one_another_up_to_production_then_stop(world, make_project):
    project = make_project()
    coordinator = world.users["coordinator"]
    for day in (date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1), date(2026, 9, 1)):
        project = services.project_advance(project=project, acting_user=coordinator, on=day)
    project = services.project_advance(project=project, acting_user=coordinator, on=date(2026, 11, 30))
    assert project.stage == "producing"
    with pytest.raises(Conflict) as refused:
        services.project_advance(project=project, acting_user=coordinator)
    assert refused.value.code == "invalid_transition"


def test_a_stage_cannot_be_reached_before_the_previous_one(world, make_project):
    project = make_project()
    with pytest.raises(ZhuqiError) as refused:
        services.project_advance(project=project, acting_user=world.users["coordinator"], on=date(2026, 1, 1))
    assert refused.value.code == "date_before_stage"


def test_planned_dates_keep_the_order_of_the_stages(world, make_project):
    project = make_project()
    with pytest.raises(ZhuqiError) as refused:
        services.project_plan(
            project=project,
            acting_user=world.users["coordinator"],
            planned_dates={"started": date(2026, 2, 15)},
        )
    assert refused.value.code == "plan_out_of_order"


def test_a_problem_on_a_project_is_an_appeal_linked_both_ways(world, make_project, categories):
    project = make_project()
    problem = services.project_raise_problem(
        project=project,
        acting_user=world.users["enterprise_a"],
        title="施工用电未接入",
        description="临时用电申请已提交两周，尚未接入。",
        category=categories.land,
    )
    appeal = Appeal.objects.get(pk=problem.appeal_id)
    # routed like any other appeal: 市工信局 handles 用地 in this world
    assert appeal.department == world.city_dept and appeal.state == "dispatched"
    assert appeal.channel == Channel.WEB and appeal.enterprise == world.a
    assert project.number in appeal.description
    # both ways
    assert appeal.project_problem.project == project
    assert list(project.problems.values_list("appeal__number", flat=True)) == [appeal.number]


def test_staff_record_a_project_problem_as_found_on_a_visit(world, make_project, categories):
    project = make_project()
    problem = services.project_raise_problem(
        project=project,
        acting_user=world.users["leader_a"],
        title="贷款审批慢",
        description="项目贷款审批已两个月。",
        category=categories.financing,
    )
    assert problem.appeal.channel == Channel.VISIT


def test_who_may_not_raise_a_problem_is_refused_and_nothing_is_written(world, make_project, categories):
    project = make_project()
    with pytest.raises(Forbidden):
        services.project_raise_problem(
            project=project,
            acting_user=world.users["enterprise_b"],
            title="无关",
            description="无关",
            category=categories.land,
        )
    assert not Appeal.objects.exists()


def test_scope_of_projects(world, make_project):
    project = make_project()
    other = make_project(town=world.towns[1], enterprise=world.b, department=None, liaison_leader=None)
    seen = {
        name: set(selectors.projects_visible_to(u).values_list("pk", flat=True))
        for name, u in world.users.items()
    }
    assert seen["coordinator"] == {project.pk, other.pk}
    assert seen["leader_a"] == {project.pk}
    assert seen["town_a"] == {project.pk}
    assert seen["city_handler"] == {project.pk}
    assert seen["enterprise_a"] == {project.pk}
    assert seen["enterprise_b"] == {other.pk}
    assert seen["expert"] == set()


def test_key_projects_are_those_over_a_hundred_million(world, make_project):
    big = make_project()
    make_project(investment=Decimal("99999999.99"))
    assert list(selectors.key_projects()) == [big]
