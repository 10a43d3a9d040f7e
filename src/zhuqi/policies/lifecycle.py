"""What may happen to a policy application and to a grant offer: from which states, to which state,
and who may do it. The services check their step (`Step.check`); the pages offer what `Step.allows`
says, from the same entry; a test proves the two agree for every role, step and state."""

from dataclasses import dataclass
from operator import attrgetter

from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import Conflict, Message
from zhuqi.core.permissions import Capability, Rule
from zhuqi.policies.models import ApplicationState, OfferState

# The clause's department reviews its applications; the coordinating office reviews all (and those of
# a clause whose department is not on the platform).
REVIEWER = permissions.own_department(
    Capability.REVIEW_APPLICATIONS, department_id=lambda application: application.clause.department_id
) | permissions.anyone_with(Capability.REVIEW_ANY_APPLICATION)
ENTERPRISE = permissions.own_enterprise(Capability.APPLY_FOR_POLICIES)
APPLICANT = permissions.own_enterprise(
    Capability.APPLY_FOR_POLICIES, enterprise_id=attrgetter("pk")
)  # on an Enterprise
DISBURSER = permissions.anyone_with(Capability.DISBURSE_GRANTS)


@dataclass(frozen=True)
class Step:
    name: str
    sources: frozenset
    target: str | None  # None: the state does not change (a file added)
    permission: Rule
    forbidden: object  # the 403's message
    wrong_state: object  # the 409's message, with %(number)s and %(state)s

    def allows(self, user, obj) -> bool:
        return obj.state in self.sources and self.permission(user, obj)

    def require_permission(self, user, obj) -> None:
        self.permission.require(user, obj, self.forbidden)

    def require_state(self, obj) -> None:
        if obj.state not in self.sources:
            raise Conflict(
                "invalid_transition",
                Message(self.wrong_state, {"number": obj.number, "state": obj.get_state_display()}),
            )

    def check(self, user, obj) -> None:
        """403 unless the user may, then 409 unless the state allows it (in that order, as ever)."""
        self.require_permission(user, obj)
        self.require_state(obj)


_UNDER_REVIEW = frozenset({ApplicationState.SUBMITTED})
# An application that still counts: the enterprise may not apply again for the same clause, year and
# project, and one exclusive group funds the project once.
LIVE_APPLICATION_STATES = frozenset({ApplicationState.SUBMITTED, ApplicationState.APPROVED})
_DECIDES = _("Only the clause's department or the coordinating office decides.")
_APPLICATION_SETTLED = _("Application %(number)s is %(state)s: it cannot be changed so.")

APPLICATION_STEPS = {
    s.name: s
    for s in (
        Step("approve", _UNDER_REVIEW, ApplicationState.APPROVED, REVIEWER, _DECIDES, _APPLICATION_SETTLED),
        Step("reject", _UNDER_REVIEW, ApplicationState.REJECTED, REVIEWER, _DECIDES, _APPLICATION_SETTLED),
        Step(
            "withdraw",
            _UNDER_REVIEW,
            ApplicationState.WITHDRAWN,
            ENTERPRISE,
            _("Only the enterprise withdraws its application."),
            _APPLICATION_SETTLED,
        ),
        Step(
            "attach",
            _UNDER_REVIEW,
            None,
            ENTERPRISE,
            _("Only the enterprise adds files to its application."),
            _APPLICATION_SETTLED,
        ),
    )
}

OFFER_STEPS = {
    s.name: s
    for s in (
        Step(
            "confirm",
            frozenset({OfferState.OFFERED}),
            OfferState.CONFIRMED,
            ENTERPRISE,
            _("Only the enterprise confirms its grant."),
            _("Offer %(number)s is %(state)s: it cannot be confirmed now."),
        ),
        Step(
            "cancel",
            frozenset({OfferState.OFFERED, OfferState.CONFIRMED}),
            OfferState.CANCELLED,
            DISBURSER,
            _("Only the coordinating office cancels a grant."),
            _("Offer %(number)s is %(state)s: it cannot be cancelled."),
        ),
    )
}


def offered(steps: dict[str, Step], user, obj) -> list[str]:
    """The steps the page offers this user on this application or offer now."""
    return [name for name, step in steps.items() if step.allows(user, obj)]
