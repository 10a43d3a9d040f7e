"""A problem recorded on a visit is an appeal on the visit channel, routed like any other, linked to
the visit both ways."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhuqi.appeals.models import Appeal, AppealEvent, Channel
from zhuqi.appeals.routing import route
from zhuqi.core import backlinks
from zhuqi.core.errors import Forbidden, NotFound, ZhuqiError
from zhuqi.core.models import Attachment, OutboxMessage
from zhuqi.engagement.models import Visit
from zhuqi.engagement.visits import Problem, record_visit

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def test_problem_becomes_an_appeal_linked_both_ways(world, category):
    world.city_dept.categories.add(category)
    leader = world.users["leader_a"]
    recorded = record_visit(
        enterprise=world.a,
        kind="onsite",
        visited_on=date(2026, 11, 20),
        acting_user=leader,
        departments=[world.city_dept],
        ask_status="订单饱满",
        ask_needs="新增生产线需用电增容",
        help_solve="现场协调供电所",
        problems=[Problem("新增生产线需用电增容", "二期生产线需增容800千伏安。", category)],
        attachments=[SimpleUploadedFile("site.png", PNG)],
    )
    visit = recorded.visit
    (appeal,) = recorded.appeals
    assert visit.leader == leader and list(visit.departments.all()) == [world.city_dept]
    # Linked both ways.
    assert list(visit.appeals.all()) == [appeal] and list(appeal.visits.all()) == [visit]
    # The appeal's page links back to the visit (core/backlinks), for those who may open it.
    (link,) = backlinks.for_object(leader, "appeals.appeal", appeal.pk)
    assert link[1] == f"/engagement/visits/{visit.pk}/"
    assert backlinks.for_object(world.users["enterprise_a"], "appeals.appeal", appeal.pk) == []
    # Routed like any other appeal: the same rule, its submission and dispatch events, its messages.
    assert appeal.channel == Channel.VISIT and appeal.submitted_by == leader
    assert appeal.department == route(world.a, category) == world.city_dept
    assert list(AppealEvent.objects.filter(appeal=appeal).values_list("action", flat=True)) == [
        "submit",
        "dispatch",
    ]
    assert appeal.resolve_due is not None
    # The submission names its audience in one row; the worker tells each person in it.
    from zhuqi.core.worker import deliver_due

    deliver_due(channels=["fanout"])
    assert OutboxMessage.objects.filter(
        recipient__username="city_handler", link=f"/appeals/{appeal.number}/"
    ).exists()
    assert Attachment.objects.filter(object_type="visit", object_id=str(visit.pk)).count() == 1


def test_a_bad_problem_rolls_the_visit_back(world, category):
    with pytest.raises(ZhuqiError):
        record_visit(
            enterprise=world.a,
            kind="onsite",
            visited_on=date(2026, 11, 20),
            acting_user=world.users["leader_a"],
            problems=[Problem("", "", category)],
        )
    assert not Visit.objects.exists() and not Appeal.objects.exists()


def test_scope_and_bounds(world):
    with pytest.raises(NotFound):  # not its liaison enterprise
        record_visit(
            enterprise=world.b,
            kind="onsite",
            visited_on=date(2026, 11, 1),
            acting_user=world.users["leader_a"],
        )
    with pytest.raises(Forbidden):
        record_visit(
            enterprise=world.a,
            kind="onsite",
            visited_on=date(2026, 11, 1),
            acting_user=world.users["enterprise_a"],
        )
    with pytest.raises(ZhuqiError):
        record_visit(
            enterprise=world.a,
            kind="onsite",
            visited_on=date(2099, 1, 1),
            acting_user=world.users["leader_a"],
        )
    with pytest.raises(ZhuqiError):
        record_visit(
            enterprise=world.a,
            kind="teleport",
            visited_on=date(2026, 11, 1),
            acting_user=world.users["leader_a"],
        )
    with pytest.raises(ZhuqiError):
        record_visit(
            enterprise=world.a,
            kind="onsite",
            visited_on=date(2026, 11, 1),
            acting_user=world.users["leader_a"],
            summary="长" * 2001,
        )
    assert not Visit.objects.exists()


def test_the_town_records_for_the_liaison(world):
    visit = record_visit(
        enterprise=world.a, kind="phone", visited_on=date(2026, 11, 2), acting_user=world.users["town_a"]
    ).visit
    assert visit.leader == world.users["leader_a"] and visit.recorded_by == world.users["town_a"]
