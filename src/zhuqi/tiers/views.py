"""Tier pages: recognitions (with history), candidates and their gaps, an enterprise's status and the
next rung of the ladder. Thin: parse, call a selector or a service, render."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from zhuqi.core import jobs, permissions
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.pagination import list_page
from zhuqi.core.permissions import Capability
from zhuqi.directory.selectors import enterprises_visible_to
from zhuqi.tiers import exports, lifecycle, selectors, services, status
from zhuqi.tiers.facts import BY_KEY
from zhuqi.tiers.models import Level, Outcome, Tier

STATES = [
    ("in_force", _("In force")),
    ("expiring", _("Expiring within six months")),
    ("ended", _("Expired or revoked")),
]
FILTER_MAX = 100


def _filters(request, *names) -> dict[str, str]:
    return {n: (request.GET.get(n) or "")[:FILTER_MAX] for n in names}


def _choice(value: str, choices) -> str:
    return value if value in dict(choices) else ""


def _year(request) -> int | None:
    try:
        year = int((request.GET.get("year") or "")[:4])
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


def _read(request):
    if not permissions.has(request.user, Capability.READ_TIERS):
        raise Http404


@login_required
def overview(request):
    if not permissions.has(request.user, Capability.READ_TIERS):
        if request.user.enterprise_id:
            return redirect("tiers:mine")
        raise Http404
    today = timezone.localdate()
    f = _filters(request, "tier", "level", "q", "state")
    f["tier"], f["level"] = _choice(f["tier"], Tier.choices), _choice(f["level"], Level.choices)
    f["state"] = _choice(f["state"], STATES)
    page = list_page(request, selectors.recognition_list(request.user, today=today, **f), 25)
    for r in page:
        r.offered = lifecycle.offered(request.user, r)
    counts = selectors.tier_counts(request.user, today)
    rows = [
        (label, [counts.get(code, {}).get(lv, 0) for lv, _l in Level.choices]) for code, label in Tier.choices
    ]
    return render(
        request,
        "tiers/overview.html",
        {
            "page": page,
            "filters": f,
            "tiers": Tier.choices,
            "levels": Level.choices,
            "states": STATES,
            "counts": rows,
            "expiring": selectors.expiring_count(request.user, today),
            "run": selectors.latest_run(),
            "this_year": today.year,
            "today": today,
            "query": request.GET.urlencode(),
        },
    )


def _export(request, parameters: dict):
    """Queues the export as a job (export.tiers) and shows its page: progress, then the file."""
    try:
        job = jobs.enqueue(kind="export.tiers", owner=request.user, parameters=parameters)
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
        return redirect("tiers:overview")
    return redirect("web:job_detail", job.pk)


@login_required
@require_POST
def recognitions_export(request):
    _read(request)
    return _export(request, {"what": "recognitions"} | _filters(request, "tier", "level", "q", "state"))


@login_required
def candidates(request):
    _read(request)
    year = _year(request) or timezone.localdate().year
    f = _filters(request, "tier", "outcome", "q")
    f["tier"], f["outcome"] = _choice(f["tier"], Tier.choices), _choice(f["outcome"], Outcome.choices)
    run = selectors.latest_run(year)
    page = list_page(request, selectors.candidate_list(request.user, run, **f), 25)
    labels = _requirement_labels()
    for a in page:
        a.lacking_labels = [labels[a.tier].get(r, r) for r in a.lacking]
        a.missing_labels = [_fact_label(a.tier, m) for m in a.missing]
    return render(
        request,
        "tiers/candidates.html",
        {
            "page": page,
            "filters": f,
            "year": year,
            "run": run,
            "tiers": Tier.choices,
            "outcomes": Outcome.choices,
            "query": request.GET.urlencode(),
        },
    )


_requirement_labels = exports.requirement_labels
_fact_label = exports.fact_label


@login_required
@require_POST
def candidates_export(request):
    _read(request)
    year = _year(request) or timezone.localdate().year
    return _export(request, {"what": "candidates", "year": year} | _filters(request, "tier", "outcome", "q"))


@login_required
@require_POST
def assess(request):
    try:
        job = jobs.enqueue(
            kind="tiers.assess", owner=request.user, parameters={"year": request.POST.get("year", "")}
        )
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
        return redirect("tiers:overview")
    return redirect("web:job_detail", job.pk)


@login_required
def mine(request):
    if not request.user.enterprise_id:
        raise Http404
    return enterprise(request, request.user.enterprise_id)


@login_required
def enterprise(request, pk: int):
    found = enterprises_visible_to(request.user).filter(pk=pk).first()
    if found is None or not selectors.may_read(request.user):
        raise Http404
    today = timezone.localdate()
    can_manage = permissions.has(request.user, Capability.MANAGE_TIERS)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        try:
            services.recognition_record(
                enterprise=found,
                tier=request.POST.get("tier", ""),
                level=request.POST.get("level", ""),
                document=request.POST.get("document", "")[:200],
                recognised_on=date.fromisoformat(request.POST.get("recognised_on", "")[:10]),
                acting_user=request.user,
            )
        except ValueError:
            messages.error(request, _bad_date())
        except ZhuqiError as exc:
            messages.error(request, str(exc.message))
        return redirect("tiers:enterprise", pk)
    state = status.status_of(pk, today)
    history = list(selectors.enterprise_recognitions(pk))
    for r in history:
        r.offered = lifecycle.offered(request.user, r)
    facts = selectors.enterprise_facts(pk)
    for fact in facts:
        key = BY_KEY.get(fact.key)
        fact.label = key.label if key else fact.key
        fact.unit = key.unit if key else ""
        fact.is_bool = bool(key and key.type == "bool")
    return render(
        request,
        "tiers/enterprise.html",
        {
            "enterprise": found,
            "status": state,
            "history": history,
            "facts": facts,
            "can_manage": can_manage,
            "tiers": Tier.choices,
            "levels": Level.choices,
            "today": today,
        },
    )


@login_required
@require_POST
def revoke(request, pk: int):
    """撤销认定, offered on the overview and the enterprise page where lifecycle.REVOKE allows it."""
    found = selectors.recognitions_visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    back = request.POST.get("next", "")
    back = (
        back
        if back.startswith("/tiers/") and "//" not in back
        else f"/tiers/enterprises/{found.enterprise_id}/"
    )
    try:
        raw = request.POST.get("revoked_on", "")[:10]
        services.recognition_revoke(
            recognition=found,
            revoked_on=date.fromisoformat(raw) if raw else timezone.localdate(),
            reason=request.POST.get("reason", "")[:300],
            acting_user=request.user,
        )
    except ValueError:
        messages.error(request, _bad_date())
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _g("Recognition revoked."))
    return redirect(back[:300])


def _bad_date():
    return _g("Give the date as YYYY-MM-DD.")
