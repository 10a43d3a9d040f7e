from datetime import date

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from zhuqi.accounts.models import Role
from zhuqi.core import audit_export, permissions
from zhuqi.core import selectors as core_selectors
from zhuqi.core import services as core_services
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.models import AuditChainHead, AuditEvent
from zhuqi.core.pagination import count_of, list_page
from zhuqi.directory import figures, selectors
from zhuqi.directory.models import Enterprise, LiaisonAssignment
from zhuqi.monitoring import dashboards
from zhuqi.policies import selectors as policy_selectors
from zhuqi.programs import selectors as programme_selectors
from zhuqi.web import queues


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    """One home page, its figures scoped by the same selector as every list: each role sees its own."""
    user = request.user
    visible = selectors.enterprises_visible_to(user)
    upscale, tier_expiring = queues.cultivation_home(user)
    context = {
        "overview": figures.overview(visible),
        "queues": queues.queues_for(user) + queues.engagement_queues(user) + upscale,
        "tier_expiring": tier_expiring,  # read with the 小升规 counts; None: the tiers card reads it
    }
    # The figures that say what to do, by scope (monitoring: the city's or the town's cockpit, a
    # department's KPIs and rank), under the work queues.
    context |= dashboards.for_home(user) or {}
    if permissions.has(user, permissions.Capability.SCORE_APPLICATIONS):
        # An expert's work is its drawn applications, not enterprise figures (it has no scope).
        context["to_score"] = list(programme_selectors.to_score(user)[:10])
    elif user.role == Role.ENTERPRISE:
        context["enterprise"] = user.enterprise
        context["series"] = figures.enterprise_series(user.enterprise_id)
        context["applications"] = policy_selectors.application_list(user)[:5]
    else:
        context["by_class"] = [
            (
                Enterprise.DoublingClass(row["doubling_class"]).label if row["doubling_class"] else "—",
                row["n"],
            )
            for row in visible.values("doubling_class").annotate(n=Count("id")).order_by("-n")
        ]
        context["by_town"] = list(
            visible.values("town__name").annotate(n=Count("id")).order_by("-n", "town__name")[:10]
        )
    if user.role == Role.LEADER:
        context["liaisons"] = (
            LiaisonAssignment.objects.active()
            .filter(leader=user)
            .select_related("enterprise", "enterprise__town")
            .order_by("enterprise__name")[:50]
        )
    return render(request, "web/home.html", context)


@login_required
def notification_list(request):
    page = list_page(request, core_selectors.notifications_of(request.user), 25)
    return render(request, "web/notifications.html", {"page": page})


@login_required
@require_POST
def notification_mark_read(request):
    core_services.notifications_mark_read(acting_user=request.user)
    return redirect("web:notifications")


def csrf_failure(request, reason=""):
    """An expired or missing CSRF token: the site's page saying what to do, not Django's English one."""
    return render(request, "403_csrf.html", status=403)


@login_required
def audit_trail(request):
    """Export the audit trail by date range (.csv/.xlsx): the coordinating office and the administrator."""
    if not permissions.has(request.user, permissions.Capability.READ_AUDIT):
        raise Http404
    form = {"start": request.GET.get("start", ""), "end": request.GET.get("end", ""), "format": "xlsx"}
    error = None
    if form["start"] or form["end"]:
        form["format"] = request.GET.get("format", "xlsx")
        try:
            start, end = date.fromisoformat(form["start"]), date.fromisoformat(form["end"])
        except ValueError:
            error = _("Give the start and end dates.")
        else:
            try:
                content, content_type, filename = audit_export.export(
                    acting_user=request.user, start=start, end=end, fmt=form["format"]
                )
            except ZhuqiError as exc:
                error = exc.message
            else:
                response = HttpResponse(content, content_type=content_type)
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                return response
    head = AuditChainHead.objects.filter(pk=1).first()
    # Millions of events: the database's estimate unless the exact count is asked (core/pagination.py).
    events, estimated = count_of(AuditEvent.objects.all(), exact=request.GET.get("count") == "exact")
    return render(
        request,
        "web/audit.html",
        {
            "form": form,
            "error": error,
            "head": head,
            "events": events,
            "events_estimated": estimated,
            "retention": settings.ZHUQI_AUDIT_RETENTION_DAYS,
        },
        status=422 if error else 200,
    )
