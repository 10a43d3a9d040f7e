"""What may happen to a tier recognition, from which state and by whom: one entry per change. The
services check their step (`Step.check`); the pages offer what `Step.allows` says, from the same entry;
tests/tiers/test_permission_agreement.py proves the two agree for every role and state.

A recognition is `recorded` (in force, expired or not yet in force: the dates say which) until it is
`revoked` (撤销认定); a renewal is a new recognition, so nothing else changes its state."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import Conflict
from zhuqi.core.permissions import Capability, Rule


class RecognitionState(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    REVOKED = "revoked", _("Revoked")


def state_of(recognition) -> str:
    return RecognitionState.REVOKED if recognition.revoked_on is not None else RecognitionState.RECORDED


OFFICE = permissions.anyone_with(Capability.MANAGE_TIERS)


@dataclass(frozen=True)
class Step:
    name: str
    sources: frozenset
    target: str
    permission: Rule
    forbidden: object
    conflict_code: str
    wrong_state: object

    def allows(self, user, recognition) -> bool:
        return state_of(recognition) in self.sources and self.permission(user, recognition)

    def check(self, user, recognition) -> None:
        """403 unless the user may (None: the platform itself, from the CLI or the demo), then 409
        unless the state allows it."""
        if user is not None:
            self.permission.require(user, recognition, self.forbidden)
        if state_of(recognition) not in self.sources:
            raise Conflict(self.conflict_code, self.wrong_state, status=409)


REVOKE = Step(
    "revoke",
    frozenset({RecognitionState.RECORDED}),
    RecognitionState.REVOKED,
    OFFICE,
    _("Only the coordinating office records tier recognitions."),
    "already_revoked",
    _("This recognition is already revoked."),
)

RECOGNITION_STEPS = {s.name: s for s in (REVOKE,)}


def offered(user, recognition) -> list[str]:
    return [name for name, step in RECOGNITION_STEPS.items() if step.allows(user, recognition)]
