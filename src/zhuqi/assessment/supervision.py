"""Supervision items (督办) from low survey scores, as tracked tasks of engagement (`engagement.Task`,
source 「supervision item」): the department owns the task, is told by engagement's service, and
closes it out (销号) with a note there. `SupervisionItem` keeps which campaign, department and aspect
opened it, so each opens once."""

from django.utils.translation import gettext_lazy as _

from zhuqi.assessment.models import SupervisionItem
from zhuqi.core import audit
from zhuqi.core.errors import Message


def open_task(item: SupervisionItem):
    from zhuqi.engagement.models import Task
    from zhuqi.engagement.tasks import create_task

    task = create_task(
        title=str(
            Message(
                _("Enterprises rated %(aspect)s at %(score)s: correct it"),
                {"aspect": item.aspect.name, "score": item.score},
            )
        ),
        description=str(
            Message(
                _("Survey %(title)s: %(answers)s enterprises rated this aspect %(score)s of 100."),
                {"title": item.campaign.title, "answers": item.answers, "score": item.score},
            )
        ),
        due_on=item.due,
        owner_department=item.department,
        source=Task.Source.SUPERVISION,
        source_object=item,
        acting_user=None,
    )
    item.task_id = task.pk
    item.save(update_fields=["task_id"])
    audit.record(
        actor=None,
        verb="survey_supervision_open",
        obj=item,
        data={"department": item.department.code, "aspect": item.aspect.code, "score": str(item.score)},
    )
    return task


def task_states(items, user) -> dict[int, object]:
    """{supervision item id: its task, when the user may open it} for a page, in one query."""
    from zhuqi.engagement.selectors import tasks_visible_to

    tasks = tasks_visible_to(user).in_bulk([i.task_id for i in items if i.task_id])
    return {i.pk: tasks.get(i.task_id) for i in items}
