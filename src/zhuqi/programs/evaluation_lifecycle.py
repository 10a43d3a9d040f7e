"""The annual evaluation's steps in one table: from which states, to which state, who may take it.
Services check the entry (`Step.check`); pages offer exactly what `offered` allows; a test proves
the two agree for every role, step and state (tests/programs/test_evaluation_permissions.py).

draft ──propose──▶ proposed ──approve──▶ approved (the pilots change only here)
  ▲                    │
  └──────return────────┘   (the city government sends it back)
While draft the office records third-party assessments, dishonesty, re-entry wishes and the
committee's own decision on an item (`amend`)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import Conflict, Message
from zhuqi.core.permissions import Capability, Rule
from zhuqi.programs.evaluation_models import Evaluation

S = Evaluation.State
OFFICE = permissions.anyone_with(Capability.EVALUATE_PILOTS)


@dataclass(frozen=True)
class Step:
    name: str
    sources: frozenset
    target: str | None
    permission: Rule
    button: object
    done: object

    def allows(self, user, evaluation) -> bool:
        return evaluation.state in self.sources and self.permission(user, evaluation)

    def check(self, user, evaluation) -> None:
        if evaluation.state not in self.sources:
            raise Conflict(
                "invalid_transition",
                Message(
                    _("An evaluation that is %(state)s cannot be %(action)s."),
                    {"state": evaluation.get_state_display(), "action": self.done},
                ),
            )
        if user is not None:  # None: the platform itself (the CLI, a job)
            self.permission.require(user, evaluation)


STEPS = {
    s.name: s
    for s in (
        Step(
            "rerun",
            frozenset({S.DRAFT}),
            S.DRAFT,
            OFFICE,
            _("Run again on the latest figures"),
            _("run again"),
        ),
        Step("amend", frozenset({S.DRAFT}), None, OFFICE, None, _("amended")),
        Step(
            "propose",
            frozenset({S.DRAFT}),
            S.PROPOSED,
            OFFICE,
            _("Record the committee's proposal"),
            _("proposed"),
        ),
        Step(
            "return",
            frozenset({S.PROPOSED}),
            S.DRAFT,
            OFFICE,
            _("Sent back by the city government"),
            _("sent back"),
        ),
        Step(
            "approve",
            frozenset({S.PROPOSED}),
            S.APPROVED,
            OFFICE,
            _("Record the city government's approval and carry it out"),
            _("approved"),
        ),
    )
}


def offered(user, evaluation) -> list[str]:
    return [s.name for s in STEPS.values() if s.button is not None and s.allows(user, evaluation)]
