"""Reads of engagement that depend on who asks; pages, the API and exports go through these.

Scope (README, "Engagement"): the coordinating office sees everything; a leader what concerns its
liaison enterprises and itself; a town officer its town's; a handler its department's. An object
outside the scope answers 404.
"""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import NotFound
from zhuqi.core.permissions import Capability
from zhuqi.engagement.lifecycle import TaskState
from zhuqi.engagement.models import Task


def _active_liaison_enterprises(user):
    from zhuqi.directory.models import LiaisonAssignment

    return LiaisonAssignment.objects.active().filter(leader=user).values("enterprise_id")


def tasks_visible_to(user) -> QuerySet[Task]:
    qs = Task.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if permissions.has(user, Capability.SEE_EVERYTHING):
        return qs
    if not permissions.has(user, Capability.FOLLOW_ENGAGEMENT):
        return qs.none()
    who = Q(owner_user=user) | Q(created_by=user)
    if user.department_id:
        who |= Q(owner_department_id=user.department_id)
    if user.town_id:
        who |= Q(owner_department__town_id=user.town_id) | Q(enterprise__town_id=user.town_id)
    who |= Q(enterprise_id__in=_active_liaison_enterprises(user))
    return qs.filter(who)


TASK_FILTERS = ("q", "state", "source", "department", "due")


def task_search(user, *, q="", state="", source="", department="", due="", today=None) -> QuerySet[Task]:
    today = today or date.today()
    qs = tasks_visible_to(user).select_related("owner_department", "owner_user", "enterprise")
    if q := (q or "").strip()[:100]:
        qs = qs.filter(Q(title__icontains=q) | Q(enterprise__name__icontains=q))
    if state in TaskState.values:
        qs = qs.filter(state=state)
    if source in Task.Source.values:
        qs = qs.filter(source=source)
    if department:
        qs = qs.filter(owner_department__code=department[:40])
    if due == "overdue":
        qs = qs.filter(state=TaskState.OPEN, due_on__lt=today)
    elif due == "week":
        qs = qs.filter(
            state=TaskState.OPEN, due_on__gte=today, due_on__lte=date.fromordinal(today.toordinal() + 7)
        )
    return qs.order_by("state", "due_on", "id")


def task_get(user, pk: int) -> Task:
    task = task_search(user).filter(pk=pk).first()
    if task is None:
        raise NotFound("task_not_found", _("No such tracked task."))
    return task


def task_counts(user, today=None) -> dict[str, int]:
    """The home page's queue: open tasks the user answers for, and those overdue (one query)."""
    from django.db.models import Count

    today = today or date.today()
    mine = Q(owner_user=user)
    if user.department_id:
        mine |= Q(owner_department_id=user.department_id)
    if permissions.has(user, Capability.COORDINATE_ENGAGEMENT):
        mine = Q()
    row = (
        tasks_visible_to(user)
        .filter(mine, state=TaskState.OPEN)
        .aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
    )
    return {"tasks_open": row["open"] or 0, "tasks_overdue": row["overdue"] or 0}


# ---------------------------------------------------------------------------------------------
# Liaisons, visits, meetings, events


def _enterprise_scope(user):
    from zhuqi.directory.selectors import enterprises_visible_to

    return enterprises_visible_to(user).values("pk")


LIAISON_FILTERS = ("q", "tier", "town", "leader")


def liaison_search(user, *, q="", tier="", town="", leader=""):
    from zhuqi.directory.models import LiaisonAssignment

    qs = LiaisonAssignment.objects.active().select_related("leader", "enterprise", "enterprise__town", "unit")
    if not permissions.has(user, Capability.FOLLOW_ENGAGEMENT):
        return qs.none()
    if not permissions.has(user, Capability.SEE_EVERYTHING):
        qs = qs.filter(enterprise_id__in=_enterprise_scope(user))
    if q := (q or "").strip()[:100]:
        qs = qs.filter(
            Q(enterprise__name__icontains=q) | Q(leader__display_name__icontains=q) | Q(leader__username=q)
        )
    if tier:
        qs = qs.filter(tier=tier[:16])
    if town:
        qs = qs.filter(enterprise__town__code=town[:20])
    if leader:
        qs = qs.filter(leader__username=leader[:150])
    return qs.order_by("leader__username", "enterprise__name")


def visits_visible_to(user):
    from zhuqi.engagement.models import Visit

    qs = Visit.objects.all()
    if not getattr(user, "is_authenticated", False) or not permissions.has(
        user, Capability.FOLLOW_ENGAGEMENT
    ):
        return qs.none()
    if permissions.has(user, Capability.SEE_EVERYTHING):
        return qs
    who = Q(enterprise_id__in=_enterprise_scope(user)) | Q(leader=user) | Q(recorded_by=user)
    if user.department_id:
        who |= Q(departments=user.department_id) | Q(unit_id=user.department_id)
    return qs.filter(who).distinct()


