"""Seed 000 三(四) and 四(五)6: the principal leader (市主要领导, ZHUQI_PRINCIPAL_LEADER) is told of every
appeal, follows every one (sees it, and the enterprise it concerns) and may add instructions (批示) on
any; another leader only on its liaison enterprises' appeals."""

import pytest
from django.urls import reverse

from tests.appeals.test_lifecycle import submit
from tests.factories import UserFactory
from zhuqi.accounts.models import Role
from zhuqi.appeals import lifecycle, services
from zhuqi.appeals.selectors import appeals_visible_to
from zhuqi.core import permissions, worker
from zhuqi.core.errors import Forbidden
from zhuqi.core.models import OutboxMessage
from zhuqi.directory.selectors import enterprises_visible_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def mayor(loop, settings):
    settings.ZHUQI_PRINCIPAL_LEADER = "mayor"
    return UserFactory(username="mayor", role=Role.LEADER, mobile="13900000009")


def _recipients(event):
    """Who the event's messages go to, once the worker has fanned its one row out."""
    worker.deliver_due(channels=["fanout"])
    return set(
        OutboxMessage.objects.filter(key__startswith=f"appeal-event-{event.pk}:")
        .exclude(channel="fanout")
        .values_list("recipient__username", flat=True)
    )


def test_the_principal_leader_reads_and_instructs_on_any_appeal(client, loop, mayor):
    w = loop
    appeal = submit(w)  # w.a: mayor is not its liaison leader
    assert not mayor.liaisons.exists()
    assert mayor.username in _recipients(appeal.events.get(action="submit"))
    assert OutboxMessage.objects.filter(recipient=mayor, channel="sms", address="13900000009").exists()
    assert appeals_visible_to(mayor).filter(pk=appeal.pk).exists()
    assert enterprises_visible_to(mayor).filter(pk=w.b.pk).exists()
    client.force_login(mayor)
    page = client.get(reverse("appeals:appeal_detail", args=[appeal.number]))
    assert page.status_code == 200
    assert 'data-action="instruct"' in page.content.decode()
    assert lifecycle.offered(mayor, appeal) == ["instruct"]
    services.appeal_instruct(appeal=appeal, acting_user=mayor, instruction="请市工信局三日内办结并报告")
    event = appeal.events.get(action="instruct")
    assert event.actor == mayor and {"city_handler", "miit_head"} <= _recipients(event)
    # Nothing else: it neither handles nor coordinates.
    with pytest.raises(Forbidden):
        services.appeal_escalate(appeal=appeal, acting_user=mayor, comment="上会")


def test_another_leader_neither_reads_nor_instructs(client, loop, mayor):
    w = loop
    appeal = submit(w)
    other = UserFactory(username="vice_mayor", role=Role.LEADER)
    assert not permissions.is_principal_leader(other)
    assert not appeals_visible_to(other).filter(pk=appeal.pk).exists()
    with pytest.raises(Forbidden):
        services.appeal_instruct(appeal=appeal, acting_user=other, instruction="x")
    client.force_login(other)
    assert client.get(reverse("appeals:appeal_detail", args=[appeal.number])).status_code == 404


def test_the_name_alone_is_not_enough_nor_is_the_role(loop, settings):
    """The configured name must be a leader's (a capability, not a role test); unset, nobody is."""
    w = loop
    settings.ZHUQI_PRINCIPAL_LEADER = "coordinator"
    assert not permissions.is_principal_leader(w.users["coordinator"])  # holds no instruct_appeals
    settings.ZHUQI_PRINCIPAL_LEADER = ""
    assert not permissions.is_principal_leader(w.users["leader_a"])
    mayor = UserFactory(username="mayor", role=Role.LEADER, is_active=False)
    settings.ZHUQI_PRINCIPAL_LEADER = "mayor"
    assert not permissions.is_principal_leader(mayor)


def test_the_api_answers_the_principal_leader_too(client, loop, mayor):
    w = loop
    appeal = submit(w)
    client.force_login(mayor)
    assert client.get(f"/api/v1/appeals/{appeal.number}").status_code == 200
    answer = client.post(
        f"/api/v1/appeals/{appeal.number}/instruct",
        {"comment": "请加快办理"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert appeal.events.filter(action="instruct", actor=mayor).exists()


def _pilot_of(enterprise, department):
    from datetime import date

    from zhuqi.programs.models import Pilot, Programme

    programme = Programme.objects.create(code="dg-doubling", name="东莞市重点企业规模与效益倍增计划")
    return Pilot.objects.create(
        programme=programme,
        enterprise=enterprise,
        enterprise_class="foreign",
        department=department,
        commitment_years=3,
        start_year=2017,
        since=date(2017, 3, 1),
    )


def test_an_appeal_of_a_pilot_reaches_the_principal_leader_liaisons_and_both_departments_heads(
    client, loop, mayor
):
    """Seed 000 三(四): the pilot's appeal goes by SMS to 市主要领导, its 挂点 leaders and the heads of
    the responsible departments: the department handling it (市工信局, by routing) and the pilot's
    own responsible department (商务局 for a foreign-invested pilot). The principal leader reads and
    instructs on it; the responsible department follows it without handling it."""
    from tests.factories import DepartmentFactory
    from zhuqi.directory.models import Department

    w = loop
    commerce = DepartmentFactory(code="commerce", name="东莞市商务局", level=Department.Level.CITY)
    commerce_head = UserFactory(
        username="commerce_head", role=Role.HANDLER, department=commerce, mobile="13900000002"
    )
    commerce_clerk = UserFactory(username="commerce_clerk", role=Role.HANDLER, department=commerce)
    commerce.head = commerce_head
    commerce.save()
    w.users["leader_a"].mobile = "13900000003"
    w.users["leader_a"].save()
    pilot = _pilot_of(w.a, commerce)
    appeal = submit(w)
    assert appeal.department == w.city_dept  # handled by 市工信局, routed by its category
    recipients = _recipients(appeal.events.get(action="submit"))
    assert {"mayor", "leader_a", "miit_head", "commerce_head"} <= recipients
    assert "commerce_clerk" not in recipients  # the responsible department's head, not its staff
    texted = set(
        OutboxMessage.objects.filter(channel="sms", key__startswith="appeal-event-").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"mayor", "leader_a", "miit_head", "commerce_head"} <= texted
    # The responsible department follows its pilot's appeal (reads it) but handles nothing.
    assert appeals_visible_to(commerce_clerk).filter(pk=appeal.pk).exists()
    assert lifecycle.offered(commerce_head, appeal) == []
    # The principal leader reads it and instructs.
    client.force_login(mayor)
    assert client.get(reverse("appeals:appeal_detail", args=[appeal.number])).status_code == 200
    services.appeal_instruct(appeal=appeal, acting_user=mayor, instruction="请商务局跟进")
    assert appeal.events.filter(action="instruct", actor=mayor).exists()
    # A pilot no longer current: its former department is not told of the next appeal.
    pilot.state = "replaced"
    pilot.save()
    later = submit(w, title="用电报装迟迟未办")
    assert "commerce_head" not in _recipients(later.events.get(action="submit"))
    assert not appeals_visible_to(commerce_clerk).filter(pk=later.pk).exists()
