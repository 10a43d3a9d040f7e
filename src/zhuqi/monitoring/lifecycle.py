"""What may happen to a warning: from which states, to which state, and who may do it. The services
check their step; the pages offer what the same entry allows; a test proves the two agree.

    new ──acknowledge──▶ acknowledged ──handle (a note)──▶ handled
     └─────────────handle (a note)────────────────────────▲
    new / acknowledged ──(the sweep: no longer found)──▶ resolved ──(found again, same period)──▶ new
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import Conflict, Message
from zhuqi.core.permissions import NOBODY, Capability, Rule
from zhuqi.monitoring.models import WarningState as S


def _in_scope(user, warning) -> bool:
    if user.department_id is not None and user.department_id == warning.department_id:
        return True
    if user.town_id is not None and user.town_id == warning.town_id:
        return True
    return warning.owners.filter(pk=user.pk).exists()


# The office handles any warning; others those of their department or town, or naming them.
HANDLER = permissions.anyone_with(Capability.CONFIGURE_WARNINGS) | Rule(
    lambda u, w: permissions.has(u, Capability.HANDLE_WARNINGS) and _in_scope(u, w),
    f"{Capability.HANDLE_WARNINGS.value} (its department's, its town's, or naming it)",
)
_WRONG_STATE = _("Warning %(number)s is %(state)s: it cannot be changed so.")
_ONLY = _("Only the office, or the department, town or people the warning names, handle it.")


@dataclass(frozen=True)
class Step:
    name: str
    label: object
    sources: frozenset
    target: str
    permission: Rule
    needs_note: bool = False

    def allows(self, user, warning) -> bool:
        return warning.state in self.sources and self.permission(user, warning)

    def check(self, user, warning) -> None:
        self.permission.require(user, warning, _ONLY)
        if warning.state not in self.sources:
            raise Conflict(
                "invalid_transition",
                Message(_WRONG_STATE, {"number": warning.pk, "state": warning.get_state_display()}),
            )


OPEN = frozenset({S.NEW, S.ACKNOWLEDGED})
STEPS = {
    s.name: s
    for s in (
        Step("acknowledge", _("Acknowledge"), frozenset({S.NEW}), S.ACKNOWLEDGED, HANDLER),
        Step("handle", _("Mark handled"), OPEN, S.HANDLED, HANDLER, needs_note=True),
        Step("resolve", _("Resolved by itself"), OPEN, S.RESOLVED, NOBODY),
        Step("recur", _("Found again"), frozenset({S.RESOLVED}), S.NEW, NOBODY),
    )
}
USER_STEPS = ("acknowledge", "handle")


def steps_for(user, warning) -> list[Step]:
    return [STEPS[name] for name in USER_STEPS if STEPS[name].allows(user, warning)]
