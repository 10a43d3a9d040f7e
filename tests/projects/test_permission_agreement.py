"""For every role, every action and every state of a key project: the buttons the project page
offers are exactly the actions the services allow. Each service is called for real in a savepoint
rolled back after it, and either succeeds or refuses with 403 (permission) or 409 (state)."""

import re
from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from zhuqi.accounts.models import Role
from zhuqi.core.errors import Conflict, Forbidden
from zhuqi.projects import lifecycle, services
from zhuqi.projects.models import Project

pytestmark = pytest.mark.django_db


class RolledBack(Exception):
    pass


def _calls(project, categories):
    today = timezone.localdate()
    return {
        "advance": lambda u: services.project_advance(project=project, acting_user=u, on=today),
        "plan": lambda u: services.project_plan(
            project=project, acting_user=u, months=[(today.year, 1, 1000)]
        ),
        "edit": lambda u: services.project_edit(project=project, acting_user=u, description="补充说明"),
        "report": lambda u: services.project_report(
            project=project,
            acting_user=u,
            year=today.year,
            month=today.month,
            actual=500,
            progress="主体施工",
        ),
        "problem": lambda u: services.project_raise_problem(
            project=project,
            acting_user=u,
            title="施工许可办理慢",
            description="已等三周。",
            category=categories.land,
        ),
        "stop": lambda u: services.project_stop(project=project, acting_user=u, reason="企业撤资"),
        "resume": lambda u: services.project_resume(project=project, acting_user=u),
    }


def _service_allows(call, user) -> bool:
    try:
        with transaction.atomic():
            call(user)
            raise RolledBack
    except RolledBack:
        return True
    except Forbidden:
        return False
    except Conflict as exc:
        assert exc.code == "invalid_transition", exc.code
        return False


def _page_offers(client, user, project) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("projects:project_detail", args=[project.number]))
    if response.status_code in (302, 404):  # a system client cannot sign in; out of scope: nothing
        return set()
    assert response.status_code == 200
    return set(re.findall(r'<button type="submit"[^>]* data-action="([^"]+)"', response.content.decode()))


@pytest.mark.parametrize("state", [*lifecycle.STAGES, lifecycle.STOPPED])
def test_buttons_offered_are_what_the_services_allow(client, world, make_project, categories, state):
    project = make_project(conceived_on=date(2026, 1, 5))
    if state == lifecycle.STOPPED:
        Project.objects.filter(pk=project.pk).update(
            stage="started", stopped_on=date(2026, 6, 1), stop_reason="停工"
        )
    else:
        Project.objects.filter(pk=project.pk).update(stage=state)
        project.milestones.exclude(stage="conceived").update(actual_on=None)
    project = Project.objects.select_related("department", "enterprise", "town").get(pk=project.pk)
    calls = _calls(project, categories)
    assert set(calls) == set(lifecycle.ACTIONS)
    users = world.users | {"other_leader": UserFactory(username="leader_b", role=Role.LEADER)}
    for who, user in users.items():
        allowed = {name for name, call in calls.items() if _service_allows(call, user)}
        offered = set(lifecycle.offered(user, project))
        assert offered == allowed, (who, state, offered, allowed)
        assert _page_offers(client, user, project) == offered, (who, state)


def test_who_does_what_on_a_project_being_built(world, make_project):
    project = make_project()
    Project.objects.filter(pk=project.pk).update(stage="advancing")
    project.refresh_from_db()
    offered = {who: set(lifecycle.offered(u, project)) for who, u in world.users.items()}
    assert offered["coordinator"] == {"advance", "plan", "edit", "report", "problem", "stop"}
    assert offered["city_handler"] == {"advance", "plan", "edit", "report", "problem"}  # its department's
    assert offered["town_a"] == {"advance", "plan", "edit", "report", "problem"}  # its town's
    assert offered["leader_a"] == {"report", "problem"}  # the liaison leader
    assert offered["enterprise_a"] == {"report", "problem"}  # its own
    for who in ("enterprise_b", "town_handler", "expert", "system"):
        assert offered[who] == set(), who
