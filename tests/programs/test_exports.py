"""Every programme list exports through a background job (issue 9, item 11; the brief's standard for
lists that can grow): the page's button queues a job of the user's, the worker writes the file with
the page's filters and the user's scope, and a list the user may not read queues nothing. The
registration list (报名名单) holds every application of the round with its class, town and state."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.job_helpers import job_from_redirect, run_worker_once
from zhuqi.core import jobs
from zhuqi.core.errors import NotFound
from zhuqi.core.models import Job
from zhuqi.programs import services

pytestmark = pytest.mark.django_db


def _sheet(client, url: str) -> list[list]:
    job = job_from_redirect(client.post(url))
    page = client.get(reverse("web:job_detail", args=[job.pk])).content.decode()
    assert "<progress" in page  # queued: the page polls its progress
    run_worker_once()
    answer = client.get(reverse("web:job_file", args=[job.pk]))
    assert answer.status_code == 200, answer.status_code
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.fixture
def applied(sel):
    w = sel
    w.first = w.apply(w.a, enterprise_class="high_tech")
    w.second = w.apply(w.b, enterprise_class="foreign")
    services.application_withdraw(application=w.second, acting_user=w.users["enterprise_b"])
    return w


def test_the_registration_list_holds_every_application_with_class_town_and_state(client, applied):
    w = applied
    client.force_login(w.coordinator)
    page = client.get(reverse("programs:round_list", args=[w.round.pk, "registration"]))
    assert page.status_code == 200 and "报名名单" in page.content.decode()
    rows = _sheet(client, reverse("programs:round_export", args=[w.round.pk, "registration"]))
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    assert header[:4] == ["编号", "企业", "统一社会信用代码", "镇街"] and header[-1] == "状态"
    assert set(body) == {w.first.number, w.second.number}  # the withdrawn one too
    mine = body[w.first.number]
    assert (mine[1], mine[2], mine[3], mine[4]) == (w.a.name, w.a.uscc, w.a.town.name, "高新技术企业")
    assert mine[7] == w.city_dept.name  # recommended by the department of its handler
    assert body[w.second.number][-1] == "已撤回"
    job = Job.objects.get()
    assert job.kind == "export.programme_registration" and job.result == {"rows": 2}


def test_an_export_keeps_the_pages_filters_and_the_users_scope(client, applied):
    w = applied
    client.force_login(w.coordinator)
    url = reverse("programs:round_export", args=[w.round.pk, "applications"]) + "?enterprise_class=foreign"
    assert [r[0] for r in _sheet(client, url)[1:]] == [w.second.number]
    client.force_login(w.users["enterprise_a"])
    rows = _sheet(client, reverse("programs:round_export", args=[w.round.pk, "registration"]))
    assert [r[0] for r in rows[1:]] == [w.first.number]  # an enterprise: its own application only


def test_a_list_the_user_may_not_read_queues_nothing(client, applied):
    w = applied
    client.force_login(w.users["enterprise_a"])
    for kind in ("cross_checks", "scores", "nothing"):
        assert client.post(reverse("programs:round_export", args=[w.round.pk, kind])).status_code == 404
    with pytest.raises(NotFound):
        jobs.enqueue(
            kind="export.programme_cross_checks",
            owner=w.users["enterprise_a"],
            parameters={"round": w.round.pk},
        )
    with pytest.raises(NotFound):
        jobs.enqueue(kind="export.programme_ranking", owner=w.coordinator, parameters={"round": 10**9})
    assert not Job.objects.exists()


def test_the_pilot_list_exports_through_a_job(client, applied):
    w = applied
    client.force_login(w.coordinator)
    rows = _sheet(client, reverse("programs:pilots_export"))
    assert rows[0][0] == "计划" and len(rows) == 1  # no pilot yet: the header alone
    assert Job.objects.get().kind == "export.programme_pilots"
