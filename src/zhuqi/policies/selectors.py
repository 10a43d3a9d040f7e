"""Reads of policies that depend on who asks; pages and API share them.

catalogue (policies, clauses, parameters)   everyone signed in (seed 003, 三(一)4: every policy is
                                            published to every enterprise)
where an enterprise stands (我的政策)       the enterprise itself and staff who may see it
per-clause figures                          staff: coordinator, admin, handler, town officer, leader
applications                                coordinator, admin, system: all; handler: its department's
                                            clauses; enterprise, town officer, leader: the
                                            enterprises they may see
grant offers                                as applications
disbursement batches                        coordinator, admin
"""

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.core import attachments as stored_files
from zhuqi.core import permissions
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.models import Attachment
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Enterprise
from zhuqi.directory.selectors import enterprise_get, enterprises_visible_to
from zhuqi.policies.models import (
    Application,
    ApplicationState,
    Clause,
    DisbursementBatch,
    GrantOffer,
    Match,
    OfferState,
    Policy,
)


def policies() -> QuerySet[Policy]:
    return Policy.objects.filter(retired=False).select_related("pack").order_by("pack__code", "code")


def clauses() -> QuerySet[Clause]:
    return Clause.objects.filter(retired=False).select_related("policy__pack", "department")


def clause_get(code: str) -> Clause:
    found = clauses().filter(code=code).first()
    if found is None:
        raise NotFound("clause_not_found", _("No such clause."))
    return found


def clause_stats(user: User, year: int) -> dict[int, dict]:
    """Per clause: enterprises eligible and undecided, the estimated total, applications and what
    was approved, grant offers and their total, over the enterprises the user may see."""
    scope = (
        Q()
        if permissions.has(user, Capability.SEE_EVERYTHING)
        else Q(enterprise__in=enterprises_visible_to(user))
    )
    stats: dict[int, dict] = {}

    def put(rows, **names):
        for row in rows:
            entry = stats.setdefault(row["clause_id"], {})
            for key, field in names.items():
                entry[key] = row[field] or (Decimal(0) if key.endswith("total") else 0)

    put(
        Match.objects.filter(scope, year=year)
        .values("clause_id")
        .annotate(
            e=Count("id", filter=Q(eligible=True)),
            u=Count("id", filter=Q(eligible=False)),
            t=Sum("amount", filter=Q(eligible=True)),
        ),
        eligible="e",
        undecided="u",
        potential_total="t",
    )
    put(
        Application.objects.filter(scope, year=year)
        .values("clause_id")
        .annotate(n=Count("id"), t=Sum("approved_amount", filter=Q(state=ApplicationState.APPROVED))),
        applications="n",
        approved_total="t",
    )
    put(
        GrantOffer.objects.filter(scope, year=year)
        .exclude(state=OfferState.CANCELLED)
        .values("clause_id")
        .annotate(n=Count("id"), t=Sum("amount")),
        offers="n",
        offered_total="t",
    )
    return stats


def _scoped(qs, user: User, department_field: str):
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if permissions.has(user, Capability.SEE_EVERYTHING):
        return qs
    if permissions.has(user, Capability.REVIEW_APPLICATIONS):  # a handler: its department's clauses
        return qs.filter(**{department_field: user.department_id})
    if permissions.has(user, Capability.BROWSE_DIRECTORY):  # those of the enterprises it may see
        return qs.filter(enterprise__in=enterprises_visible_to(user))
    return qs.none()


def applications_visible_to(user: User) -> QuerySet[Application]:
    return _scoped(Application.objects.all(), user, "clause__department_id")


def application_list(user: User, *, state: str = "", clause: str = "", year: int | None = None, q: str = ""):
    qs = applications_visible_to(user).select_related(
        "enterprise", "clause", "clause__department", "clause__policy"
    )
    if state:
        qs = qs.filter(state=state)
    if clause:
        qs = qs.filter(clause__code=clause)
    if year:
        qs = qs.filter(year=year)
    if q := q.strip():
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(number__icontains=q) | Q(project__icontains=q))
    return qs.order_by("-created_at", "-id")


def application_get(user: User, number: str) -> Application:
    found = application_list(user).filter(number=number).first()
    if found is None:
        raise NotFound("application_not_found", _("No such application."))
    return found


def offers_visible_to(user: User) -> QuerySet[GrantOffer]:
    return _scoped(GrantOffer.objects.all(), user, "clause__department_id")


def offer_list(user: User, *, state: str = "", year: int | None = None, q: str = ""):
    qs = offers_visible_to(user).select_related("enterprise", "clause", "batch")
    if state:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(year=year)
    if q := q.strip():
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(number__icontains=q))
    return qs.order_by("-created_at", "-id")


def offer_get(user: User, number: str) -> GrantOffer:
    found = offer_list(user).filter(number=number).first()
    if found is None:
        raise NotFound("offer_not_found", _("No such grant offer."))
    return found


def batches_visible_to(user: User) -> QuerySet[DisbursementBatch]:
    if permissions.has(user, Capability.DISBURSE_GRANTS):
        return DisbursementBatch.objects.annotate(offer_count=Count("offers"))
    return DisbursementBatch.objects.none()


def batch_get(user: User, number: str) -> DisbursementBatch:
    found = batches_visible_to(user).filter(number=number).first()
    if found is None:
        raise NotFound("batch_not_found", _("No such disbursement batch."))
    return found


def standing_enterprise(user: User, uscc: str = "") -> Enterprise:
    """Whose standing (我的政策) is read: an enterprise user's own; staff name one they may see."""
    if permissions.has(user, Capability.APPLY_FOR_POLICIES):
        return user.enterprise
    if not (uscc or "").strip():
        raise ZhuqiError(
            "enterprise_missing",
            _("Name the enterprise (its unified social credit code)."),
            status=422,
            field="enterprise",
        )
    if not permissions.has(user, Capability.READ_POLICY_FIGURES):
        raise NotFound("enterprise_not_found", _("No such enterprise."))
    return enterprise_get(user, uscc)


def application_attachment_get(user: User, number: str, attachment_id: int) -> Attachment:
    """A file of an application the user may see; NotFound for anything else, as if it did not exist."""
    return stored_files.get("application", application_get(user, number).pk, attachment_id)


def work_counts(user: User) -> dict[str, int]:
    """Applications and grant offers waiting for someone in the user's scope: two queries."""
    applications = applications_visible_to(user).aggregate(
        applications_submitted=Count("pk", filter=Q(state=ApplicationState.SUBMITTED))
    )
    offers = offers_visible_to(user).aggregate(
        offers_offered=Count("pk", filter=Q(state=OfferState.OFFERED)),
        offers_confirmed=Count("pk", filter=Q(state=OfferState.CONFIRMED)),
    )
    return applications | offers
