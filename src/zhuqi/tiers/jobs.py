"""The tiers' background jobs: the yearly assessment started from the page (`zhuqi tiers assess` runs
it in the terminal) and the Excel exports of the recognitions and of a year's candidates
(`export.tiers`, over what the owner may see, with the page's filters)."""

from django.utils.translation import gettext_lazy as _

from zhuqi.core import jobs, permissions
from zhuqi.core.errors import Forbidden, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.tiers import assessment, exports
from zhuqi.tiers.models import Level, Outcome, Tier


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
    progress(0, None)
    run = assessment.assess(year=job.parameters["year"], acting_user=job.owner, progress=progress)
    return jobs.Outcome({"run": run.pk, "year": run.year, "enterprises": run.enterprises})


jobs.register("tiers.assess", label=_("Tier assessment run"), run=run_assessment, check=check_year)


EXPORT_STATES = ("in_force", "expiring", "ended")  # views.STATES


def _one_of(parameters: dict, name: str, allowed) -> str:
    value = parameters.get(name) or ""
    if value not in ("", *allowed):
        raise ZhuqiError("invalid_filter", _("A filter is not valid."), status=422, field=name)
    return value


def check_export(owner, parameters: dict) -> dict:
    if not permissions.has(owner, Capability.READ_TIERS):
        raise Forbidden("forbidden", permissions.FORBIDDEN)
    what = parameters.get("what")
    checked = jobs.text_filters("q")(owner, parameters) | {"tier": _one_of(parameters, "tier", Tier.values)}
    if what == "recognitions":
        return checked | {
            "what": what,
            "level": _one_of(parameters, "level", Level.values),
            "state": _one_of(parameters, "state", EXPORT_STATES),
        }
    if what == "candidates":
        return checked | {
            "what": what,
            "outcome": _one_of(parameters, "outcome", Outcome.values),
            "year": check_year_any(parameters),
        }
    raise ZhuqiError("invalid_filter", _("A filter is not valid."), status=422, field="what")


def check_year_any(parameters: dict) -> int:
    try:
        year = int(str(parameters.get("year") or "")[:4])
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        raise ZhuqiError("bad_year", _("Give the year as four digits."), status=422, field="year")
    return year


def run_export(job, progress) -> jobs.Outcome:
    p = dict(job.parameters)
    what = p.pop("what")
    if what == "recognitions":
        content, total = exports.recognitions(job.owner, progress=progress, **p)
        return jobs.Outcome({"rows": total}, content, "zhuqi-tier-recognitions.xlsx")
    year = p.pop("year")
    content, total = exports.candidates(job.owner, year=year, progress=progress, **p)
    return jobs.Outcome({"rows": total}, content, f"zhuqi-tier-candidates-{year}.xlsx")


jobs.register("export.tiers", label=_("Tier export (.xlsx)"), run=run_export, check=check_export)
