"""The list of 100 projects over 100,000,000 yuan (seed 003 三(一)5): filled from the key-project
register, largest investment first; projects that did not report their progress on time, or that are
seriously behind plan, are out; the office adds and removes with a reason; year-to-year in/out; the
page, the API and the export read it."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tests.factories import TownFactory, UserFactory
from zhuqi.accounts.models import Role
from zhuqi.core import jobs
from zhuqi.core.errors import Conflict
from zhuqi.cultivation import keylists
from zhuqi.cultivation.models import EntryState, KeyListEntry, ListKind
from zhuqi.projects.models import Milestone, MonthFigure, Project

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 6, 15)


def project(town, n: int, investment, **fields) -> Project:
    return Project.objects.create(
        number=f"XM{n:05d}", name=f"项目{n}", town=town, investment=Decimal(investment), **fields
    )


@pytest.fixture
def office(db):
    return UserFactory(role=Role.COORDINATOR)


@pytest.fixture
def register(db):
    """105 projects of 101 … 205 million yuan, the largest numbered 104; one just under 1亿, one stopped."""
    town = TownFactory(code="a")
    made = [project(town, i, 101_000_000 + i * 1_000_000) for i in range(105)]
    project(town, 900, "99999999.99")
    project(town, 901, 900_000_000, stopped_on=date(2026, 3, 1), stop_reason="企业撤资")
    return made


def on_list(key_list) -> list[int]:
    return list(
        key_list.entries.filter(state=EntryState.IN).order_by("rank").values_list("project_id", flat=True)
    )


def test_one_hundred_largest_and_the_two_drop_out_rules(office, register):
    late, slow = register[104], register[103]  # the two largest
    # a month of 2025 with planned investment, reported after the reporting day (31 March 2026)
    MonthFigure.objects.create(
        project=late, year=2025, month=11, planned=5_000_000, actual=5_000_000,
        reported_at=datetime(2026, 4, 20, tzinfo=TZ),
    )  # fmt: skip
    MonthFigure.objects.create(
        project=register[102],
        year=2025,
        month=11,
        planned=5_000_000,
        actual=5_000_000,
        reported_at=datetime(2025, 12, 8, tzinfo=TZ),
    )  # fmt: skip  on time: stays
    # 不能按计划开工: signing planned 60 days ago, not reached — red
    Milestone.objects.create(project=slow, stage="signed", planned_on=TODAY - timedelta(days=60))
    key_list = keylists.list_for(ListKind.PROJECTS, 2026)
    counts = keylists.list_propose(key_list=key_list, acting_user=office, today=TODAY)
    ids = on_list(key_list)
    assert len(ids) == 100 == counts["placed"] and counts["late"] == 1 and counts["behind"] == 1
    assert ids == [p.pk for p in reversed(register[:103])][:100]
    assert key_list.entries.get(project=late).state == EntryState.LATE
    out = key_list.entries.get(project=slow)
    assert out.state == EntryState.BEHIND and out.rank == 2 and out.reason
    assert not key_list.entries.filter(project__number__in=["XM00900", "XM00901"]).exists()
    for kept_out in (late, slow):
        with pytest.raises(Conflict):
            keylists.list_add(key_list=key_list, project=kept_out, acting_user=office, reason="重点扶持")


def test_office_removes_and_adds_and_a_new_proposal_keeps_both(office, register):
    key_list = keylists.list_for(ListKind.PROJECTS, 2026)
    keylists.list_propose(key_list=key_list, acting_user=office, today=TODAY)
    outsider = register[0]  # the smallest: not on the list
    with pytest.raises(Conflict):  # full
        keylists.list_add(key_list=key_list, project=outsider, acting_user=office, reason="链主项目")
    keylists.list_remove(
        entry=key_list.entries.get(project=register[-1]), acting_user=office, reason="用地未落实"
    )
    keylists.list_add(key_list=key_list, project=outsider, acting_user=office, reason="链主项目")
    keylists.list_propose(key_list=key_list, acting_user=office, today=TODAY)
    ids = on_list(key_list)
    assert len(ids) == 100 and outsider.pk in ids and register[-1].pk not in ids
    stopped = Project.objects.get(number="XM00901")
    with pytest.raises(Conflict):  # stopped: not a key project
        keylists.list_add(key_list=key_list, project=stopped, acting_user=office, reason="重点扶持")
    keylists.list_publish(key_list=key_list, acting_user=office)


def test_year_to_year_in_and_out(office, register):
    old = keylists.list_for(ListKind.PROJECTS, 2025)
    keylists.list_rule_edit(key_list=old, acting_user=office, changes={"min_investment": 150_000_000})
    keylists.list_propose(key_list=old, acting_user=office, today=TODAY)
    keylists.list_publish(key_list=old, acting_user=office)
    assert len(on_list(old)) == 56  # 150 … 205 million
    new = keylists.list_for(ListKind.PROJECTS, 2026)
    keylists.list_propose(key_list=new, acting_user=office, today=TODAY)
    entered, left = keylists.changes(new)
    assert entered == {p.pk for p in register[5:49]} and left == set()


def test_an_entry_is_an_enterprise_or_a_project(office, register):
    from django.db import IntegrityError, transaction

    key_list = keylists.list_for(ListKind.PROJECTS, 2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyListEntry.objects.create(key_list=key_list)


def test_page_api_and_export(client, world):
    office = world.users["coordinator"]
    for i in range(3):
        project(world.towns[i % 2], i, 200_000_000 + i, enterprise=world.a)
    key_list = keylists.list_for(ListKind.PROJECTS, 2026)
    keylists.list_propose(key_list=key_list, acting_user=office, today=TODAY)
    client.force_login(office)
    page = client.get("/cultivation/lists/projects/?year=2026").content.decode()
    assert "/projects/XM00002/" in page and "项目2" in page and "2亿元" in page
    added = client.post(
        "/cultivation/lists/projects/add/", {"year": 2026, "project_number": "XM00001", "reason": "x"}
    )
    assert added.status_code == 302  # already listed: a message, nothing changed
    body = client.get("/api/v1/cultivation/key-lists/projects/entries?year=2026").json()
    assert [e["project_number"] for e in body["items"]] == ["XM00002", "XM00001", "XM00000"]
    assert body["items"][0]["enterprise_name"] == world.a.name and body["items"][0]["investment"]
    detail = client.get("/api/v1/cultivation/key-lists/projects?year=2026").json()
    assert set(detail["entered"]) == {"XM00000", "XM00001", "XM00002"}
    # a town officer sees its town's projects only
    client.force_login(world.users["town_a"])
    mine = client.get("/api/v1/cultivation/key-lists/projects/entries?year=2026").json()
    assert {e["project_number"] for e in mine["items"]} == {"XM00000", "XM00002"}
    # the export is a job over the projects the owner may see
    job = jobs.enqueue(kind="export.cultivation", owner=office, parameters={"kind": "projects", "year": 2026})
    jobs.run_pending()
    path, _name = jobs.download(office, job.pk)
    sheet = load_workbook(BytesIO(path.read_bytes())).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "XM00002",
        "XM00001",
        "XM00000",
    ]
