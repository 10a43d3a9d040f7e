"""What may happen to a pool membership and to a key list: from which states, to which state, and
who may do it. The services check their step (`Step.check`); the pages offer what `Step.allows`
says, from the same entry; tests/cultivation/test_permission_agreement.py proves the two agree."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import Conflict, Message
from zhuqi.core.permissions import Capability, Rule
from zhuqi.cultivation.models import POOLS, ListState, MembershipState

OFFICE = permissions.anyone_with(Capability.MANAGE_CULTIVATION)


def _helps(user, membership) -> bool:
    """A staff member who may help, on a member of an enterprise it may see (the helper, the town, the
    office)."""
    from zhuqi.directory.selectors import enterprises_visible_to

    return permissions.has(user, Capability.HELP_MEMBERS) and (
        membership.helper_id == user.pk
        or enterprises_visible_to(user).filter(pk=membership.enterprise_id).exists()
    )


OFFICE_ON_POOL = Rule(
    lambda u, m: OFFICE(u, m) and m.kind in POOLS,
    "manage_cultivation (a pool's member; the lists follow their rules)",
)
HELPER = Rule(_helps, "help_members (a member it may see)")


@dataclass(frozen=True)
class Step:
    name: str
    sources: frozenset
    target: str | None  # None: the state does not change
    permission: Rule
    forbidden: object
    wrong_state: object  # the 409's message, with %(name)s and %(state)s

    def allows(self, user, obj) -> bool:
        return obj.state in self.sources and self.permission(user, obj)

    def check(self, user, obj, name: str) -> None:
        """403 unless the user may, then 409 unless the state allows it (in that order, as ever)."""
        self.permission.require(user, obj, self.forbidden)
        if obj.state not in self.sources:
            raise Conflict(
                "invalid_transition",
                Message(self.wrong_state, {"name": name, "state": obj.get_state_display()}),
            )


_OFFICE_DECIDES = _("Only the coordinating office manages the pools.")
_MEMBER_STATE = _("%(name)s is %(state)s in this pool: it cannot be changed so.")
_LIVE = frozenset({MembershipState.PROPOSED, MembershipState.ADMITTED})

MEMBERSHIP_STEPS = {
    s.name: s
    for s in (
        Step(
            "admit",
            frozenset({MembershipState.PROPOSED}),
            MembershipState.ADMITTED,
            OFFICE,
            _OFFICE_DECIDES,
            _MEMBER_STATE,
        ),
        Step(
            "decline",
            frozenset({MembershipState.PROPOSED}),
            MembershipState.DECLINED,
            OFFICE,
            _OFFICE_DECIDES,
            _MEMBER_STATE,
        ),
        Step(
            "exit",
            frozenset({MembershipState.ADMITTED}),
            MembershipState.EXITED,
            OFFICE_ON_POOL,
            _OFFICE_DECIDES,
            _MEMBER_STATE,
        ),
        Step("assign", _LIVE, None, OFFICE, _OFFICE_DECIDES, _MEMBER_STATE),
        Step(
            "help",
            frozenset({MembershipState.ADMITTED}),
            None,
            HELPER,
            _("Only staff who serve this enterprise record help given to it."),
            _MEMBER_STATE,
        ),
    )
}

_LIST_DECIDES = _("Only the coordinating office reviews and publishes the key lists.")
_LIST_STATE = _("The list %(name)s is %(state)s: it cannot be changed so.")
_DRAFT = frozenset({ListState.DRAFT})

LIST_STEPS = {
    s.name: s
    for s in (
        Step("propose", _DRAFT, None, OFFICE, _LIST_DECIDES, _LIST_STATE),
        Step("edit_rule", _DRAFT, None, OFFICE, _LIST_DECIDES, _LIST_STATE),
        Step("add", _DRAFT, None, OFFICE, _LIST_DECIDES, _LIST_STATE),
        Step("remove", _DRAFT, None, OFFICE, _LIST_DECIDES, _LIST_STATE),
        Step("publish", _DRAFT, ListState.PUBLISHED, OFFICE, _LIST_DECIDES, _LIST_STATE),
    )
}


def offered(steps: dict[str, Step], user, obj) -> list[str]:
    return [name for name, step in steps.items() if step.allows(user, obj)]
