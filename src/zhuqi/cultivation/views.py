"""Cultivation pages. Thin: parse, call a selector or a service, render."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.accounts.models import User
from zhuqi.core import jobs, permissions
from zhuqi.core.audit import trail
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.pagination import list_page
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import parse_whole
from zhuqi.cultivation import keylists, ladder, lifecycle, proposals, selectors, services
from zhuqi.cultivation.models import (
    POOLS,
    RULE_LISTS,
    EntryState,
    KeyList,
    ListKind,
    MembershipState,
    PoolKind,
    Tier,
)
from zhuqi.directory.models import Department, Town
from zhuqi.directory.selectors import enterprise_get, enterprises_visible_to
from zhuqi.projects.selectors import project_get


def _year(request) -> int:
    year = parse_whole(request.GET.get("year") or request.POST.get("year"), 2000, 2100)
    return year or timezone.localdate().year


def _years() -> range:
    return range(timezone.localdate().year + 1, 2021, -1)


def _require_reader(request) -> None:
    if not selectors.may_read(request.user):
        raise Http404


def _or_404(read):
    try:
        return read()
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _helpers():
    return User.objects.filter(
        role__in=permissions.roles_with(Capability.HELP_MEMBERS), is_active=True
    ).order_by("username")


@login_required
def home(request):
    _require_reader(request)
    year = _year(request)
    counts = selectors.counts(request.user, year)
    lists = {k.kind: k for k in KeyList.objects.filter(year=year)}
    return render(
        request,
        "cultivation/home.html",
        {
            "year": year,
            "years": _years(),
            "pools": [(PoolKind(k), counts[k]) for k in POOLS],
            "rule_lists": [(PoolKind(k), counts[k]) for k in RULE_LISTS],
            "key_lists": [(k, lists.get(k)) for k in ListKind],
            "office": permissions.has(request.user, Capability.MANAGE_CULTIVATION),
        },
    )


@login_required
def pool(request, kind):
    _require_reader(request)
    if kind not in PoolKind.values:
        raise Http404
    year = _year(request)
    filters = {k: request.GET.get(k, "")[:100] for k in ("state", "town", "q", "helper")}
    rows = selectors.memberships(request.user, kind=kind, year=year, **filters)
    page = list_page(request, rows, 25)
    office = permissions.has(request.user, Capability.MANAGE_CULTIVATION)
    targets = list(selectors.targets(kind, year))
    sizes = [(t, proposals.pool_size(t.target)) for t in targets] if kind == PoolKind.UPSCALE else []
    return render(
        request,
        "cultivation/pool.html",
        {
            "kind": PoolKind(kind),
            "is_pool": kind in POOLS,
            "year": year,
            "years": _years(),
            "page": page,
            "filters": filters,
            "states": MembershipState.choices,
            "towns": Town.objects.all(),
            "targets": targets,
            "sizes": sizes,
            "citywide_target": next((t.target for t in targets if t.town_id is None), None),
            "office": office,
            "gaps": kind in POOLS and kind != PoolKind.UPSCALE,
        },
    )


@login_required
def member(request, pk):
    found = _or_404(lambda: selectors.membership_get(request.user, pk))
    offered = lifecycle.offered(lifecycle.MEMBERSHIP_STEPS, request.user, found)
    return render(
        request,
        "cultivation/member.html",
        {
            "m": found,
            "offered": offered,
            "notes": found.help_notes.select_related("author"),
            "departments": Department.objects.all() if "assign" in offered or "admit" in offered else [],
            "helpers": _helpers() if "assign" in offered or "admit" in offered else [],
            "trail": trail(found),
            "facts": _facts_shown(found),
        },
    )


def _facts_shown(found) -> list[tuple[str, str]]:
    from zhuqi.core import formats

    labels = {
        "run_rate": _("Run rate this year"),
        "months": _("Months reported"),
        "threshold": _("Threshold of its sector"),
        "main_revenue_prev": _("Main revenue last year"),
        "revenue_prev": _("Revenue last year"),
        "distance": _("Distance to the threshold"),
    }
    shown = []
    for key, label in labels.items():
        value = (found.facts or {}).get(key)
        if value is not None:
            shown.append((label, str(value) if key == "months" else formats.money(value)))
    return shown


def _user_or_none(value: str):
    number = parse_whole(value, 1, 2**63 - 1)
    return User.objects.filter(pk=number).first() if number else None


def _department_or_none(value: str):
    number = parse_whole(value, 1, 2**63 - 1)
    return Department.objects.filter(pk=number).first() if number else None


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_POST
def member_action(request, pk, action):
    found = _or_404(lambda: selectors.membership_get(request.user, pk))
    if action not in lifecycle.MEMBERSHIP_STEPS:
        raise Http404
    post = request.POST
    reason = post.get("reason", "")
    try:
        if action == "admit":
            services.membership_admit(
                membership=found,
                acting_user=request.user,
                reason=reason,
                department=_department_or_none(post.get("department", "")),
                helper=_user_or_none(post.get("helper", "")),
            )
        elif action == "decline":
            services.membership_decline(membership=found, acting_user=request.user, reason=reason)
        elif action == "exit":
            services.membership_exit(membership=found, acting_user=request.user, reason=reason)
        elif action == "assign":
            services.membership_assign(
                membership=found,
                acting_user=request.user,
                department=_department_or_none(post.get("department", "")),
                helper=_user_or_none(post.get("helper", "")),
            )
        else:
            services.help_note_add(
                membership=found,
                acting_user=request.user,
                text=post.get("text", ""),
                helped_on=_day(post.get("helped_on", "")),
            )
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved."))
    return redirect("cultivation:member", pk=found.pk)


@login_required
@require_POST
def pool_add(request, kind):
    _require_reader(request)
    year = _year(request)
    try:
        enterprise = enterprise_get(request.user, request.POST.get("enterprise_uscc", "")[:18])
        services.membership_add(
            kind=kind,
            year=year,
            enterprise=enterprise,
            acting_user=request.user,
            reason=request.POST.get("reason", ""),
        )
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved."))
    return redirect(f"/cultivation/pools/{kind}/?year={year}")


@login_required
@require_POST
def target_set(request, kind):
    _require_reader(request)
    year = _year(request)
    town = Town.objects.filter(code=request.POST.get("town", "")[:20]).first()
    number = parse_whole(request.POST.get("target", ""), 0, services.TARGET_MAX)
    try:
        if number is None:
            raise ZhuqiError("invalid_target", _("A target is a whole number."), status=422, field="target")
        services.target_set(kind=kind, year=year, town=town, target=number, acting_user=request.user)
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved."))
    return redirect(f"/cultivation/pools/{kind}/?year={year}")


@login_required
@require_POST
def run(request):
    """Queues a batch run (a pool's proposal, the 小升规 lists, a key list's proposal) and opens its job."""
    year = _year(request)
    kind = request.POST.get("kind", "")[:20]
    try:
        job = jobs.enqueue(
            kind="cultivation.propose", owner=request.user, parameters={"kind": kind, "year": year}
        )
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
        return redirect(f"/cultivation/?year={year}")
    return redirect("web:job_detail", job.pk)


@login_required
@require_POST
def export(request):
    year = _year(request)
    parameters = {k: request.POST.get(k, "")[:100] for k in ("kind", "state", "town", "q")} | {"year": year}
    try:
        job = jobs.enqueue(kind="export.cultivation", owner=request.user, parameters=parameters)
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
        return redirect(f"/cultivation/?year={year}")
    return redirect("web:job_detail", job.pk)


@login_required
def key_list(request, kind):
    _require_reader(request)
    if kind not in ListKind.values:
        raise Http404
    year = _year(request)
    found = KeyList.objects.filter(kind=kind, year=year).first()
    office = permissions.has(request.user, Capability.MANAGE_CULTIVATION)
    context = {
        "kind": ListKind(kind),
        "year": year,
        "years": _years(),
        "list": found,
        "office": office,
        "projects": kind == ListKind.PROJECTS,
    }
    if found is not None:
        state = request.GET.get("state", "") if request.GET.get("state", "") in EntryState.values else ""
        entries = selectors.key_list_entries(request.user, found, state)
        entered, left = keylists.changes(found)
        context |= {
            "page": list_page(request, entries, 50),
            "state": state,
            "states": EntryState.choices,
            "offered": lifecycle.offered(lifecycle.LIST_STEPS, request.user, found),
            "entered": selectors.listed_visible(request.user, found, entered)[:200],
            "left": selectors.listed_visible(request.user, found, left)[:200],
            "entered_count": len(entered),
            "left_count": len(left),
            "rule_fields": [
                (name, spec[0], found.rule.get(name, spec[3]), spec[1], spec[2])
                for name, spec in keylists.RULE_FIELDS[kind].items()
            ],
            "report_by": _day(found.rule.get("report_by", "")),
            "trail": trail(found)[:50],
        }
    return render(request, "cultivation/key_list.html", context)


@login_required
@require_POST
def key_list_action(request, kind, action):
    _require_reader(request)
    year = _year(request)
    if kind not in ListKind.values or action not in ("create", *lifecycle.LIST_STEPS):
        raise Http404
    post = request.POST
    try:
        found = KeyList.objects.filter(kind=kind, year=year).first()
        if action == "create" or found is None:
            permissions.require(request.user, Capability.MANAGE_CULTIVATION)
            found = keylists.list_for(kind, year)
        if action == "propose":
            job = jobs.enqueue(
                kind="cultivation.propose", owner=request.user, parameters={"kind": kind, "year": year}
            )
            return redirect("web:job_detail", job.pk)
        if action == "edit_rule":
            changes = {}
            for name, spec in keylists.RULE_FIELDS[kind].items():
                number = parse_whole(post.get(name, ""), spec[1], spec[2])
                if number is None:
                    raise ZhuqiError(
                        "invalid_rule",
                        _("Every setting is a whole number within its bounds."),
                        status=422,
                        field=name,
                    )
                changes[name] = number
            changes["report_by"] = post.get("report_by", "")[:10]
            keylists.list_rule_edit(key_list=found, acting_user=request.user, changes=changes)
        elif action == "add" and kind == ListKind.PROJECTS:
            project = project_get(request.user, post.get("project_number", "")[:24])
            keylists.list_add(
                key_list=found, project=project, acting_user=request.user, reason=post.get("reason", "")
            )
        elif action == "add":
            enterprise = enterprise_get(request.user, post.get("enterprise_uscc", "")[:18])
            keylists.list_add(
                key_list=found, enterprise=enterprise, acting_user=request.user, reason=post.get("reason", "")
            )
        elif action == "remove":
            number = parse_whole(post.get("entry", ""), 1, 2**63 - 1) or 0
            entry = selectors.entry_get(request.user, found, number)
            keylists.list_remove(entry=entry, acting_user=request.user, reason=post.get("reason", ""))
        elif action == "publish":
            keylists.list_publish(key_list=found, acting_user=request.user)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved."))
    return redirect(f"/cultivation/lists/{kind}/?year={year}")


@login_required
def ladder_page(request):
    _require_reader(request)
    year = _year(request)
    rows = ladder.progress(year, enterprises_visible_to(request.user))
    return render(
        request,
        "cultivation/ladder.html",
        {
            "year": year,
            "years": _years(),
            "rows": rows,
            "chart": ladder.chart(rows, target_label=_("Target"), reached_label=_("Reached")),
            "office": permissions.has(request.user, Capability.MANAGE_CULTIVATION),
            "tiers": Tier.choices,
            "towns": Town.objects.all(),
        },
    )


@login_required
def ladder_enterprises(request, tier):
    _require_reader(request)
    if tier not in Tier.values:
        raise Http404
    year = _year(request)
    visible = enterprises_visible_to(request.user)
    town = request.GET.get("town", "")[:20]
    if town:
        visible = visible.filter(town__code=town)
    ids = ladder.reached_ids(year, tier, visible)
    rows = visible.filter(pk__in=ids).select_related("town").order_by("name", "id")
    page = list_page(request, rows, 50)
    return render(
        request,
        "cultivation/ladder_enterprises.html",
        {"tier": Tier(tier), "year": year, "page": page, "town": Town.objects.filter(code=town).first()},
    )


@login_required
@require_POST
def ladder_target(request):
    _require_reader(request)
    year = _year(request)
    tier = request.POST.get("tier", "")
    town = Town.objects.filter(code=request.POST.get("town", "")[:20]).first()
    number = parse_whole(request.POST.get("target", ""), 0, services.TARGET_MAX)
    try:
        if tier not in Tier.values or number is None:
            raise ZhuqiError("invalid_target", _("A target is a whole number."), status=422, field="target")
        services.ladder_target_set(year=year, tier=tier, town=town, target=number, acting_user=request.user)
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved."))
    return redirect(f"/cultivation/ladder/?year={year}")
