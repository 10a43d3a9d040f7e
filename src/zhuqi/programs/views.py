"""Programme pages. Thin: parse, call a selector or a service, render."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.core import attachments as stored_files
from zhuqi.core import jobs, permissions
from zhuqi.core.audit import trail
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.pagination import list_page
from zhuqi.core.permissions import Capability
from zhuqi.core.schemas import parse_whole
from zhuqi.directory import indicators
from zhuqi.directory.models import Department
from zhuqi.directory.selectors import enterprises_visible_to
from zhuqi.programs import eligibility, lifecycle, lists, scoring, selectors, services
from zhuqi.programs.models import (
    Application,
    CrossCheck,
    EnterpriseClass,
    Expert,
    ExpertField,
    GrowthDriver,
    Objection,
    Pilot,
    ReviewGroup,
    Round,
    Score,
)

PAGE_SIZE = 50
FILTER_KEYS = ("q", "state", "enterprise_class", "driver", "settlement")


def _or_404(read):
    try:
        return read()
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _office(user) -> bool:
    return permissions.has(user, Capability.RUN_PROGRAMMES)


def _filters(request) -> dict:
    return {k: request.GET.get(k, "")[:100] for k in FILTER_KEYS}


def _render_list(request, listing: lists.Listing, export_url: str, extra: dict):
    page = list_page(request, list(listing.rows), PAGE_SIZE)
    shown = [
        (number, [lists.shown(v, c.kind) for v, c in zip(values, listing.columns, strict=True)])
        for number, values in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programs/list.html",
        {
            "listing": listing,
            "page": page,
            "rows": shown,
            "export_url": f"{export_url}?{query.urlencode()}",
            **extra,
        },
    )


def _export(request, kind: str, parameters: dict):
    """Queues the list's export as a background job of the user's (any size); its page shows the
    progress, then offers the file."""
    try:
        job = jobs.enqueue(kind=kind, owner=request.user, parameters=parameters)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return redirect("web:job_detail", job.pk)


@login_required
def index(request):
    user = request.user
    programmes = selectors.programmes_visible_to(user).prefetch_related("rounds", "classes__department")
    return render(
        request,
        "programs/index.html",
        {
            "programmes": programmes,
            "office": _office(user),
            "expert": selectors.expert_of(user),
            "may_import_facts": permissions.has(user, Capability.EDIT_DIRECTORY),
            "mine": selectors.applications_visible_to(user).select_related("round", "enterprise")[:20]
            if permissions.has(user, Capability.APPLY_TO_PROGRAMMES)
            else [],
        },
    )


@login_required
def round_detail(request, pk):
    round_ = _or_404(lambda: selectors.round_get(request.user, pk))
    visible = selectors.applications_visible_to(request.user).filter(round=round_)
    states = dict(visible.values_list("state").annotate(n=Count("pk")).order_by())
    office = _office(request.user)
    return render(
        request,
        "programs/round_detail.html",
        {
            "round": round_,
            "states": [(label, states.get(code, 0)) for code, label in Application.State.choices],
            "office": office,
            "may_apply": permissions.has(request.user, Capability.APPLY_TO_PROGRAMMES)
            or permissions.has(request.user, Capability.RECOMMEND_TO_PROGRAMMES),
            "departments": services.department_counts(round_) if office else [],
            "weights": [
                (k, label, scoring.weights_of(round_, "desk")[k])
                for k, label in scoring.DESK_CRITERIA.items()
            ],
            "groups": round_.groups.annotate(n=Count("applications", distinct=True)).prefetch_related(
                "experts"
            )
            if office
            else [],
            "objections": Objection.objects.filter(application__round=round_).select_related(
                "application__enterprise"
            )
            if office
            else [],
            "today": timezone.localdate(),
        },
    )


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


@require_POST
@login_required
def round_new(request, pk):
    """The coordinating office opens a round of a programme: with its dates, or open all year for the
    reserve (seed 000 四(四))."""
    programme = selectors.programmes_visible_to(request.user).filter(pk=pk).first()
    if programme is None:
        raise Http404
    post = request.POST
    try:
        opens_on = _date(post.get("opens_on"))
        if opens_on is None:
            raise ZhuqiError("opens_on", _("Give the day the round opens."), status=422, field="opens_on")
        check_year = parse_whole(post.get("check_year"), 2000, 2100)
        round_ = services.round_open(
            programme=programme,
            name=post.get("name", "")[:200],
            opens_on=opens_on,
            closes_on=_date(post.get("closes_on")),
            check_year=check_year or 0,
            for_reserve=post.get("for_reserve") == "on",
            acting_user=request.user,
        )
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
        return redirect("programs:index")
    messages.success(request, _("Done."))
    return redirect("programs:round_detail", round_.pk)


@require_POST
@login_required
def round_action(request, pk, action):
    round_ = _or_404(lambda: selectors.round_get(request.user, pk))
    user, post = request.user, request.POST
    try:
        if action == "close":
            services.round_close(round_=round_, acting_user=user)
        elif action == "check":
            services.formal_check_run(round_=round_, acting_user=user)
        elif action == "cross_check":
            services.cross_check_run(round_=round_, acting_user=user)
        elif action == "propose":
            services.proposal_make(round_=round_, acting_user=user)
        elif action == "notice":
            starts, ends = _date(post.get("starts_on")), _date(post.get("ends_on"))
            if starts is None or ends is None:
                raise ZhuqiError("notice_period", _("Give the first and last day of the notice."), status=422)
            services.notice_start(round_=round_, starts_on=starts, ends_on=ends, acting_user=user)
        elif action == "publish":
            services.round_publish(round_=round_, acting_user=user)
        elif action == "settings":
            weights = {}
            for key in scoring.DESK_CRITERIA:
                found = parse_whole(post.get(f"weight_{key}"), 0, 100)
                weights[key] = -1 if found is None else found
            site = post.get("site_weight_percent", "")
            services.round_settings(
                round_=round_,
                tolerance_percent=_decimal(post.get("tolerance_percent", "")),
                weights=weights if any(post.get(f"weight_{k}") for k in scoring.DESK_CRITERIA) else None,
                site_weight_percent=parse_whole(site, 0, 100),
                acting_user=user,
            )
        elif action == "draw":
            numbers = [n.strip() for n in post.get("numbers", "").replace("，", ",").split(",") if n.strip()][
                :500
            ]
            stage = post.get("stage", "desk")
            qs = Application.objects.filter(round=round_, state=Application.State.IN_REVIEW)
            if numbers:
                qs = qs.filter(number__in=numbers)
            elif post.get("enterprise_class"):
                qs = qs.filter(enterprise_class=post.get("enterprise_class"))
            if stage == ReviewGroup.Stage.SITE:
                qs = qs.filter(shortlisted=True)
            size = post.get("size", "")
            services.group_draw(
                round_=round_,
                name=post.get("name", "")[:100] or _("Review group"),
                stage=stage,
                size=parse_whole(size, 0, 100) or 0,
                applications=list(qs.select_related("enterprise")[:2000]),
                seed=post.get("seed", "")[:64] or None,
                acting_user=user,
            )
        elif action == "shortlist":
            count = post.get("count", "")
            top = Application.objects.filter(
                round=round_, state=Application.State.IN_REVIEW, desk_score__isnull=False
            ).order_by("-desk_score", "number")[: parse_whole(count, 0, 100_000) or 0]
            services.shortlist_set(round_=round_, applications=list(top), acting_user=user)
        else:
            raise Http404
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Done."))
    return redirect("programs:round_detail", round_.pk)


@login_required
def round_list(request, pk, kind):
    round_ = _or_404(lambda: selectors.round_get(request.user, pk))
    filters = _filters(request)
    listing = _or_404(lambda: lists.for_round(request.user, round_, kind, filters))
    office = _office(request.user)
    extra = {
        "round": round_,
        "kind": kind,
        "states": Application.State.choices,
        "classes": EnterpriseClass.choices,
        "drivers": GrowthDriver.choices,
        "settlements": CrossCheck.Settlement.choices if kind == "cross_checks" else [],
        "departments": services.department_counts(round_) if kind in ("ranking", "notice") and office else [],
    }
    return _render_list(request, listing, reverse("programs:round_export", args=[round_.pk, kind]), extra)


@require_POST
@login_required
def round_export(request, pk, kind):
    round_ = _or_404(lambda: selectors.round_get(request.user, pk))
    if kind not in lists.ROUND_LISTS:
        raise Http404
    return _export(request, f"export.programme_{kind}", {"round": round_.pk, **_filters(request)})


@login_required
def pilot_list(request):
    filters = _filters(request)
    listing = lists.pilots(selectors.pilots_visible_to(request.user), filters)
    extra = {"kind": "pilots", "states": Pilot.State.choices, "classes": EnterpriseClass.choices}
    return _render_list(request, listing, reverse("programs:pilots_export"), extra)


@require_POST
@login_required
def pilots_export(request):
    filters = _filters(request)
    return _export(
        request, "export.programme_pilots", {k: filters[k] for k in ("q", "state", "enterprise_class")}
    )


@login_required
def application_new(request, pk):
    round_ = _or_404(lambda: selectors.round_get(request.user, pk))
    user = request.user
    if not (
        permissions.has(user, Capability.APPLY_TO_PROGRAMMES)
        or permissions.has(user, Capability.RECOMMEND_TO_PROGRAMMES)
    ):
        raise Http404
    fields = [
        (f"{key}@{year}", indicators.BY_KEY[key].label, year)
        for key, year in services.declared_fields(round_)
    ]
    recommending = not permissions.has(user, Capability.APPLY_TO_PROGRAMMES)
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            if recommending:
                found = (
                    enterprises_visible_to(user)
                    .filter(uscc=request.POST.get("uscc", "").strip()[:18])
                    .first()
                )
                if found is None:
                    raise ZhuqiError("enterprise", _("No such enterprise in your scope."), status=422)
                enterprise = found
            else:
                enterprise = user.enterprise
            years = request.POST.get("commitment_years", "")
            application = services.application_submit(
                round_=round_,
                enterprise=enterprise,
                enterprise_class=request.POST.get("enterprise_class", ""),
                drivers=request.POST.getlist("drivers")[:7],
                commitment_years=parse_whole(years, 0, 10) or 0,
                figures={name: request.POST.get(name, "") for name, _l, _y in fields},
                key_introduced_project=request.POST.get("key_introduced_project") == "on",
                summary=request.POST.get("summary", "")[:2000],
                plan=request.FILES.get("plan"),
                acting_user=user,
            )
        except ZhuqiError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Application %(number)s submitted.") % {"number": application.number})
            return redirect("programs:application_detail", application.number)
    return render(
        request,
        "programs/application_form.html",
        {
            "round": round_,
            "fields": fields,
            "classes": EnterpriseClass.choices,
            "drivers": GrowthDriver.choices,
            "recommending": recommending,
            "values": values,
            "chosen_drivers": request.POST.getlist("drivers") if request.method == "POST" else [],
        },
    )


@login_required
def application_detail(request, number):
    user = request.user
    application = _or_404(lambda: selectors.application_get(user, number))
    office = _office(user)
    expert = selectors.expert_of(user)
    my_groups = []
    if expert is not None:
        scored = set(
            Score.objects.filter(application=application, expert=expert).values_list("group_id", flat=True)
        )
        for group in application.groups.filter(experts=expert):
            my_groups.append(
                {
                    "group": group,
                    "criteria": [
                        (k, label, scoring.weights_of(application.round, group.stage)[k])
                        for k, label in scoring.criteria(group.stage).items()
                    ],
                    "scored": group.pk in scored,
                    "open": expert.active and application.state == Application.State.IN_REVIEW,
                }
            )
    scores = Score.objects.filter(application=application).select_related("expert", "group")
    if not office:
        scores = scores.filter(expert=expert) if expert is not None else scores.none()
    figures = application.figures.all()
    flags = {(f.indicator, f.year): [] for f in figures}
    for flag in application.cross_checks.all() if office else ():
        flags.setdefault((flag.indicator, flag.year), []).append(flag)
    return render(
        request,
        "programs/application_detail.html",
        {
            "application": application,
            "office": office,
            "drivers": [GrowthDriver(d).label for d in application.drivers if d in GrowthDriver.values],
            "factors": [
                services.POSITIVE_FACTORS[f]
                for f in application.positive_factors
                if f in services.POSITIVE_FACTORS
            ],
            "figures": [
                (
                    indicators.BY_KEY[f.indicator].label if f.indicator in indicators.BY_KEY else f.indicator,
                    f.year,
                    f.value,
                    flags.get((f.indicator, f.year), []),
                )
                for f in figures
            ],
            "findings": eligibility.described(application.check_findings)
            if application.check_findings
            else [],
            "scores": scores,
            "my_groups": my_groups,
            "may": set(lifecycle.offered(user, application)),
            "may_attach": lifecycle.STEPS["attach"].allows(user, application),
            "may_assign": office
            and lifecycle.STEPS["assign"].allows(user, application)
            and application.outcome in (Application.Outcome.PILOT, Application.Outcome.HONORARY),
            "may_propose": office
            and lifecycle.STEPS["propose"].allows(user, application)
            and application.round.stage == Round.Stage.REVIEW,
            "may_object": office
            and application.state == Application.State.PROPOSED
            and application.round.stage == Round.Stage.NOTICE,
            "outcomes": Application.Outcome.choices,
            "departments": Department.objects.filter(
                programme_classes__programme=application.round.programme
            ).distinct(),
            "objections": application.objections.all() if office else [],
            "settlements": [c for c in CrossCheck.Settlement.choices if c[0] != CrossCheck.Settlement.OPEN],
            "trail": trail(application) if office else [],
            "attachments": stored_files.for_object(services.PLAN_OBJECT, application.pk),
            "today": timezone.localdate(),
        },
    )


@require_POST
@login_required
def application_action(request, number, action):
    user = request.user
    application = _or_404(lambda: selectors.application_get(user, number))
    post = request.POST
    try:
        if action == "withdraw":
            services.application_withdraw(application=application, acting_user=user)
        elif action == "refuse":
            services.application_refuse(
                application=application, reason=post.get("reason", "")[:300], acting_user=user
            )
        elif action == "readmit":
            services.application_readmit(
                application=application, reason=post.get("reason", "")[:300], acting_user=user
            )
        elif action == "attach":
            upload = request.FILES.get("file")
            if upload is None:
                raise ZhuqiError("file_missing", _("Choose a file."), status=422, field="file")
            services.application_attach(application=application, upload=upload, acting_user=user)
        elif action == "assign":
            department = Department.objects.filter(
                pk=parse_whole(post.get("department"), 1, 2**62) or 0
            ).first()
            if department is None:
                raise ZhuqiError("department", _("Choose a department."), status=422)
            services.department_assign(
                application=application,
                department=department,
                reason=post.get("reason", "")[:200],
                acting_user=user,
            )
        elif action == "propose":
            services.proposal_set(
                application=application,
                outcome=post.get("outcome", ""),
                reason=post.get("reason", "")[:300],
                acting_user=user,
            )
        elif action == "object":
            services.objection_record(
                application=application,
                raised_by=post.get("raised_by", "")[:100],
                content=post.get("content", "")[:2000],
                received_on=_date(post.get("received_on")) or timezone.localdate(),
                acting_user=user,
            )
        elif action == "score":
            group = ReviewGroup.objects.filter(pk=parse_whole(post.get("group"), 1, 2**62) or 0).first()
            if group is None:
                raise ZhuqiError("group", _("No such review group."), status=422)
            marks = {k: post.get(f"mark_{k}", "")[:10] for k in scoring.criteria(group.stage)}
            services.score_submit(
                group=group,
                application=application,
                marks=marks,
                comment=post.get("comment", "")[:500],
                acting_user=user,
            )
        else:
            raise Http404
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Application %(number)s updated.") % {"number": number})
    return redirect("programs:application_detail", number)


@require_POST
@login_required
def settle(request, pk):
    if not _office(request.user):
        raise Http404
    flag = CrossCheck.objects.select_related("application").filter(pk=pk).first()
    if flag is None:
        raise Http404
    try:
        services.cross_check_settle(
            flag=flag,
            settlement=request.POST.get("settlement", ""),
            note=request.POST.get("note", "")[:300],
            acting_user=request.user,
        )
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    return redirect("programs:application_detail", flag.application.number)


@require_POST
@login_required
def objection_decide(request, pk):
    if not _office(request.user):
        raise Http404
    objection = Objection.objects.select_related("application").filter(pk=pk).first()
    if objection is None:
        raise Http404
    try:
        services.objection_decide(
            objection=objection,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", "")[:500],
            acting_user=request.user,
        )
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
    return redirect("programs:application_detail", objection.application.number)


@login_required
def application_attachment(request, number, pk):
    application = _or_404(lambda: selectors.application_get(request.user, number))
    found = _or_404(lambda: stored_files.get(services.PLAN_OBJECT, application.pk, pk))
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename)


@login_required
def experts(request):
    if not _office(request.user):
        raise Http404
    if request.method == "POST":
        try:
            services.expert_create(
                name=request.POST.get("name", "")[:64],
                field=request.POST.get("field", ""),
                organisation=request.POST.get("organisation", "")[:100],
                acting_user=request.user,
            )
        except ZhuqiError as exc:
            messages.error(request, str(exc.message))
        return redirect("programs:experts")
    pool = Expert.objects.annotate(n=Count("groups")).order_by("name", "pk")
    page = list_page(request, pool, PAGE_SIZE)
    return render(request, "programs/experts.html", {"page": page, "fields": ExpertField.choices})


@login_required
def group_detail(request, pk):
    if not _office(request.user):
        raise Http404
    group = ReviewGroup.objects.select_related("round").filter(pk=pk).first()
    if group is None:
        raise Http404
    pool = {
        e.pk: e
        for e in Expert.objects.filter(
            pk__in=[c[0] for c in group.candidates] + [x["expert"] for x in group.excluded]
        )
    }
    return render(
        request,
        "programs/group_detail.html",
        {
            "group": group,
            "candidates": [pool.get(c[0]) for c in group.candidates],
            "excluded": [(pool.get(x["expert"]), x["reason"]) for x in group.excluded],
            "drawn": list(group.experts.all()),
            "redrawn": [pool.get(i) for i in services.redraw(group)],
            "applications": group.applications.select_related("enterprise").order_by("number"),
        },
    )


@login_required
def my_reviews(request):
    """What the expert can still score (the same selector as its home count), then, read-only, what
    it scored or what left review."""
    expert = selectors.expert_of(request.user)
    if expert is None:
        raise Http404
    page = list_page(request, selectors.to_score(request.user), PAGE_SIZE)
    done = list_page(request, selectors.reviewed(request.user), PAGE_SIZE, param="done")
    return render(request, "programs/my_reviews.html", {"page": page, "done": done, "expert": expert})


@login_required
def my_conflicts(request):
    """An expert's declared conflicts of interest: it lists them, adds and withdraws; the draw reads them."""
    expert = selectors.expert_of(request.user)
    if expert is None:
        raise Http404
    if request.method == "POST":
        try:
            if request.POST.get("action") == "withdraw":
                enterprise = services.declared_conflict(
                    uscc=request.POST.get("enterprise", ""), acting_user=request.user
                )
                services.conflict_withdraw(enterprise=enterprise, acting_user=request.user)
            else:
                enterprise = services.conflict_enterprise(
                    request.POST.get("uscc", ""), request.POST.get("name", "")
                )
                services.conflict_declare(enterprise=enterprise, acting_user=request.user)
        except ZhuqiError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Done."))
        return redirect("programs:my_conflicts")
    page = list_page(request, expert.conflicts.order_by("name", "pk"), PAGE_SIZE)
    return render(request, "programs/conflicts.html", {"page": page, "expert": expert})
