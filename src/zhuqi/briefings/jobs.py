"""The briefing's generation, run by the worker as its owner, with progress."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhuqi.briefings import services
from zhuqi.briefings.models import Briefing
from zhuqi.core import jobs, permissions
from zhuqi.core.errors import NotFound
from zhuqi.core.permissions import Capability


def check(owner, parameters: dict) -> dict:
    permissions.require(owner, Capability.MAKE_BRIEFINGS)
    briefing_id = parameters.get("briefing")
    if not isinstance(briefing_id, int) or not Briefing.objects.filter(pk=briefing_id).exists():
        raise NotFound("briefing_not_found", _("No such briefing."))
    return {"briefing": briefing_id}


def run(job, progress) -> jobs.Outcome:
    briefing = Briefing.objects.get(pk=job.parameters["briefing"])
    try:
        services.generate(briefing, user=job.owner, progress=progress)
    except jobs.Interrupted:
        raise  # back to the queue: the briefing stays queued
    except Exception:
        services.mark_failed(briefing.pk)
        raise
    return jobs.Outcome({})


jobs.register(
    "briefing.generate",
    label=_("Briefing (Word and PDF)"),
    run=run,
    check=check,
    link=(_("Open the briefing"), lambda job: reverse("briefings:detail", args=[job.parameters["briefing"]])),
)
