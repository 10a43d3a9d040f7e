"""The policies' background jobs: matching runs and 免申即享 offer runs started from a page or the API
(`zhuqi policies match|offers` run in the terminal, with progress bars)."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from zhuqi.core import jobs, permissions
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.policies import grants, matching


def check_period(owner, parameters: dict) -> dict:
    permissions.require(owner, Capability.RUN_MATCHING)
    try:
        period = date.fromisoformat(str(parameters.get("period") or "")[:10])
    except ValueError:
        raise ZhuqiError(
            "bad_period", _("Give the period as a date, YYYY-MM-DD."), status=422, field="period"
        ) from None
    if not 2000 <= period.year <= 2100:
        raise ZhuqiError(
            "bad_period", _("Give the period as a date, YYYY-MM-DD."), status=422, field="period"
        )
    return {"period": period.isoformat()}


def run_match(job, progress) -> jobs.Outcome:
    progress(0, None)
    run = matching.match_run(
        period=date.fromisoformat(job.parameters["period"]), acting_user=job.owner, progress=progress
    )
    fields = ("enterprises", "clauses", "eligible", "unknown", "newly_eligible")
    return jobs.Outcome({"run": run.pk, **{f: getattr(run, f) for f in fields}})


def run_offers(job, progress) -> jobs.Outcome:
    progress(0, None)
    done = grants.offers_run(
        period=date.fromisoformat(job.parameters["period"]), acting_user=job.owner, progress=progress
    )
    fields = ("created", "already_offered", "unverified", "over_budget")
    return jobs.Outcome({f: getattr(done, f) for f in fields})


jobs.register("policies.match", label=_("Policy matching run"), run=run_match, check=check_period)
jobs.register("policies.offers", label=_("Grant offer run (免申即享)"), run=run_offers, check=check_period)
