"""Pages of background jobs: the list of one's own, a job's page whose progress bar polls (htmx)
until it turns into the download link, and the download. Only the owner sees a job (else 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from zhuqi.core import jobs
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.pagination import list_page


def _job(request, job_id):
    try:
        return jobs.job_of(request.user, job_id)
    except NotFound:
        raise Http404 from None


@login_required
def job_list(request):
    page = list_page(request, jobs.jobs_of(request.user), 25)
    kind_labels = {kind: spec.label for kind, spec in jobs.KINDS.items()}
    return render(request, "web/jobs.html", {"page": page, "kind_labels": kind_labels})


@login_required
def job_detail(request, job_id):
    job = _job(request, job_id)
    context = {
        "job": job,
        "label": jobs.label(job),
        "results": jobs.results(job),
        "message": jobs.message_text(job),
        "result_link": jobs.result_link(job),
        "download_name": jobs.download_name(job) if job.result_name else "",
    }
    if request.headers.get("HX-Request"):
        return render(request, "web/_job_progress.html", context)
    return render(request, "web/job_detail.html", context)


@login_required
def job_file(request, job_id):
    _job(request, job_id)
    try:
        path, name = jobs.download(request.user, job_id)
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
        return redirect("web:job_detail", job_id)
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)
