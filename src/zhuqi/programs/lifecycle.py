"""What may happen to a programme application: from which states, to which state, and who may do
it (as appeals/lifecycle.py and policies/lifecycle.py). The services check their step (`Step.check`);
the pages offer what `Step.allows` says, from the same entry; tests/programs/test_permission_agreement.py
proves the two agree for every role, step and state.

    submitted ──check──▶ in_review ──propose──▶ proposed ──publish──▶ selected
        │  └──check──▶ check_failed ◀──refuse──┘    │  └─uphold objection / not proposed─▶ not_selected
        └──withdraw──▶ withdrawn          readmit ──▶ in_review
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import Conflict, Message
from zhuqi.core.permissions import Capability, Rule
from zhuqi.programs.models import Application

S = Application.State

OFFICE = permissions.anyone_with(Capability.RUN_PROGRAMMES)
ENTERPRISE = permissions.own_enterprise(Capability.APPLY_TO_PROGRAMMES)


@dataclass(frozen=True)
class Step:
    name: str
    sources: frozenset
    target: str | None  # None: the state does not change (a file added, a department assigned)
    permission: Rule
    forbidden: object  # the 403's message
    button: object = None  # its button on the application page; None: done from the round's pages

    def allows(self, user, application) -> bool:
        return application.state in self.sources and self.permission(user, application)

    def check(self, user, application) -> None:
        """403 unless the user may (None is the platform itself), then 409 unless the state allows it."""
        if user is not None:
            self.permission.require(user, application, self.forbidden)
        if application.state not in self.sources:
            raise Conflict(
                "invalid_transition",
                Message(
                    _("Application %(number)s is %(state)s: it cannot be changed so."),
                    {"number": application.number, "state": application.get_state_display()},
                ),
            )


_RUNS = _("Only the coordinating office (倍增办) does this.")
# Review has started once the formal check is done: the enterprise may withdraw or add files only before.
BEFORE_REVIEW = frozenset({S.SUBMITTED})
LIVE = frozenset({S.SUBMITTED, S.IN_REVIEW, S.PROPOSED, S.SELECTED})

STEPS = {
    s.name: s
    for s in (
        Step(
            "withdraw",
            BEFORE_REVIEW,
            S.WITHDRAWN,
            ENTERPRISE,
            _("Only the enterprise withdraws its application."),
            _("Withdraw"),
        ),
        Step(
            "attach", BEFORE_REVIEW, None, ENTERPRISE, _("Only the enterprise adds files to its application.")
        ),
        Step("check", BEFORE_REVIEW, None, OFFICE, _RUNS),  # → in_review or check_failed, by the result
        Step("refuse", frozenset({S.IN_REVIEW}), S.CHECK_FAILED, OFFICE, _RUNS, _("Refuse")),
        Step("readmit", frozenset({S.CHECK_FAILED}), S.IN_REVIEW, OFFICE, _RUNS, _("Admit to review")),
        Step("propose", frozenset({S.IN_REVIEW, S.PROPOSED}), None, OFFICE, _RUNS),
        Step("assign", frozenset({S.PROPOSED}), None, OFFICE, _RUNS, _("Assign department")),
        Step("uphold", frozenset({S.PROPOSED}), S.NOT_SELECTED, OFFICE, _RUNS),
        Step("publish", frozenset({S.PROPOSED}), S.SELECTED, OFFICE, _RUNS),
    )
}

BUTTONS = ("withdraw", "refuse", "readmit")


def offered(user, application) -> list[str]:
    """The steps the application page offers this user now (as buttons)."""
    return [name for name in BUTTONS if STEPS[name].allows(user, application)]