VISIT_FILTERS = ("q", "kind", "leader", "problems")


def visit_search(user, *, q="", kind="", leader="", problems=""):
    from zhuqi.engagement.models import VisitKind

    qs = visits_visible_to(user).select_related("enterprise", "leader", "recorded_by")
    if q := (q or "").strip()[:100]:
        qs = qs.filter(enterprise__name__icontains=q)
    if kind in VisitKind.values:
        qs = qs.filter(kind=kind)
    if leader == "me":
        qs = qs.filter(leader=user)
    if problems == "open":
        from zhuqi.appeals.lifecycle import OPEN_STATES

        qs = qs.filter(appeals__state__in=[s.value for s in OPEN_STATES]).distinct()
    return qs.order_by("-visited_on", "-id")


def visit_enterprises(user):
    """The enterprises a user records visits for: a leader its liaison enterprises, others their scope."""
    from zhuqi.directory.models import Enterprise

    own = Enterprise.objects.filter(pk__in=_active_liaison_enterprises(user)).order_by("name")
    if own.exists():
        return own
    from zhuqi.directory.selectors import enterprises_visible_to

    return enterprises_visible_to(user).order_by("name")


def meetings_visible_to(user):
    from zhuqi.engagement.models import Meeting

    qs = Meeting.objects.select_related("chair")
    if not permissions.has(user, Capability.FOLLOW_ENGAGEMENT):
        return qs.none()
    if permissions.has(user, Capability.SEE_EVERYTHING):
        return qs
    who = Q(chair=user) | Q(enterprises__in=_enterprise_scope(user))
    if user.department_id:
        who |= Q(departments=user.department_id)
    return qs.filter(who).distinct()


def events_visible_to(user):
    from zhuqi.engagement.models import MajorEvent

    qs = MajorEvent.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if permissions.has(user, Capability.SEE_EVERYTHING):
        return qs
    if permissions.has(user, Capability.REPORT_MAJOR_EVENTS):
        return qs.filter(enterprise_id=user.enterprise_id)
    if permissions.has(user, Capability.FOLLOW_ENGAGEMENT):
        return qs.filter(enterprise_id__in=_enterprise_scope(user))
    return qs.none()


EVENT_FILTERS = ("state", "kind")


def event_search(user, *, state: str = "", kind: str = ""):
    """The major-event list of the page, its export and the API: in scope, by state and kind (an
    unknown value filters nothing), newest first."""
    from zhuqi.engagement.lifecycle import EventState
    from zhuqi.engagement.models import MajorEvent

    qs = events_visible_to(user).select_related("enterprise", "enterprise__town")
    if state in EventState.values:
        qs = qs.filter(state=state)
    if kind in MajorEvent.Kind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("-reported_at", "-id")


def compliance_view(user, *, start, end, today, status=""):
    """The compliance page and API: per leader, unit and town (names attached), and the list of
    owed periods with `status` (the office's overdue list), for the enterprises in the user's scope."""
    import polars as pl

    from zhuqi.accounts.models import User
    from zhuqi.directory.models import Department, Enterprise, Town
    from zhuqi.engagement import cadence
    from zhuqi.engagement.models import CadenceRule

    ids = None
    if not permissions.has(user, Capability.SEE_EVERYTHING):
        ids = (
            list(_enterprise_scope(user).values_list("pk", flat=True))
            if permissions.has(user, Capability.FOLLOW_ENGAGEMENT)
            else []
        )
    frame = cadence.statuses(start=start, end=end, today=today, enterprise_ids=ids)
    rules = {r.code: r.name for r in CadenceRule.objects.all()}
    names = {
        "leader_id": {
            u.pk: str(u) for u in User.objects.filter(pk__in=frame["leader_id"].unique().to_list())
        },
        "unit_id": dict(
            Department.objects.filter(pk__in=frame["unit_id"].drop_nulls().unique().to_list()).values_list(
                "pk", "name"
            )
        ),
        "town_id": dict(
            Town.objects.filter(pk__in=frame["town_id"].unique().to_list()).values_list("pk", "name")
        ),
    }
    tables = {
        by: [
            {"name": names[by].get(r.key, "—"), "rule": rules.get(r.rule, r.rule), "row": r}
            for r in cadence.summary(frame, by)
        ]
        for by in ("leader_id", "unit_id", "town_id")
    }
    listed = frame.filter(pl.col("status") == status) if status else frame.filter(pl.col("status") != "done")
    listed = listed.sort(["period_end", "leader_id"]).head(200)
    enterprises = dict(
        Enterprise.objects.filter(pk__in=listed["enterprise_id"].to_list()).values_list("pk", "name")
    )
    rows = [
        r
        | {
            "enterprise": enterprises.get(r["enterprise_id"], ""),
            "leader": names["leader_id"].get(r["leader_id"], ""),
            "rule_name": rules.get(r["rule"], ""),
        }
        for r in listed.iter_rows(named=True)
    ]
    return {
        "by_leader": tables["leader_id"],
        "by_unit": tables["unit_id"],
        "by_town": tables["town_id"],
        "rows": rows,
        "total": frame.height,
    }


