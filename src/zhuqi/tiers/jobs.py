"""The tiers' background job: the yearly assessment started from the page (`zhuqi tiers assess` runs
it in the terminal)."""

from django.utils.translation import gettext_lazy as _

from zhuqi.core import jobs, permissions
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.tiers import assessment


def check_year(owner, parameters: dict) -> dict:
    permissions.require(owner, Capability.MANAGE_TIERS)
    try:
        year = int(str(parameters.get("year") or "")[:4])
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        raise ZhuqiError("bad_year", _("Give the year as four digits."), status=422, field="year")
    return {"year": year}


def run_assessment(job, progress) -> jobs.Outcome:
    progress(0, 1)
    run = assessment.assess(year=job.parameters["year"], acting_user=job.owner)
    progress(1, 1)
    return jobs.Outcome({"run": run.pk, "year": run.year, "enterprises": run.enterprises})


jobs.register("tiers.assess", label=_("Tier assessment run"), run=run_assessment, check=check_year)
