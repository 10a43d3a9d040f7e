"""Pages and API of engagement, scoped: a leader its own enterprises, a town its town's."""

from datetime import date

import pytest

from zhuqi.directory.models import LiaisonAssignment
from zhuqi.engagement import visits
from zhuqi.engagement.models import Visit

pytestmark = pytest.mark.django_db


def test_pages_answer_for_each_role(world, client):
    LiaisonAssignment.objects.filter(enterprise=world.a).update(since=date(2026, 1, 1))
    visits.record_visit(
        enterprise=world.a, kind="onsite", visited_on=date(2026, 11, 2), acting_user=world.users["leader_a"]
    )
    pages = [
        "/engagement/liaisons/",
        "/engagement/visits/",
        "/engagement/visits/new/",
        "/engagement/compliance/",
        "/engagement/meetings/",
        "/engagement/tasks/",
        "/engagement/events/",
    ]
    for role in ("coordinator", "leader_a", "town_a", "city_handler"):
        client.force_login(world.users[role])
        for url in pages:
            assert client.get(url).status_code == 200, (role, url)
    client.force_login(world.users["coordinator"])
    for url in (
        "/engagement/liaisons/proposals/",
        "/engagement/meetings/new/",
        "/engagement/events/new/",
        "/engagement/tasks/new/",
    ):
        assert client.get(url).status_code == 200, url
    client.force_login(world.users["enterprise_a"])
    assert client.get("/engagement/visits/").status_code == 404
    assert client.get("/engagement/events/new/").status_code == 200


def test_visit_scope(world, client):
    visit = visits.record_visit(
        enterprise=world.a, kind="phone", visited_on=date(2026, 11, 2), acting_user=world.users["leader_a"]
    ).visit
    client.force_login(world.users["town_a"])  # 长安镇: its town's
    assert client.get(f"/engagement/visits/{visit.pk}/").status_code == 200
    other = type(world.users["town_a"]).objects.create(
        username="town_b", role="town_officer", town=world.towns[1]
    )
    client.force_login(other)
    assert client.get(f"/engagement/visits/{visit.pk}/").status_code == 404
    assert client.get("/api/v1/engagement/visits").json()["items"] == []


def test_phone_form_records_the_visit_and_the_appeal(world, client, category):
    world.city_dept.categories.add(category)
    client.force_login(world.users["leader_a"])
    response = client.post(
        "/engagement/visits/new/",
        {
            "enterprise": world.a.uscc,
            "kind": "onsite",
            "visited_on": "2026-11-20",
            "problem_title": "用电增容",
            "problem_description": "需增容",
            "problem_category": category.pk,
            "brought_conduct": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = Visit.objects.get()
    assert visit.appeals.count() == 1


def test_api_records_a_visit_with_a_problem(world, client, category):
    client.force_login(world.users["leader_a"])
    response = client.post(
        "/api/v1/engagement/visits",
        {
            "enterprise_uscc": world.a.uscc,
            "kind": "onsite",
            "visited_on": "2026-11-20",
            "ask_needs": "用电",
            "problems": [{"title": "用电增容", "description": "需增容", "category_code": category.code}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert len(response.json()["appeals"]) == 1
    assert client.get("/api/v1/engagement/compliance?year=2026&quarter=4").status_code == 200
    bad = client.post(
        "/api/v1/engagement/visits",
        {
            "enterprise_uscc": world.a.uscc,
            "kind": "onsite",
            "visited_on": "2026-11-20",
            "summary": "长" * 2001,
        },
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_home_page_queues_of_a_leader(world, client):
    from zhuqi.web.queues import engagement_queues

    LiaisonAssignment.objects.filter(enterprise=world.a).update(since=date(2026, 1, 1))
    keys = {q.key: q.count for q in engagement_queues(world.users["leader_a"], today=date(2026, 11, 27))}
    assert keys["visits_due"] == 1  # not contacted in the week of 23 November
    assert keys["visit_problems"] == 0
    client.force_login(world.users["leader_a"])
    assert 'data-queue="visits_due"' in client.get("/").content.decode()


def test_exports_of_visits_and_compliance(world, client):
    from tests.job_helpers import cells, page_export

    LiaisonAssignment.objects.filter(enterprise=world.a).update(since=date(2026, 1, 1))
    visits.record_visit(
        enterprise=world.a,
        kind="onsite",
        visited_on=date(2026, 11, 2),
        acting_user=world.users["leader_a"],
        summary="走访小结",
    )
    client.force_login(world.users["leader_a"])
    assert {world.a.name, "走访小结", "入企走访"} <= cells(page_export(client, "engagement:visit_export"))
    found = cells(
        page_export(
            client, "engagement:compliance_export", {"year": "2026", "quarter": "4", "status": "done"}
        )
    )
    assert {world.a.name, "挂点领导每季度走访", "已完成"} <= found and "已超期" not in found
    client.force_login(world.users["town_a"])
    assert (
        client.post("/engagement/compliance/export/?year=1&quarter=9").status_code == 302
    )  # refused, back to the page


def test_the_visit_form_suggests_and_takes_the_enterprise_by_name_and_the_photo_goes_to_the_appeal(
    world, client, category, settings, tmp_path
):
    """Found by a new user: the picker sent `enterprise=` and the suggestions read only `q`, so nothing
    was ever suggested; a name typed in full was refused; the photo stayed on the visit only."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhuqi.core.models import Attachment

    settings.MEDIA_ROOT = tmp_path / "media"
    world.city_dept.categories.add(category)
    client.force_login(world.users["leader_a"])
    suggested = client.get("/enterprises/options/", {"enterprise": world.a.name[:4]}).content.decode()
    assert f'value="{world.a.uscc}"' in suggested
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    response = client.post(
        "/engagement/visits/new/",
        {
            "enterprise": world.a.name,
            "kind": "onsite",
            "visited_on": "2026-11-20",
            "problem_title": "用电增容",
            "problem_description": "需增容",
            "problem_category": category.pk,
            "photo": SimpleUploadedFile("现场.png", png, content_type="image/png"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = Visit.objects.get()
    appeal = visit.appeals.get()
    assert visit.enterprise == world.a
    assert Attachment.objects.filter(object_type="appeal", object_id=str(appeal.pk)).count() == 1
    assert Attachment.objects.filter(object_type="visit", object_id=str(visit.pk)).count() == 1


@pytest.mark.parametrize("day", ["1990-01-01", "2999-01-01"])
def test_a_visit_date_out_of_range_says_which_days_are_allowed(world, client, day):
    """The walk of 2026-12-06: a visit on 1990-01-01 was refused with 「日期不能晚于今天。」."""
    client.force_login(world.users["leader_a"])
    response = client.post(
        "/engagement/visits/new/",
        {"enterprise": world.a.uscc, "kind": "onsite", "visited_on": day, "summary": "走访"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 422 and not Visit.objects.exists()
    assert "日期须在2000年1月1日至今天之间。" in response.content.decode()
