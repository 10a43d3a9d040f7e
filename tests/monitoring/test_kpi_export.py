"""The KPI table's export runs in the worker (an aggregate over every appeal), as the warnings export:
the page's button queues a job with the page's grouping; the job's file holds the same rows."""

import io

import pytest
from openpyxl import load_workbook

from tests.assessment.conftest import appeal, categories  # noqa: F401  a world with categories
from zhuqi.appeals import kpis
from zhuqi.appeals.models import Appeal
from zhuqi.core import jobs
from zhuqi.core.models import Job

pytestmark = pytest.mark.django_db
URL = "/monitoring/exports/appeal-kpis.xlsx"


def test_the_kpi_page_queues_the_export_and_the_job_writes_the_pages_rows(categories, client, data_dir):  # noqa: F811
    w = categories
    appeal(w, w.cats.financing, handler="city_handler", rating="satisfied")
    appeal(w, w.cats.financing, handler="city_handler", rating=None)
    client.force_login(w.users["coordinator"])
    page = client.get("/appeals/kpis/?by=town").content.decode()
    assert f'action="{URL}"' in page and 'name="by" value="town"' in page
    assert client.get(URL).status_code == 405  # no longer written in the request
    got = client.post(URL, {"by": "town"})
    job = Job.objects.get(kind="export.appeal_kpis")
    assert got.status_code == 302 and got.url == f"/jobs/{job.pk}/" and job.parameters == {"by": "town"}
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert job.state == "done" and job.result["rows"] == 1
    sheet = load_workbook(io.BytesIO(jobs.file_of(job).read_bytes())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    [expected] = kpis.compute(Appeal.objects.all(), "town")
    assert values[1][1] == expected["group"] and values[1][2] == expected["count"] == 2


def test_who_may_not_read_kpis_cannot_export_them_and_a_bad_grouping_is_refused(world, client):
    client.force_login(world.users["enterprise_a"])
    assert client.post(URL, {"by": "town"}).status_code == 404
    assert client.post("/api/v1/monitoring/exports/appeal-kpis?by=town").status_code == 403
    client.force_login(world.users["coordinator"])
    assert client.post("/api/v1/monitoring/exports/appeal-kpis?by=nonsense").status_code == 422
    got = client.post("/api/v1/monitoring/exports/appeal-kpis?by=month")
    assert got.status_code == 202 and got.json()["kind"] == "export.appeal_kpis"
    assert Job.objects.get().parameters == {"by": "month"}
