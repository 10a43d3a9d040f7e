"""The state tables of engagement, each action carrying its states and its permission (as
appeals/lifecycle.py): services check an entry with `Action.check`, pages offer the buttons the same
entries allow (`offered`); tests/engagement/test_permission_agreement.py proves they agree.

- Tracked tasks (督办事项): open → done (销号, with a note) or cancelled.
- Tier proposals: pending → accepted or rejected (by the coordinating office), or superseded by a
  later run.
- Major-event reports (重大事项): reported → acknowledged → closed (销号), with follow-up notes.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import Conflict, Message
from zhuqi.core.permissions import Capability, Rule


class TaskState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Closed out (销号)")
    CANCELLED = "cancelled", _("Cancelled")


class ProposalState(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded by a later run")


class EventState(models.TextChoices):
    REPORTED = "reported", _("Reported, waiting for acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged, being followed")
    CLOSED = "closed", _("Closed out (销号)")


COORDINATING = permissions.anyone_with(Capability.COORDINATE_ENGAGEMENT)


def _owns(user, task) -> bool:
    return permissions.has(user, Capability.FOLLOW_ENGAGEMENT) and (
        task.owner_user_id == user.pk
        or (task.owner_department_id is not None and task.owner_department_id == user.department_id)
    )


TASK_OWNER = Rule(_owns, "follow_engagement (a task it or its department owns)")
TASK_CREATOR = Rule(
    lambda u, o: permissions.has(u, Capability.ASSIGN_TASKS) and o.created_by_id == u.pk,
    "assign_tasks (a task it created)",
)


def _follows_event(user, event) -> bool:
    """The enterprise's liaison leaders and its town's officers follow a major event."""
    if not permissions.has(user, Capability.FOLLOW_ENGAGEMENT):
        return False
    if user.town_id is not None and user.town_id == event.enterprise.town_id:
        return True
    return user.liaisons.active().filter(enterprise_id=event.enterprise_id).exists()


EVENT_FOLLOWER = Rule(_follows_event, "follow_engagement (its liaison enterprise's or its town's event)")


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset
    target: str | None
    permission: Rule
    done: object  # "… cannot be <done>."
    button: object
    takes: tuple[str, ...] = ()

    def allows(self, user, obj) -> bool:
        return obj.state in self.sources and self.permission(user, obj)

    def check(self, acting_user, obj) -> None:
        """409 invalid_transition when the state does not allow it, then 403; None is the platform."""
        if obj.state not in self.sources:
            raise Conflict(
                "invalid_transition",
                Message(
                    _("What is %(state)s cannot be %(action)s."),
                    {"state": obj.get_state_display(), "action": self.done},
                ),
            )
        if acting_user is not None:
            self.permission.require(acting_user, obj)


T = TaskState
TASK_ACTIONS = {
    a.name: a
    for a in (
        Action(
            "close",
            frozenset({T.OPEN}),
            T.DONE,
            TASK_OWNER | COORDINATING,
            _("closed out"),
            _("Close out (销号)"),
            ("note",),
        ),
        Action(
            "cancel",
            frozenset({T.OPEN}),
            T.CANCELLED,
            TASK_CREATOR | COORDINATING,
            _("cancelled"),
            _("Cancel"),
            ("note",),
        ),
    )
}

P = ProposalState
PROPOSAL_ACTIONS = {
    a.name: a
    for a in (
        Action(
            "accept",
            frozenset({P.PENDING}),
            P.ACCEPTED,
            COORDINATING,
            _("accepted"),
            _("Accept"),
            ("leader", "note"),
        ),
        Action(
            "reject", frozenset({P.PENDING}), P.REJECTED, COORDINATING, _("rejected"), _("Reject"), ("note",)
        ),
    )
}

E = EventState
EVENT_ACTIONS = {
    a.name: a
    for a in (
        Action(
            "acknowledge",
            frozenset({E.REPORTED}),
            E.ACKNOWLEDGED,
            EVENT_FOLLOWER | COORDINATING,
            _("acknowledged"),
            _("Acknowledge"),
            ("note",),
        ),
        Action(
            "follow_up",
            frozenset({E.ACKNOWLEDGED}),
            E.ACKNOWLEDGED,
            EVENT_FOLLOWER | COORDINATING,
            _("followed up"),
            _("Add a follow-up note"),
            ("note",),
        ),
        Action(
            "close",
            frozenset({E.ACKNOWLEDGED}),
            E.CLOSED,
            EVENT_FOLLOWER | COORDINATING,
            _("closed out"),
            _("Close out (销号)"),
            ("note",),
        ),
    )
}


def offered(actions: dict[str, Action], user, obj) -> list[Action]:
    return [a for a in actions.values() if a.allows(user, obj)]
