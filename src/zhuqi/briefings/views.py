"""Briefing pages: the list with the request form, a briefing with its downloads and the send form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhuqi.accounts.models import User
from zhuqi.assessment import periods
from zhuqi.briefings import sections, selectors, services
from zhuqi.briefings.models import Kind
from zhuqi.core import permissions
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.permissions import Capability


def _briefing(request, pk):
    try:
        return selectors.briefing_get(request.user, pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def briefing_list(request):
    briefings = selectors.briefings_visible_to(request.user).select_related("job")[:100]
    if not briefings and not permissions.has(request.user, Capability.READ_BRIEFINGS):
        raise Http404
    return render(
        request,
        "briefings/list.html",
        {
            "briefings": briefings,
            "kinds": Kind.choices,
            "may_make": permissions.has(request.user, Capability.MAKE_BRIEFINGS),
            "periods": periods.recent(("quarter", "month", "half"), timezone.localdate()),
            "chosen": periods.recent(("quarter",), timezone.localdate())[0][1][1][0],
        },
    )


@login_required
@require_POST
def briefing_new(request):
    try:
        briefing = services.briefing_request(
            kind=request.POST.get("kind", "")[:16],
            period=request.POST.get("period", "")[:8],
            acting_user=request.user,
        )
    except ZhuqiError as exc:
        if exc.status == 403:
            raise Http404 from exc
        messages.error(request, str(exc.message))
        return redirect("briefings:list")
    return redirect("web:job_detail", briefing.job_id)


@login_required
def briefing_detail(request, pk):
    briefing = _briefing(request, pk)
    may_make = permissions.has(request.user, Capability.MAKE_BRIEFINGS)
    people = []
    if may_make:
        roles = permissions.roles_with(Capability.READ_BRIEFINGS) - {"system"}
        people = User.objects.filter(role__in=roles, is_active=True).order_by("role", "username")[:300]
    return render(
        request,
        "briefings/detail.html",
        {
            "briefing": briefing,
            "may_make": may_make,
            "people": people,
            "recipients": briefing.recipients.all()[:300] if may_make else [],
            # A job's page is its owner's only.
            "job_id": briefing.job_id
            if briefing.job_id and briefing.job.owner_id == request.user.pk
            else None,
        },
    )


@login_required
def briefing_download(request, pk, fmt):
    try:
        path, name, content_type = selectors.briefing_file(request.user, pk, fmt)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except ZhuqiError as exc:
        messages.error(request, str(exc.message))
        return redirect("briefings:detail", pk)
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=content_type)


@login_required
@require_POST
def briefing_send(request, pk):
    briefing = _briefing(request, pk)
    names = [n[:150] for n in request.POST.getlist("recipients")[: services.MAX_RECIPIENTS]]
    try:
        n = services.briefing_send(
            briefing=briefing,
            recipients=list(User.objects.filter(username__in=names)),
            acting_user=request.user,
        )
    except ZhuqiError as exc:
        if exc.status == 403:
            raise Http404 from exc
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Sent to %(n)d people.") % {"n": n})
    return redirect("briefings:detail", pk)


def _require_make(request):
    if not permissions.has(request.user, Capability.MAKE_BRIEFINGS):
        raise Http404


MAX_ORDER = 99


def _chosen_from(post) -> list[str]:
    """The sections ticked on the form, in the order typed (ties: the page's order)."""
    picked = []
    for i, code in enumerate(sections.SECTIONS):
        if post.get(f"s_{code}") != "1":
            continue
        try:
            order = int(post.get(f"o_{code}", "")[:3])
        except ValueError:
            order = MAX_ORDER
        picked.append((min(max(order, 0), MAX_ORDER), i, code))
    return [code for _o, _i, code in sorted(picked)]


@login_required
def template_list(request):
    _require_make(request)
    return render(
        request,
        "briefings/templates.html",
        {"kinds": [(value, label, services.template_settings(value)) for value, label in Kind.choices]},
    )


@login_required
def template_edit(request, kind):
    _require_make(request)
    if kind not in Kind.values:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            services.template_configure(
                kind=kind,
                section_codes=_chosen_from(request.POST),
                title=request.POST.get("title", "")[: services.MAX_TITLE + 1],
                issuer=request.POST.get("issuer", "")[: services.MAX_ISSUER + 1],
                number_prefix=request.POST.get("number_prefix", "")[: services.MAX_PREFIX + 1],
                acting_user=request.user,
            )
        except ZhuqiError as exc:
            if exc.status == 403:
                raise Http404 from exc
            error = exc
        else:
            messages.success(request, _("Saved."))
            return redirect("briefings:template_edit", kind)
    current = services.template_settings(kind)
    order = {code: i for i, code in enumerate(current.sections, start=1)}
    rows = sorted(
        (
            {"code": code, "heading": heading, "chosen": code in order, "order": order.get(code, "")}
            for code, heading in sections.SECTIONS.items()
        ),
        key=lambda r: (not r["chosen"], r["order"] or 0),
    )
    return render(
        request,
        "briefings/template_edit.html",
        {
            "kind": kind,
            "kind_label": Kind(kind).label,
            "settings": current,
            "rows": rows,
            "error": error,
            "period_word": services.PERIOD_WORD,
        },
    )