def _count(qs, group: str):
    """A counting subquery (NULL when nothing matches): grouped by a column the filter holds constant."""
    from django.db.models import Count, Subquery

    return Subquery(qs.order_by().values(group).annotate(c=Count("id", distinct=True)).values("c")[:1])


def home_counts(user, today=None, extra: dict | None = None) -> dict[str, int]:
    """The home page's engagement queues in one query (the home page has a query budget): the user's
    own row with counting subqueries — open and overdue tracked tasks, counted as the task list
    counts them; for a liaison leader, its enterprises not yet contacted this week (周联系) and the
    open appeals raised on its visits. `extra`: other apps' counting subqueries (name: expression) for
    the same row, so their queues cost no query of their own (the late key projects)."""
    from django.db.models import Exists, OuterRef
    from django.db.models.functions import Coalesce

    from zhuqi.accounts.models import User
    from zhuqi.appeals.lifecycle import OPEN_STATES
    from zhuqi.appeals.models import Appeal
    from zhuqi.directory.models import LiaisonAssignment
    from zhuqi.engagement.models import Visit

    today = today or date.today()
    open_tasks = tasks_visible_to(user).filter(state=TaskState.OPEN)
    counts = {
        "tasks_open": Coalesce(_count(open_tasks, "state"), 0),
        "tasks_overdue": Coalesce(_count(open_tasks.filter(due_on__lt=today), "state"), 0),
    }
    counts |= {name: Coalesce(expression, 0) for name, expression in (extra or {}).items()}
    leader = permissions.has(user, Capability.INSTRUCT_APPEALS)
    if leader:
        week = date.fromordinal(today.toordinal() - today.weekday())
        contacted = Visit.objects.filter(
            enterprise_id=OuterRef("enterprise_id"), leader=user, visited_on__gte=week, visited_on__lte=today
        )
        mine = LiaisonAssignment.objects.active().filter(leader=user)
        counts |= {
            "n_liaisons": Coalesce(_count(mine, "leader"), 0),
            "visits_due": Coalesce(_count(mine.filter(~Exists(contacted)), "leader"), 0),
            "visit_problems": Coalesce(
                _count(
                    Appeal.objects.filter(visits__leader=user, state__in=[s.value for s in OPEN_STATES]),
                    "visits__leader",
                ),
                0,
            ),
        }
    row = User.objects.filter(pk=user.pk).annotate(**counts).values(*counts).first() or dict.fromkeys(
        counts, 0
    )
    if leader and not row.pop("n_liaisons"):
        row.pop("visits_due")
        row.pop("visit_problems")
    return row


def scoped_enterprise_ids(user):
    """None for whoever sees every enterprise, else the ids of the enterprises in its scope."""
    if permissions.has(user, Capability.SEE_EVERYTHING):
        return None
    if not permissions.has(user, Capability.FOLLOW_ENGAGEMENT):
        return []
    return list(_enterprise_scope(user).values_list("pk", flat=True))


def enterprise_backlinks(user, enterprise_id) -> list[tuple[str, str]]:
    """An enterprise's liaison service (包联服务), for pages of other apps about it (a pilot's page;
    core/backlinks.py): each active liaison leader with its tier, and its visits — only what this
    user may open on the engagement pages, each linking to them filtered to the enterprise."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from zhuqi.core import formats
    from zhuqi.core.errors import Message
    from zhuqi.directory.models import Enterprise

    name = Enterprise.objects.filter(pk=enterprise_id).values_list("name", flat=True).first()
    if name is None or not permissions.has(user, Capability.FOLLOW_ENGAGEMENT):
        return []
    query = urlencode({"q": name[:100]})
    found = [
        (
            str(
                Message(
                    _("Liaison leader: %(leader)s (%(tier)s)"),
                    {"leader": str(a.leader), "tier": a.get_tier_display()},
                )
            ),
            f"{reverse('engagement:liaison_list')}?{query}",
        )
        for a in liaison_search(user).filter(enterprise_id=enterprise_id).order_by("since", "id")
    ]
    visits = list(visits_visible_to(user).filter(enterprise_id=enterprise_id).order_by("-visited_on")[:1])
    if visits:
        count = visits_visible_to(user).filter(enterprise_id=enterprise_id).count()
        found.append(
            (
                str(
                    Message(
                        _("Visits: %(n)d, the latest on %(day)s"),
                        {"n": count, "day": formats.day(visits[0].visited_on)},
                    )
                ),
                f"{reverse('engagement:visit_list')}?{query}",
            )
        )
    elif found:
        found.append((str(_("No visit recorded yet")), f"{reverse('engagement:visit_list')}?{query}"))
    return found
