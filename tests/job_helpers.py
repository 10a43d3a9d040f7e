"""Helpers for what became background jobs: start one from a page, run it as `zhuqi worker --once`
does, download its file as its owner."""

from urllib.parse import urlencode

from django.urls import reverse

from zhuqi.core import worker
from zhuqi.core.models import Job


def run_worker_once() -> int:
    """What `zhuqi worker --once` does: runs the queued jobs, then delivers what is due."""
    return worker.run(once=True)


def job_from_redirect(response) -> Job:
    assert response.status_code == 302, response.status_code
    return Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def page_export(client, url_name: str, params: dict | None = None) -> bytes:
    """POSTs a page's export button, runs the job, downloads the file as the same user."""
    url = reverse(url_name) + ("?" + urlencode(params) if params else "")
    job = job_from_redirect(client.post(url))
    run_worker_once()
    answer = client.get(reverse("web:job_file", args=[job.pk]))
    assert answer.status_code == 200, answer.status_code
    return b"".join(answer.streaming_content)


def cells(content: bytes) -> set:
    """Every value of the first sheet of an .xlsx (the file is compressed: bytes cannot be searched)."""
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return {value for row in sheet.iter_rows(values_only=True) for value in row if value is not None}
