"""Background jobs: a request answers at once with the job, the worker produces the file with
progress, only the owner reads and downloads it, the file is gone after its time, the owner is told."""

import io
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import IndicatorValueFactory
from tests.job_helpers import cells, job_from_redirect, run_worker_once
from zhuqi.core import jobs
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.models import Job, Notification

pytestmark = pytest.mark.django_db


def api(client, user, method, path, **kwargs):
    client.force_login(user)
    return getattr(client, method)(f"/api/v1{path}", **kwargs)


@pytest.fixture
def values(world):
    for year in range(2020, 2026):
        IndicatorValueFactory(enterprise=world.a, year=year, value=1_000_000 + year)
        IndicatorValueFactory(enterprise=world.b, year=year, value=2_000_000 + year)


def test_an_export_answers_the_job_at_once_and_the_worker_makes_the_file(client, world, values):
    coordinator = world.users["coordinator"]
    r = api(client, coordinator, "post", "/exports/indicators")
    assert r.status_code == 202
    job = r.json()
    assert (
        job["state"] == "queued"
        and job["download_url"] is None
        and job["status_url"] == f"/api/v1/jobs/{job['id']}"
    )
    assert api(client, coordinator, "get", f"/jobs/{job['id']}/file").status_code == 409  # not done yet

    assert run_worker_once() >= 1  # what `zhuqi worker --once` runs
    done = api(client, coordinator, "get", f"/jobs/{job['id']}").json()
    assert (
        done["state"] == "done"
        and done["done"] == done["total"] == 12 + 12  # 12 values read, then 12 rows written
        and done["result"] == {"values": 12}
    )
    assert done["download_url"] == f"/api/v1/jobs/{job['id']}/file" and done["expires_at"]
    answer = client.get(done["download_url"])
    assert answer.status_code == 200 and quote("企业指标导出") in answer["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    assert sheet.max_row == 13 and {world.a.uscc, world.b.uscc} <= {c.value for c in sheet["A"]}
    # The owner is told in-app, with a link to the job's page (delivered by the same worker pass).
    note = Notification.objects.get(user=coordinator)
    assert note.subject == "已完成：企业指标导出（.xlsx）" and note.link == f"/jobs/{job['id']}/"
    assert not Notification.objects.exclude(user=coordinator).exists()


def test_the_job_runs_as_its_owner_and_nobody_else_sees_it(client, world, values):
    town = world.users["town_a"]  # sees the enterprises of 长安镇 only
    job_id = api(client, town, "post", "/exports/enterprises").json()["id"]
    run_worker_once()
    content = b"".join(api(client, town, "get", f"/jobs/{job_id}/file").streaming_content)
    assert world.a.uscc in cells(content) and world.b.uscc not in cells(content)
    for other in ("coordinator", "admin", "town_handler", "enterprise_a"):
        assert api(client, world.users[other], "get", f"/jobs/{job_id}").status_code == 404
        assert api(client, world.users[other], "get", f"/jobs/{job_id}/file").status_code == 404
        assert client.get(f"/jobs/{job_id}/").status_code == 404
        assert client.get(f"/jobs/{job_id}/file/").status_code == 404
    assert api(client, town, "get", "/jobs").json()["count"] == 1
    assert api(client, world.users["coordinator"], "get", "/jobs").json()["count"] == 0
    assert api(client, town, "get", f"/jobs/{2**63}").status_code == 422  # beyond bigint: refused, not a 500


def test_an_expired_file_is_deleted_by_the_sweep(client, world, values, settings):
    coordinator = world.users["coordinator"]
    job_id = api(client, coordinator, "post", "/exports/indicators").json()["id"]
    run_worker_once()
    job = Job.objects.get(pk=job_id)
    path = jobs.file_of(job)
    assert path.exists() and job.expires_at - job.finished_at == timedelta(
        hours=settings.ZHUQI_JOB_KEEP_HOURS
    )
    assert jobs.sweep(now=job.expires_at - timedelta(seconds=1))["expired_files"] == 0
    assert jobs.sweep(now=job.expires_at + timedelta(seconds=1))["expired_files"] == 1
    assert not path.exists() and not path.parent.exists()
    gone = api(client, coordinator, "get", f"/jobs/{job_id}/file")
    assert gone.status_code == 410 and gone.json()["code"] == "job_file_expired"
    assert api(client, coordinator, "get", f"/jobs/{job_id}").json()["download_url"] is None
    assert "已超过保留期限" in client.get(f"/jobs/{job_id}/").content.decode()


def test_the_page_polls_a_progress_bar_that_turns_into_the_download_link(client, world, values):
    client.force_login(world.users["coordinator"])
    job = job_from_redirect(client.post("/indicators/export/"))
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "<progress" in page and 'hx-trigger="every 1s"' in page and "排队中" in page
    run_worker_once()
    fragment = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert (
        "hx-trigger" not in fragment
        and f'href="/jobs/{job.pk}/file/"' in fragment
        and "<html" not in fragment
    )
    download = client.get(f"/jobs/{job.pk}/file/")
    assert download.status_code == 200 and load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    # Named as its owner reads it (not indicators.xlsx), dated as the page dates: 2026年12月6日.
    today = timezone.localdate()
    named = f"企业指标导出 {today.year}年{today.month}月{today.day}日.xlsx"
    assert f"下载 {named}" in fragment and quote(named) in download["Content-Disposition"]
    listing = client.get("/jobs/").content.decode()
    assert "企业指标导出" in listing and f"{today.month}月{today.day}日" in listing
    assert not re.search(r"\d{4}-\d{2}-\d{2}", client.get(f"/jobs/{job.pk}/").content.decode())


def test_the_ledger_export_from_the_appeals_page_is_a_job(client, world):
    client.force_login(world.users["coordinator"])
    job = job_from_redirect(client.post("/appeals/ledger/export/?state=open"))
    assert job.kind == "export.appeals" and job.parameters["state"] == "open"


def test_a_progress_step_while_the_worker_stops_puts_the_job_back_in_the_queue(client, world, values):
    job = jobs.enqueue(kind="export.indicators", owner=world.users["coordinator"])
    jobs.stopping.set()
    try:
        assert jobs.run_next() == 1
    finally:
        jobs.stopping.clear()
    job.refresh_from_db()
    assert job.state == "queued" and not job.result_path
    assert jobs.run_next() == 1
    job.refresh_from_db()
    assert job.state == "done"


def test_a_job_whose_worker_died_is_queued_again(world):
    job = jobs.enqueue(kind="export.indicators", owner=world.users["coordinator"])
    Job.objects.filter(pk=job.pk).update(state="running", heartbeat_at=timezone.now() - timedelta(minutes=11))
    assert jobs.sweep()["requeued"] == 1
    job.refresh_from_db()
    assert job.state == "queued"


def test_a_failing_job_says_why_and_tells_its_owner(client, world, monkeypatch):
    from zhuqi.directory import importers

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importers, "export_indicators", broken)
    coordinator = world.users["coordinator"]
    job_id = api(client, coordinator, "post", "/exports/indicators").json()["id"]
    run_worker_once()
    failed = api(client, coordinator, "get", f"/jobs/{job_id}").json()
    assert failed["state"] == "failed" and failed["message"] == "任务失败：RuntimeError。"
    assert failed["message_en"] == "The job failed: RuntimeError."
    assert Notification.objects.get(user=coordinator).subject == "失败：企业指标导出（.xlsx）"


