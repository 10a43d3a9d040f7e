"""Reads of chains, events and quotas that depend on who asks (pages, API, exports, CLI).

Scope of chains: the coordinating office, administrators and system clients all; a leader the
chains it is 链长 of; a department those whose 专班 it leads or with a member in its town (a
town-level department); a town officer those with a member enterprise in its town. Whoever may open
a chain sees all its members and their figures (the 链长 answers for the whole chain).
Scope of events: the coordinating office all; a department those it organises (a town-level one
also its town's); a town officer its town's; a leader those of its chains and those its liaison
enterprises took part in.
"""

from datetime import date
from decimal import Decimal

import polars as pl
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from zhuqi.appeals.lifecycle import OPEN_STATES
from zhuqi.chains import quotas
from zhuqi.chains.models import Chain, Event, Member, Outcome
from zhuqi.core import permissions
from zhuqi.core.errors import NotFound
from zhuqi.core.permissions import Capability
from zhuqi.directory import figures


def chains_visible_to(user) -> QuerySet[Chain]:
    qs = Chain.objects.all()
    if not permissions.has(user, Capability.BROWSE_CHAINS):
        return qs.none()
    if permissions.has(user, Capability.SEE_EVERYTHING):
        return qs
    mine = Q(leader_id=user.pk)
    town_id = user.town_id
    if user.department_id:
        mine |= Q(lead_department_id=user.department_id)
        town_id = town_id or user.department.town_id
    if town_id:
        mine |= Q(members__enterprise__town_id=town_id)
    return qs.filter(pk__in=Chain.objects.filter(mine).values("pk"))


def chain_get(user, code: str) -> Chain:
    found = (
        chains_visible_to(user)
        .select_related("leader", "lead_enterprise", "lead_department")
        .filter(code=(code or "").strip())
        .first()
    )
    if found is None:
        raise NotFound("chain_not_found", _("No such chain."))
    return found


