"""Reads of key projects that depend on who asks; pages, API, exports and the CLI go through these.

Scope: the coordinating office, administrators and system clients every project; anyone else the
projects it has a part in — a leader those it is liaison leader of and those of its liaison
enterprises, a department those it is responsible for or the liaison unit of (a town-level
department also its town's), a town officer its town's, an enterprise its own. Outside scope: 404.
"""

from datetime import date
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import NotFound
from zhuqi.core.permissions import Capability
from zhuqi.projects import status as project_status
from zhuqi.projects.lifecycle import STAGES, STOPPED, next_stage
from zhuqi.projects.models import Project


def projects_visible_to(user) -> QuerySet[Project]:
    qs = Project.objects.all()
    if not permissions.has(user, Capability.BROWSE_PROJECTS):
        return qs.none()
    if permissions.has(user, Capability.SEE_EVERYTHING):
        return qs
    mine = Q(liaison_leader_id=user.pk) | Q(enterprise__liaisons__leader_id=user.pk)
    if user.town_id:
        mine |= Q(town_id=user.town_id)
    if user.department_id:
        mine |= Q(department_id=user.department_id) | Q(liaison_unit_id=user.department_id)
        if user.department.town_id:
            mine |= Q(town_id=user.department.town_id)
    if user.enterprise_id:
        mine |= Q(enterprise_id=user.enterprise_id)
    return qs.filter(pk__in=Project.objects.filter(mine).values("pk"))


def late_ids(today: date) -> QuerySet:
    """Ids of the projects whose stage is overdue on `today`: the stage each works towards (the one
    after its current stage, projects/status.py) had a planned date before today. Stopped projects
    are not excluded here; `late_projects` does."""
    from zhuqi.projects.models import Milestone

    target = Case(
        *[When(project__stage=s, then=Value(next_stage(s))) for s in STAGES if next_stage(s)],
        default=Value(""),
        output_field=CharField(),
    )
    return (
        Milestone.objects.filter(planned_on__lt=today)
        .annotate(target=target)
        .filter(stage=F("target"))
        .values("project_id")
    )


def late_projects(qs: QuerySet[Project], today: date) -> QuerySet[Project]:
    """The active projects of `qs` late on their stage (late by at least a day: status.py's
    `late_days` > 0), in the database."""
    return qs.filter(stopped_on__isnull=True, pk__in=late_ids(today))


def answers_for_projects(user) -> bool:
    """Whoever is responsible for key projects: the office, departments and towns that manage them,
    liaison leaders who report on them (not the enterprises themselves): the home page counts their
    late projects."""
    return (
        permissions.has(user, Capability.MANAGE_ANY_PROJECT)
        or permissions.has(user, Capability.MANAGE_PROJECTS)
        or (permissions.has(user, Capability.REPORT_PROJECTS) and user.enterprise_id is None)
    )


def late_count_subquery(user, today: date):
    """The number of late projects in `user`'s scope as a subquery, for the home page's one query of
    counts (engagement.selectors.home_counts); NULL when none."""
    return Subquery(
        late_projects(projects_visible_to(user), today)
        .order_by()
        .values("stopped_on")  # NULL for every active project: one group
        .annotate(c=Count("id"))
        .values("c")[:1]
    )


def project_search(
    user,
    *,
    q: str = "",
    stage: str = "",
    town: str = "",
    department: str = "",
    late: str = "",
    min_investment=None,
    today: date | None = None,
) -> QuerySet[Project]:
    qs = projects_visible_to(user).select_related("enterprise", "town", "department", "liaison_leader")
    if late == "1":
        qs = late_projects(qs, today or timezone.localdate())
    if q := (q or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(number__istartswith=q) | Q(enterprise__name__icontains=q))
    if stage == STOPPED:
        qs = qs.filter(stopped_on__isnull=False)
    elif stage in STAGES:
        qs = qs.filter(stage=stage, stopped_on__isnull=True)
    if town:
        qs = qs.filter(town__code=town)
    if department:
        qs = qs.filter(department__code=department)
    if min_investment is not None:
        qs = qs.filter(investment__gte=min_investment)
    return qs.order_by("-investment", "number")


def project_get(user, number: str) -> Project:
    found = (
        projects_visible_to(user)
        .select_related("enterprise", "town", "department", "liaison_leader", "liaison_unit")
        .filter(number=(number or "").strip())
        .first()
    )
    if found is None:
        raise NotFound("project_not_found", _("No such project."))
    return found


def stage_counts(user) -> dict[str, int]:
    """Projects in scope per stage (stopped apart), in one query."""
    rows = (
        projects_visible_to(user)
        .values("stage")
        .annotate(
            active=Count("id", filter=Q(stopped_on__isnull=True)),
            stopped=Count("id", filter=Q(stopped_on__isnull=False)),
        )
    )
    counts = dict.fromkeys([*STAGES, STOPPED], 0)
    for row in rows:
        counts[row["stage"]] += row["active"]
        counts[STOPPED] += row["stopped"]
    return counts


KEY_PROJECT_AMOUNT = Decimal(100_000_000)  # seed 003 三(一)5: 每年评选出100个超亿元项目作为重点项目


def key_projects(user=None, *, minimum: Decimal = KEY_PROJECT_AMOUNT) -> QuerySet[Project]:
    """Active projects of at least 100,000,000 yuan of investment (超亿元), the largest first: the
    register from which the 100 key projects of the year are chosen. `user` None: every project."""
    qs = Project.objects.all() if user is None else projects_visible_to(user)
    return qs.filter(stopped_on__isnull=True, investment__gte=minimum).order_by("-investment", "number")


def with_status(projects, today: date) -> list[tuple[Project, project_status.Status]]:
    projects = list(projects)
    found = project_status.statuses(projects, today)
    return [(p, found[p.pk]) for p in projects]


def appeal_backlinks(user, appeal_id) -> list[tuple[str, str]]:
    """The key project an appeal was raised on, if this user may open it (core/backlinks.py)."""
    from zhuqi.core.errors import Message

    found = (
        projects_visible_to(user).filter(problems__appeal_id=appeal_id).values_list("number", "name").first()
    )
    if found is None:
        return []
    number, name = found
    return [(str(Message(_("Raised on key project %(name)s"), {"name": name})), f"/projects/{number}/")]