def test_bad_requests_queue_nothing(client, world):
    r = api(
        client,
        world.users["enterprise_a"],
        "post",
        "/policy-matches/run",
        data={"period": "2026-06-30"},
        content_type="application/json",
    )
    assert r.status_code == 403
    r = api(client, world.users["coordinator"], "post", "/exports/enterprises?q=" + "x" * 201)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    with pytest.raises(ZhuqiError, match="未知的任务类型"):
        jobs.enqueue(kind="nope", owner=world.users["coordinator"])
    assert not Job.objects.exists()


def test_a_large_import_is_applied_by_the_worker_a_small_one_at_once(client, world, settings):
    from tests.directory.test_api import _file
    from tests.directory.test_importers import MIXED, xlsx

    coordinator = world.users["coordinator"]
    client.force_login(coordinator)
    batch = client.post("/api/v1/imports", {"kind": "enterprises", "file": _file(xlsx(MIXED))}).json()
    settings.ZHUQI_IMPORT_JOB_ROWS = batch["total_rows"] - 1  # this file counts as large
    queued = client.post(f"/api/v1/imports/{batch['id']}/apply?valid_only=true")
    assert queued.status_code == 202 and queued.json()["kind"] == "import.apply"
    assert client.get(f"/api/v1/imports/{batch['id']}").json()["status"] == "checked"
    run_worker_once()
    assert client.get(f"/api/v1/imports/{batch['id']}").json()["result"]["created"] == 1
    assert api(client, coordinator, "get", f"/jobs/{queued.json()['id']}").json()["result"]["created"] == 1
    # The job's page leads to what it made: the import.
    page = client.get(f"/jobs/{queued.json()['id']}/").content.decode()
    assert f'href="/imports/{batch["id"]}/"' in page and "查看导入结果" in page


