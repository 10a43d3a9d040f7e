"""Background jobs of the programmes: every list's Excel export (a round's lists — the registration
list 报名名单 among them —, the pilots, their progress, reporting tasks, an evaluation), of any size.
Each job runs as its owner, so it writes
exactly the rows the owner's page shows with the same filters."""

from django.utils.translation import gettext_lazy as _

from zhuqi.core import jobs, permissions
from zhuqi.core.errors import Forbidden, NotFound, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import parse_whole
from zhuqi.programs import lists, monitoring_exports, selectors
from zhuqi.programs import monitoring_selectors as sel
from zhuqi.programs.models import Programme

ROUND_FILTERS = ("q", "state", "enterprise_class", "driver", "settlement")
PILOT_FILTERS = ("q", "state", "enterprise_class")
PROGRESS_FILTERS = ("state", "department", "q")

ROUND_LABELS = {
    "registration": _("Registration list export (.xlsx)"),
    "applications": _("Applications export (.xlsx)"),
    "checks": _("Formal check export (.xlsx)"),
    "cross_checks": _("Cross-check export (.xlsx)"),
    "scores": _("Scores export (.xlsx)"),
    "ranking": _("Ranking export (.xlsx)"),
    "notice": _("Notice list export (.xlsx)"),
}


def _id(parameters: dict, name: str) -> int:
    found = parse_whole(str(parameters.get(name, ""))[:20], 1, 2**62)
    if found is None:
        raise ZhuqiError("invalid_parameter", _("A filter is not valid."), status=422, field=name)
    return found


def _counted(rows: list, progress) -> tuple[int, callable]:
    total = len(rows)
    progress(0, total)
    return total, lambda done: progress(done, total)


def _round_check(kind: str):
    def check(owner, parameters: dict) -> dict:
        round_ = selectors.round_get(owner, _id(parameters, "round"))  # NotFound outside the scope
        if not lists.may_read(owner, kind):
            raise NotFound("list_not_found", _("No such list."))
        return {"round": round_.pk, **jobs.text_filters(*ROUND_FILTERS)(owner, parameters)}

    return check


def _round_run(kind: str):
    def run(job, progress) -> jobs.Outcome:
        parameters = dict(job.parameters)
        round_ = selectors.round_get(job.owner, parameters.pop("round"))
        listing = lists.for_round(job.owner, round_, kind, parameters)
        listing.rows = list(listing.rows)
        total, step = _counted(listing.rows, progress)
        return jobs.Outcome({"rows": total}, lists.xlsx(listing, step), f"{kind}-{round_.pk}.xlsx")

    return run


def run_pilots(job, progress) -> jobs.Outcome:
    listing = lists.pilots(selectors.pilots_visible_to(job.owner), job.parameters)
    listing.rows = list(listing.rows)
    total, step = _counted(listing.rows, progress)
    return jobs.Outcome({"rows": total}, lists.xlsx(listing, step), "pilots.xlsx")


def _follower(owner) -> None:
    if not permissions.has(owner, Capability.FOLLOW_PILOTS):
        raise Forbidden("forbidden", permissions.FORBIDDEN)


def check_progress(owner, parameters: dict) -> dict:
    _follower(owner)
    programme = parameters.get("programme") or ""
    if programme and not Programme.objects.filter(pk=_id(parameters, "programme")).exists():
        raise NotFound("programme_not_found", _("No such programme."))
    year = parse_whole(str(parameters.get("year", ""))[:6], 2000, 2100)
    if year is None:
        raise ZhuqiError("bad_year", _("Give a year between 2000 and 2100."), status=422, field="year")
    filters = jobs.text_filters(*PROGRESS_FILTERS)(owner, parameters)
    return {"programme": int(programme) if programme else None, "year": year, **filters}


def run_progress(job, progress) -> jobs.Outcome:
    p = dict(job.parameters)
    programme, year = Programme.objects.filter(pk=p.pop("programme") or 0).first(), p.pop("year")
    p["state"] = p["state"] or "current"
    pilots = list(sel.pilot_list(job.owner, programme=programme, **p))
    total, _step = _counted(pilots, progress)
    return jobs.Outcome(
        {"rows": total}, monitoring_exports.progress_xlsx(pilots, year), f"pilots-{year}.xlsx"
    )


def check_tasks(owner, parameters: dict) -> dict:
    _follower(owner)
    found = {}
    for name, low, high in (("year", 2000, 2100), ("half", 1, 2)):
        text = str(parameters.get(name) or "")[:6]
        found[name] = parse_whole(text, low, high) if text else None
        if text and found[name] is None:
            raise ZhuqiError("invalid_filter", _("A filter is not valid."), status=422, field=name)
    state = str(parameters.get("state") or "")
    found["state"] = state if state in ("open", "submitted", "cancelled", "overdue") else ""
    return found


def run_tasks(job, progress) -> jobs.Outcome:
    from django.utils import timezone

    tasks = list(sel.task_list(job.owner, today=timezone.localdate(), **job.parameters))
    total, _step = _counted(tasks, progress)
    return jobs.Outcome({"rows": total}, monitoring_exports.tasks_xlsx(tasks), "reporting-tasks.xlsx")


def check_evaluation(owner, parameters: dict) -> dict:
    _follower(owner)
    return {"evaluation": sel.evaluation_get(owner, _id(parameters, "evaluation")).pk}


def run_evaluation(job, progress) -> jobs.Outcome:
    evaluation = sel.evaluation_get(job.owner, job.parameters["evaluation"])
    items = list(sel.evaluation_items(job.owner, evaluation))
    total, _step = _counted(items, progress)
    content = monitoring_exports.evaluation_xlsx(evaluation, items)
    return jobs.Outcome({"rows": total}, content, f"evaluation-{evaluation.year}.xlsx")


for _kind, _label in ROUND_LABELS.items():
    jobs.register(f"export.programme_{_kind}", label=_label, run=_round_run(_kind), check=_round_check(_kind))
jobs.register(
    "export.programme_pilots",
    label=_("Pilot enterprises export (.xlsx)"),
    run=run_pilots,
    check=jobs.text_filters(*PILOT_FILTERS),
)
jobs.register(
    "export.pilot_progress",
    label=_("Pilots' progress export (.xlsx)"),
    run=run_progress,
    check=check_progress,
)
jobs.register(
    "export.pilot_tasks", label=_("Reporting tasks export (.xlsx)"), run=run_tasks, check=check_tasks
)
jobs.register(
    "export.pilot_evaluation",
    label=_("Evaluation export (.xlsx)"),
    run=run_evaluation,
    check=check_evaluation,
)
