"""What may happen to a survey campaign and to an assessment: from which states, to which state, and
who may do it. The services check their step (`Step.check`); the pages offer what `Step.allows` says,
from the same entry; a test proves the two agree for every role, step and state."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from zhuqi.assessment.models import AssessmentState, CampaignState
from zhuqi.core import permissions
from zhuqi.core.errors import Conflict, Message
from zhuqi.core.permissions import Capability, Rule

OFFICE = permissions.anyone_with(Capability.RUN_ASSESSMENTS)
# An enterprise user answers a campaign its enterprise is invited to.
RESPONDENT = Rule(
    lambda u, campaign: (
        permissions.has(u, Capability.ANSWER_SURVEYS)
        and u.enterprise_id is not None
        and campaign.invitations.filter(enterprise_id=u.enterprise_id).exists()
    ),
    "answer_surveys (its enterprise is invited)",
)


@dataclass(frozen=True)
class Step:
    name: str
    sources: frozenset
    target: str | None  # None: the state does not change
    permission: Rule
    forbidden: object
    wrong_state: object  # with %(number)s and %(state)s

    def allows(self, user, obj) -> bool:
        return obj.state in self.sources and self.permission(user, obj)

    def check(self, user, obj) -> None:
        """403 unless the user may (None is the platform itself: the sweep), then 409 unless the state
        allows it."""
        if user is not None:
            self.permission.require(user, obj, self.forbidden)
        if obj.state not in self.sources:
            raise Conflict(
                "invalid_transition",
                Message(self.wrong_state, {"number": obj.number, "state": obj.get_state_display()}),
            )


_OFFICE_ONLY = _("Only the coordinating office runs surveys and assessments.")
_CAMPAIGN_STATE = _("Survey campaign %(number)s is %(state)s: it cannot be changed so.")
_DRAFT, _OPEN = frozenset({CampaignState.DRAFT}), frozenset({CampaignState.OPEN})

CAMPAIGN_STEPS = {
    s.name: s
    for s in (
        Step("open", _DRAFT, CampaignState.OPEN, OFFICE, _OFFICE_ONLY, _CAMPAIGN_STATE),
        Step("remind", _OPEN, None, OFFICE, _OFFICE_ONLY, _CAMPAIGN_STATE),
        Step("close", _OPEN, CampaignState.CLOSED, OFFICE, _OFFICE_ONLY, _CAMPAIGN_STATE),
        Step(
            "answer",
            _OPEN,
            None,
            RESPONDENT,
            _("Only enterprises asked by this campaign answer it."),
            _("Survey campaign %(number)s is %(state)s: it takes no answers now."),
        ),
    )
}

_ASSESSMENT_STATE = _("Assessment %(number)s is %(state)s: it cannot be changed so.")
ASSESSMENT_STEPS = {
    s.name: s
    for s in (
        Step(
            "compute",
            frozenset({AssessmentState.DRAFT}),
            None,
            OFFICE,
            _OFFICE_ONLY,
            _ASSESSMENT_STATE,
        ),
        Step(
            "publish",
            frozenset({AssessmentState.DRAFT}),
            AssessmentState.PUBLISHED,
            OFFICE,
            _OFFICE_ONLY,
            _ASSESSMENT_STATE,
        ),
    )
}


def offered(steps: dict[str, Step], user, obj) -> list[str]:
    return [name for name, step in steps.items() if step.allows(user, obj)]