@pytest.mark.parametrize("kind", ["export.enterprises", "export.appeals"])
@pytest.mark.parametrize("bad", ["a\x00b", "x" * 201, ["list"]])
def test_a_list_export_refuses_a_bad_filter_and_queues_nothing(world, kind, bad):
    with pytest.raises(ZhuqiError) as refused:
        jobs.enqueue(kind=kind, owner=world.users["coordinator"], parameters={"q": bad})
    assert (refused.value.code, refused.value.status, refused.value.field) == ("invalid_filter", 422, "q")
    assert not Job.objects.exists()


def test_a_list_export_keeps_only_the_lists_filters(world):
    job = jobs.enqueue(
        kind="export.enterprises", owner=world.users["coordinator"], parameters={"town": "changan", "x": "y"}
    )
    assert job.parameters == {"q": "", "town": "changan", "industry": "", "doubling_class": "", "tag": ""}


@pytest.mark.django_db(transaction=True)
def test_progress_of_a_run_inside_one_transaction_is_seen_at_once_on_postgresql(world):
    """A match or a tier assessment writes its results in one transaction: its progress and heartbeat
    go through a connection of their own, so the job page moves and the sweep knows the worker lives."""
    from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: the progress stays in the run's transaction there")
    seen = {}

    def run(job, progress):
        with transaction.atomic():
            progress(3, 10)
            other = connections.create_connection(DEFAULT_DB_ALIAS)  # as the page or the sweep reads it
            try:
                with other.cursor() as cursor:
                    cursor.execute("SELECT done, total, heartbeat_at FROM core_job WHERE id = %s", [job.pk])
                    seen["done"], seen["total"], seen["heartbeat"] = cursor.fetchone()
            finally:
                other.close()
        return jobs.Outcome(result={"made": 0})

    jobs.register("test.one_transaction", label="test", run=run, check=lambda owner, parameters: {})
    try:
        job = jobs.enqueue(kind="test.one_transaction", owner=world.users["coordinator"])
        assert jobs.run_next() == 1
    finally:
        jobs.KINDS.pop("test.one_transaction")
    assert (seen["done"], seen["total"]) == (3, 10) and seen["heartbeat"] is not None
    job.refresh_from_db()
    assert job.state == "done" and job.total == 10


@pytest.mark.django_db(transaction=True)
def test_progress_does_not_wait_for_a_row_the_run_itself_holds(world):
    """A caller that changed the job's row in the transaction the run goes on in holds its lock: the
    second connection gives up after its lock timeout and the figures go through the run's own."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the connection of its own is PostgreSQL's")
    job = jobs.enqueue(kind="export.indicators", owner=world.users["coordinator"])
    progress = jobs.Progress(job)
    try:
        with transaction.atomic():
            Job.objects.filter(pk=job.pk).update(state="running")  # the row is now locked here
            progress(2, 5)
            progress.last = 0.0  # the next call writes too
            progress(4, 5)
            assert Job.objects.values_list("done", "total").get(pk=job.pk) == (4, 5)
    finally:
        progress.close()
    assert progress._side is False