def chain_list(user) -> list[Chain]:
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from zhuqi.engagement.models import Task

    open_tasks = (
        Task.objects.filter(
            source_type=ContentType.objects.get_for_model(Chain), source_id=OuterRef("pk"), state="open"
        )
        .values("source_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return list(
        chains_visible_to(user)
        .select_related("leader", "lead_enterprise", "lead_department")
        .annotate(
            member_count=Count("members", distinct=True),
            open_gaps=Count("gaps", filter=Q(gaps__filled_on__isnull=True), distinct=True),
            open_tasks=Coalesce(Subquery(open_tasks, output_field=IntegerField()), 0),
        )
        .order_by("code")
    )


def member_figures(chain: Chain) -> dict:
    """The chain's members with their latest full year's revenue, growth and tax (best values,
    directory/figures.py, in Polars) and their open appeals, in three queries whatever the number of
    members: the members, their annual indicator values, their open appeals counted by the
    database. Totals for the chain besides."""
    members = list(
        Member.objects.filter(chain=chain).select_related("enterprise__town").order_by("position", "id")
    )
    ids = [m.enterprise_id for m in members]
    frame = figures.with_derived(figures.annual_frame(ids, indicators=["revenue", "tax_paid"]))
    year = None
    by_enterprise: dict[int, dict] = {}
    revenue_before: dict[int, Decimal] = {}  # the year before, for the chain's growth
    if not frame.is_empty() and "revenue" in frame.columns:
        year = frame.select(pl.col("year").max()).item()
        for row in frame.filter(pl.col("year") == year).to_dicts():
            by_enterprise[row["enterprise_id"]] = row
        revenue_before = dict(
            frame.filter(pl.col("year") == year - 1).select("enterprise_id", "revenue").iter_rows()
        )
    appeals = dict(
        Member.objects.filter(chain=chain)
        .values_list("enterprise_id")
        .annotate(
            n=Count(
                "enterprise__appeals", filter=Q(enterprise__appeals__state__in=[s.value for s in OPEN_STATES])
            )
        )
        .values_list("enterprise_id", "n")
    )
    rows = []
    # Yuan, exact. The chain's growth compares like with like: the members with a positive year
    # before, this year's revenue over that year's.
    revenue = tax = comparable = previous = Decimal(0)
    for m in members:
        f = by_enterprise.get(m.enterprise_id, {})
        rows.append(
            {
                "member": m,
                "revenue": f.get("revenue"),
                "revenue_growth": f.get("revenue_growth"),
                "tax": f.get("tax_paid"),
                "open_appeals": appeals.get(m.enterprise_id, 0),
            }
        )
        revenue += f.get("revenue") or 0
        tax += f.get("tax_paid") or 0
        if f.get("revenue") and f.get("revenue_growth") is not None:
            comparable += f["revenue"]
            previous += revenue_before[m.enterprise_id]
    return {
        "year": year,
        "rows": rows,
        "revenue": revenue if year else None,
        "tax": tax if year else None,
        "revenue_growth": figures.growth_rate(comparable, previous),
        "open_appeals": sum(appeals.values()),
    }


def events_visible_to(user) -> QuerySet[Event]:
    qs = Event.objects.all()
    if not permissions.has(user, Capability.BROWSE_CHAINS):
        return qs.none()
    if permissions.has(user, Capability.SEE_EVERYTHING):
        return qs
    mine = Q(chain__in=chains_visible_to(user)) | Q(enterprises__liaisons__leader_id=user.pk)
    if user.department_id:
        mine |= Q(organiser_department_id=user.department_id)
        if user.department.town_id:
            mine |= Q(organiser_town_id=user.department.town_id)
    if user.town_id:
        mine |= Q(organiser_town_id=user.town_id)
    return qs.filter(pk__in=Event.objects.filter(mine).values("pk"))


def event_search(
    user, *, year: int | None = None, kind: str = "", chain: str = "", state: str = ""
) -> QuerySet[Event]:
    qs = events_visible_to(user).select_related("organiser_department", "organiser_town", "chain")
    if year:
        qs = qs.filter(held_on__year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if chain:
        qs = qs.filter(chain__code=chain)
    if state:
        qs = qs.filter(state=state)
    return qs.annotate(
        enterprise_count=Count("enterprises", distinct=True),
    ).order_by("-held_on", "-id")


def event_get(user, number: str) -> Event:
    found = (
        events_visible_to(user)
        .select_related("organiser_department", "organiser_town", "chain")
        .filter(number=(number or "").strip())
        .first()
    )
    if found is None:
        raise NotFound("event_not_found", _("No such event."))
    return found


def outcome_totals(events: QuerySet[Event]) -> dict:
    """Agreements and their value, loans and their amount, people hired, over a set of events: one query."""
    rows = (
        Outcome.objects.filter(event__in=events)
        .values("kind")
        .annotate(n=Count("id"), value=Sum("value"), people=Sum("people"))
    )
    found = {r["kind"]: r for r in rows}
    return {
        "agreements": found.get("agreement", {}).get("n", 0),
        "agreement_value": found.get("agreement", {}).get("value"),
        "loans": found.get("loan", {}).get("n", 0),
        "loan_value": found.get("loan", {}).get("value"),
        "hired": found.get("hire", {}).get("people") or 0,
    }


def follow_ups_due(user, today: date) -> QuerySet[Outcome]:
    """Outcomes of events in scope whose follow-up day has come and that are not followed up."""
    return (
        Outcome.objects.filter(
            event__in=events_visible_to(user), follow_up_on__lte=today, followed_up_on__isnull=True
        )
        .select_related("event", "enterprise")
        .order_by("follow_up_on", "id")
    )


def quota_progress(user, year: int, as_of: date) -> list[quotas.Row]:
    """Each organiser against its quota: everyone in scope sees the area's totals; a department its
    own rows (a town-level one its town's), a town officer its town's, the office every row."""
    if not permissions.has(user, Capability.BROWSE_CHAINS):
        return []
    if permissions.has(user, Capability.SEE_EVERYTHING):
        return quotas.progress(year, as_of)
    department_ids = {user.department_id} if user.department_id else set()
    town_ids = {user.town_id} if user.town_id else set()
    if user.department_id and user.department.town_id:
        town_ids.add(user.department.town_id)
    return quotas.progress(year, as_of, department_ids=department_ids, town_ids=town_ids)
