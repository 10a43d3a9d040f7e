"""Who may change a chain, and the life of a matchmaking event (planned → held, or cancelled), with
the permission of each action in one entry: services check it, pages offer what it allows."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import Conflict, Message
from zhuqi.core.permissions import Capability, Rule

# A chain: the coordinating office any; its 链长 and the people of its 专班's lead department theirs.
CHAIN_MANAGER = permissions.anyone_with(Capability.MANAGE_CHAINS)
CHAIN_EDITOR = CHAIN_MANAGER | Rule(
    lambda u, c: (
        permissions.has(u, Capability.EDIT_OWN_CHAINS)
        and (
            (u.pk is not None and u.pk == c.leader_id)
            or (u.department_id is not None and u.department_id == c.lead_department_id)
        )
    ),
    "edit_own_chains (its chains: 链长 or 专班)",
)

# An event: the coordinating office any; a department or town the events it organises.
EVENT_COORDINATING = permissions.anyone_with(Capability.MANAGE_EVENTS)
EVENT_ORGANISER = EVENT_COORDINATING | Rule(
    lambda u, e: (
        permissions.has(u, Capability.ORGANISE_EVENTS)
        and (
            (u.department_id is not None and u.department_id == e.organiser_department_id)
            or (u.town_id is not None and u.town_id == e.organiser_town_id)
        )
    ),
    "organise_events (its department's or town's events)",
)

PLANNED, HELD, CANCELLED = "planned", "held", "cancelled"
STATE_LABELS = {PLANNED: _("Planned"), HELD: _("Held"), CANCELLED: _("Cancelled")}


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset
    permission: Rule
    done: object
    label: object

    def allows(self, user, event) -> bool:
        return event.state in self.sources and self.permission(user, event)

    def check(self, acting_user, event) -> None:
        if event.state not in self.sources:
            raise Conflict(
                "invalid_transition",
                Message(
                    _("An event that is %(state)s cannot be %(action)s."),
                    {"state": STATE_LABELS[event.state], "action": self.done},
                ),
            )
        if acting_user is not None:
            self.permission.require(acting_user, event, _("You may not do this to this event."))


EVENT_ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("hold", frozenset({PLANNED}), EVENT_ORGANISER, _("recorded as held"), _("Record as held")),
        Action("cancel", frozenset({PLANNED}), EVENT_ORGANISER, _("cancelled"), _("Cancel the event")),
        Action("outcome", frozenset({HELD}), EVENT_ORGANISER, _("given an outcome"), _("Add an outcome")),
        Action("follow_up", frozenset({HELD}), EVENT_ORGANISER, _("followed up"), _("Record a follow-up")),
    )
}


def offered(user, event) -> list[str]:
    return [name for name, a in EVENT_ACTIONS.items() if a.allows(user, event)]
