"""The pilots' pages: scoped (404 outside), each list exports to .xlsx with its filters, the
evaluation page offers exactly the steps the services allow, and no page goes N+1."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import UserFactory
from tests.job_helpers import job_from_redirect, run_worker_once
from tests.programs.pilots_world import PilotsWorld, growth
from zhuqi.accounts.models import Role
from zhuqi.core.errors import Conflict, Forbidden
from zhuqi.programs import evaluation as ev
from zhuqi.programs import evaluation_lifecycle
from zhuqi.programs import monitoring_services as ms
from zhuqi.programs.evaluation_models import Evaluation, ReportingTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    world = PilotsWorld()
    world.a = world.pilot()
    world.series(world.a.enterprise, growth(100_000_000, 0.30), growth(5_000_000, 0.30))
    world.b = world.pilot(enterprise_class="foreign")
    world.series(world.b.enterprise, growth(100_000_000, 0.02), growth(5_000_000, 0.02))
    world.user_a = UserFactory(username="ent_a", role=Role.ENTERPRISE, enterprise=world.a.enterprise)
    return world


def _rows(client, url):
    """The page's export button: a job of the user's, run by the worker, then its file."""
    job = job_from_redirect(client.post(url))
    run_worker_once()
    answer = client.get(reverse("web:job_file", args=[job.pk]))
    assert answer.status_code == 200, answer.status_code
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_office_reads_every_page_and_exports_each_list(client, w, django_assert_max_num_queries):
    client.force_login(w.coordinator)
    for _ in range(3):
        w.pilot()
    with django_assert_max_num_queries(20):
        page = client.get(reverse("pilots:pilot_list") + "?year=2018")
    assert page.status_code == 200 and w.a.enterprise.name in page.content.decode()
    rows = _rows(client, reverse("pilots:pilot_export") + "?year=2018&q=" + w.a.enterprise.name[:8])
    assert rows[0][0] == "统一社会信用代码" and len(rows) >= 2
    mine = next(r for r in rows if r[1] == w.a.enterprise.name)
    assert mine[9] == 1.69 and mine[14] == "是"  # 1.3² on a path needing 2^(2/3) ≈ 1.5874
    detail = client.get(reverse("pilots:pilot_detail", args=[w.a.pk]))
    assert detail.status_code == 200 and "chart-path" in detail.content.decode()
    ms.tasks_issue(programme=w.programme, year=2018, half=1, acting_user=w.coordinator)
    assert client.get(reverse("pilots:task_list") + "?state=open").status_code == 200
    assert len(_rows(client, reverse("pilots:task_export"))) == 6
    evaluation = ev.evaluation_run(programme=w.programme, year=2017, acting_user=w.coordinator)
    page = client.get(reverse("pilots:evaluation_detail", args=[evaluation.pk]))
    assert page.status_code == 200
    assert set(evaluation_lifecycle.offered(w.coordinator, evaluation)) == {"rerun", "propose"}
    assert 'data-step="propose"' in page.content.decode()
    rows = _rows(client, reverse("pilots:evaluation_export", args=[evaluation.pk]))
    assert {r[9] for r in rows[1:]} >= {"继续保留（保持倍增趋势）", "保留一年试点待遇"}
    assert client.get(reverse("pilots:registration")).status_code == 200


def test_a_department_sees_its_pilots_and_an_enterprise_its_own_report(client, w):
    head = w.departments["foreign"].head
    client.force_login(head)
    assert client.get(reverse("pilots:pilot_detail", args=[w.b.pk])).status_code == 200
    assert client.get(reverse("pilots:pilot_detail", args=[w.a.pk])).status_code == 404
    ms.tasks_issue(programme=w.programme, year=2018, half=2, acting_user=w.coordinator)
    task_a = ReportingTask.objects.get(pilot=w.a)
    assert client.get(reverse("pilots:task_detail", args=[task_a.pk])).status_code == 404
    client.force_login(w.user_a)
    page = client.get(reverse("pilots:task_detail", args=[task_a.pk]))
    assert page.status_code == 200 and 'name="main_revenue"' in page.content.decode()
    answer = client.post(
        reverse("pilots:task_submit", args=[task_a.pk]),
        {"main_revenue": "219700000", "tax_paid": "10985000", "operating_status": "产销两旺"},
    )
    assert answer.status_code == 302
    assert ReportingTask.objects.get(pk=task_a.pk).state == "submitted"
    bad = client.post(
        reverse("pilots:task_submit", args=[task_a.pk]), {"main_revenue": "很多", "tax_paid": "1"}
    )
    assert bad.status_code == 422
    # The enterprise neither runs an evaluation nor issues tasks.
    assert (
        client.post(reverse("pilots:evaluation_run"), {"programme": w.programme.pk, "year": 2017}).status_code
        == 404
    )
    assert not Evaluation.objects.exists()


def test_evaluation_steps_offered_are_what_the_services_allow(client, w):
    evaluation = ev.evaluation_run(programme=w.programme, year=2017, acting_user=w.coordinator)
    item = evaluation.items.get(pilot=w.b)
    ev.item_amend(item=item, acting_user=w.coordinator, assessment="feasible", assessment_note="可行")
    users = {
        "coordinator": w.coordinator,
        "handler": w.departments["foreign"].head,
        "enterprise": w.user_a,
        "leader": UserFactory(username="leader", role=Role.LEADER),
    }
    calls = {
        "propose": lambda u, e: ev.evaluation_propose(
            evaluation=e, committee_note="会", proposed_on=date(2018, 2, 1), acting_user=u
        ),
        "return": lambda u, e: ev.evaluation_return(evaluation=e, note="退回", acting_user=u),
        "approve": lambda u, e: ev.evaluation_approve(
            evaluation=e, approval_document="文", approved_on=date(2018, 2, 2), acting_user=u
        ),
        "rerun": lambda u, e: ev.evaluation_run(programme=e.programme, year=e.year, acting_user=u),
    }
    from django.db import transaction

    class RolledBack(Exception):
        pass

    for state in Evaluation.State.values:
        Evaluation.objects.filter(pk=evaluation.pk).update(state=state)
        current = Evaluation.objects.get(pk=evaluation.pk)
        for who, user in users.items():
            allowed = set()
            for name, call in calls.items():
                try:
                    with transaction.atomic():
                        call(user, current)
                        raise RolledBack
                except RolledBack:
                    allowed.add(name)
                except (Forbidden, Conflict):
                    pass
            assert set(evaluation_lifecycle.offered(user, current)) == allowed, (who, state)


def test_a_pilots_page_links_its_liaison_leaders_and_visits(client, w):
    """Seed 000 四(五): a pilot is served one to one by its liaison (挂点) leaders — the pilot's page
    links its liaison service in the engagement app (core/backlinks.py), for those who may see it."""
    from tests.factories import LiaisonFactory
    from zhuqi.engagement import visits

    leader = UserFactory(username="leader_li", role=Role.LEADER, display_name="李副市长")
    LiaisonFactory(leader=leader, enterprise=w.a.enterprise, since=date(2017, 3, 1))
    visits.record_visit(
        enterprise=w.a.enterprise, kind="onsite", visited_on=date(2018, 5, 8), acting_user=leader
    )
    client.force_login(w.coordinator)
    page = client.get(reverse("pilots:pilot_detail", args=[w.a.pk])).content.decode()
    assert 'id="liaison-service"' in page
    assert "挂点领导：李副市长（" in page and "走访记录：1次，最近一次2018年5月8日" in page
    assert "/engagement/liaisons/?q=" in page and "/engagement/visits/?q=" in page
    other = client.get(reverse("pilots:pilot_detail", args=[w.b.pk])).content.decode()
    assert 'id="liaison-service"' not in other  # no liaison, no visit: nothing to link
    client.force_login(w.user_a)  # the enterprise does not follow the engagement pages
    assert (
        'id="liaison-service"'
        not in client.get(reverse("pilots:pilot_detail", args=[w.a.pk])).content.decode()
    )
