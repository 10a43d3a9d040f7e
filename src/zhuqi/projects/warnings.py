"""The `project_delay` warning (core/findings.py): every active key project that is yellow or red
on the day (projects/status.py), once per project and month. The warnings centre raises, notifies
and resolves them; this module only says which projects are behind and by how much."""

from collections.abc import Iterator
from datetime import date

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from zhuqi.core import findings, formats
from zhuqi.core.errors import Message
from zhuqi.projects import status as project_status
from zhuqi.projects.lifecycle import STATE_LABELS


def _sentence(project, st) -> str:
    parts = []
    if st.late_days:
        parts.append(
            str(
                Message(
                    _("%(stage)s planned for %(planned)s, %(days)d days late"),
                    {
                        "stage": STATE_LABELS[st.target_stage],
                        "planned": formats.day(st.target_planned_on),
                        "days": st.late_days,
                    },
                )
            )
        )
    if st.amount_level in (project_status.YELLOW, project_status.RED):
        parts.append(
            str(
                Message(
                    _("invested %(actual)s of %(planned)s planned to date"),
                    {
                        "actual": formats.money(st.actual_to_date),
                        "planned": formats.money(st.planned_to_date),
                    },
                )
            )
        )
    return str(
        Message(
            _("Key project %(name)s (%(number)s): %(what)s."),
            {"name": project.name, "number": project.number, "what": "；".join(parts)},
        )
    )


def provider(today: date) -> Iterator[findings.Finding]:
    from zhuqi.projects.models import Project

    projects = list(
        Project.objects.filter(stopped_on__isnull=True)
        .exclude(stage="producing")
        .only("pk", "number", "name", "stage", "stopped_on", "town_id", "department_id", "liaison_leader_id")
    )
    with translation.override("zh-hans"):
        found = project_status.statuses(projects, today)
        for project in projects:
            st = found[project.pk]
            if st.level not in (project_status.YELLOW, project_status.RED):
                continue
            since = st.target_planned_on if st.late_days else date(*st.cutoff, 1)
            yield findings.Finding(
                kind="project_delay",
                subject_type="projects.project",
                subject_id=project.pk,
                period=f"{today:%Y-%m}",
                level=st.level,
                text=_sentence(project, st),
                since=since,
                link=f"/projects/{project.number}/",
                town_id=project.town_id,
                department_id=project.department_id,
                user_ids=(project.liaison_leader_id,) if project.liaison_leader_id else (),
            )


findings.register("project_delay", label=_("Key project behind plan"), provider=provider)
