"""The directory's background jobs: exports of enterprises and indicators, and large imports."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhuqi.core import jobs
from zhuqi.core.errors import NotFound
from zhuqi.directory import importers, selectors
from zhuqi.directory.models import ImportBatch

ENTERPRISE_FILTERS = ("q", "town", "industry", "doubling_class", "tag")


def run_enterprises(job, progress) -> jobs.Outcome:
    queryset = selectors.enterprise_search(job.owner, **job.parameters)
    total = queryset.count()
    progress(0, total)
    content = importers.export_enterprises(queryset, progress=lambda done: progress(done, total))
    return jobs.Outcome({"rows": total}, content, "enterprises.xlsx")


def run_indicators(job, progress) -> jobs.Outcome:
    values = selectors.indicator_values_visible_to(job.owner)
    total = values.count()
    progress(0, total)
    content = importers.export_indicators(values, progress=progress)
    return jobs.Outcome({"values": total}, content, "indicators.xlsx")


def check_import(owner, parameters: dict) -> dict:
    batch = ImportBatch.objects.filter(pk=parameters.get("batch"), uploaded_by_id=owner.pk).first()
    if batch is None:
        raise NotFound("import_not_found", _("No such import."))
    return {"batch": batch.pk, "valid_only": bool(parameters.get("valid_only"))}


def run_import(job, progress) -> jobs.Outcome:
    batch = ImportBatch.objects.get(pk=job.parameters["batch"])
    progress(0, batch.total_rows)
    batch = importers.import_apply(
        batch=batch, acting_user=job.owner, valid_only=job.parameters["valid_only"]
    )
    progress(batch.total_rows, batch.total_rows)
    return jobs.Outcome({**batch.result, "batch": batch.pk})


def needs_job(batch: ImportBatch) -> bool:
    """Imports larger than ZHUQI_IMPORT_JOB_ROWS rows are applied by the worker, not in the request."""
    return batch.total_rows > settings.ZHUQI_IMPORT_JOB_ROWS


jobs.register(
    "export.enterprises",
    label=_("Enterprise export (.xlsx)"),
    run=run_enterprises,
    check=jobs.text_filters(*ENTERPRISE_FILTERS),
)
jobs.register(
    "export.indicators", label=_("Indicator export (.xlsx)"), run=run_indicators, check=lambda owner, p: {}
)
jobs.register(
    "import.apply",
    label=_("Import"),
    run=run_import,
    check=check_import,
    link=(
        _("See the import"),
        lambda job: reverse("directory:import_detail", args=[job.parameters["batch"]]),
    ),
)
