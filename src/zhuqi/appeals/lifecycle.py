"""The appeal lifecycle in one place: its states, and every action taken on an appeal — from which
states, to which state, who may take it (viewflow's `Transition(permission=…)`), and its words.

The services check an action with `Action.check` (its states, then its permission, the rule from
`core/permissions`); the page offers the buttons `offered(user, appeal)`, derived from the same
entries; a test proves the two agree for every role, action and state.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhuqi.core import permissions
from zhuqi.core.errors import Conflict, Message
from zhuqi.core.permissions import Capability, Rule


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, waiting for dispatch")
    DISPATCHED = "dispatched", _("Dispatched to a department")
    ACCEPTED = "accepted", _("Accepted, being handled")
    REPLIED = "replied", _("Replied, waiting for rating")
    ESCALATED = "escalated", _("On the coordination meeting list")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged as duplicate")


S = State
# FixMyStreet's grouping: what is still open, what is finished, and what counts in no KPI.
OPEN_STATES = frozenset({S.SUBMITTED, S.DISPATCHED, S.ACCEPTED, S.REPLIED, S.ESCALATED})
FINAL_STATES = frozenset(State) - OPEN_STATES
VOID_STATES = frozenset({S.WITHDRAWN, S.MERGED})
BEFORE_REPLY = frozenset({S.SUBMITTED, S.DISPATCHED, S.ACCEPTED})

# Who: the coordinating office on any appeal; the handler on its department's; the enterprise on
# its own; a leader on its liaison enterprises'; the principal leader (市主要领导) on any (seed 000
# 四(五)6: 「可根据工作实际在平台上追加批示」); whoever recorded the appeal for the enterprise.
COORDINATING = permissions.anyone_with(Capability.COORDINATE_APPEALS)
HANDLER = permissions.own_department(Capability.HANDLE_APPEALS)
ENTERPRISE = permissions.own_enterprise(Capability.RATE_APPEALS)
LIAISON_LEADER = permissions.liaison_of(Capability.INSTRUCT_APPEALS)
PRINCIPAL_LEADER = permissions.principal_leader(Capability.INSTRUCT_APPEALS)


@dataclass(frozen=True)
class Action:
    name: str  # in URLs and the API
    sources: frozenset  # states it may start from
    target: State | None  # the state it leads to; None: unchanged, or the outcome decides (rate)
    permission: Rule
    done: object  # "An appeal that is closed cannot be <done>."; None when no state refuses it
    trail: object  # its label in the audit trail
    button: object = None  # its button on the appeal page; None: not offered as a button
    takes: tuple[str, ...] = ()  # what the service takes besides the appeal and the actor
    changes_state: bool = True  # a state change takes expected_version (optimistic lock)
    event: str = ""  # its name in the trail, when it differs from `name`

    @property
    def event_name(self) -> str:
        return self.event or self.name

    def allows(self, user, appeal) -> bool:
        return appeal.state in self.sources and self.permission(user, appeal)

    def check(self, acting_user, appeal) -> None:
        """Raises 409 invalid_transition if the appeal's state does not allow the action, then 403 if
        the user may not take it. None is the platform itself (sweeps): only the state is checked."""
        if appeal.state not in self.sources:
            raise Conflict(
                "invalid_transition",
                Message(
                    _("An appeal that is %(state)s cannot be %(action)s."),
                    {"state": appeal.get_state_display(), "action": self.done},
                ),
            )
        if acting_user is not None:
            self.permission.require(acting_user, appeal, _("You may not do this to this appeal."))


def _actions(*entries: Action) -> dict[str, Action]:
    return {a.name: a for a in entries}


# The transitions: every change of an appeal's state.
TRANSITIONS = _actions(
    Action(
        "dispatch",
        frozenset({S.SUBMITTED}),
        S.DISPATCHED,
        COORDINATING,
        _("dispatched"),
        _("Dispatch"),
        _("Dispatch"),
        ("department", "comment"),
    ),
    Action(
        "accept",
        frozenset({S.DISPATCHED}),
        S.ACCEPTED,
        HANDLER,
        _("accepted"),
        _("Accept"),
        _("Accept"),
        ("comment",),
    ),
    Action(
        "return",
        frozenset({S.DISPATCHED, S.ACCEPTED}),
        S.SUBMITTED,
        HANDLER,
        _("returned"),
        _("Return"),
        _("Return as not ours"),
        ("comment",),
    ),
    Action(
        "transfer",
        frozenset({S.DISPATCHED, S.ACCEPTED}),
        S.DISPATCHED,
        HANDLER | COORDINATING,
        _("transferred"),
        _("Transfer"),
        _("Transfer"),
        ("department", "comment"),
    ),
    Action(
        "progress",
        frozenset({S.ACCEPTED}),
        S.ACCEPTED,
        HANDLER,
        _("given a progress report"),
        _("Progress report"),
        _("Report progress"),
        ("comment",),
    ),
    Action(
        "reply",
        frozenset({S.ACCEPTED}),
        S.REPLIED,
        HANDLER,
        _("replied to"),
        _("Reply"),
        _("Reply"),
        ("reply",),
    ),
    # closed, reopened (dispatched again) or escalated, by the rating
    Action(
        "rate",
        frozenset({S.REPLIED}),
        None,
        ENTERPRISE,
        _("rated"),
        _("Rate"),
        _("Rate"),
        ("rating", "comment"),
    ),
    Action(
        "close_unrated",
        frozenset({S.REPLIED}),
        S.CLOSED,
        permissions.NOBODY,
        _("closed unrated"),
        _("Closed unrated"),
    ),
    Action(
        "escalate",
        BEFORE_REPLY | {S.REPLIED},
        S.ESCALATED,
        COORDINATING,
        _("escalated"),
        _("Escalate"),
        _("Send to the coordination meeting"),
        ("comment",),
    ),
    Action(
        "decide",
        frozenset({S.ESCALATED}),
        S.DISPATCHED,
        COORDINATING,
        _("decided"),
        _("Meeting decision"),
        _("Record the meeting's decision"),
        ("owner", "decision"),
    ),
    Action(
        "withdraw",
        BEFORE_REPLY,
        S.WITHDRAWN,
        ENTERPRISE,
        _("withdrawn"),
        _("Withdraw"),
        _("Withdraw"),
        ("comment",),
    ),
    Action("merge", BEFORE_REPLY, S.MERGED, COORDINATING, _("merged"), _("Merge"), _("Merge"), ("into",)),
)

# Acts on an appeal that change no state: they take no expected_version.
ACTS = _actions(
    Action(
        "instruct",
        OPEN_STATES,
        None,
        LIAISON_LEADER | PRINCIPAL_LEADER | COORDINATING,
        _("given an instruction"),
        _("Instruction (批示)"),
        _("Add an instruction (批示)"),
        ("instruction",),
        changes_state=False,
    ),
    Action(
        "follow-up",
        frozenset(State),
        None,
        COORDINATING,
        None,  # possible in every state
        _("Follow-up call (回访)"),
        _("Record a follow-up call (回访)"),
        ("note",),
        changes_state=False,
        event="follow_up",
    ),
    # Files have their own form on the page, not a button of the action form.
    Action(
        "attach",
        OPEN_STATES,
        None,
        ENTERPRISE | permissions.submitter() | HANDLER | COORDINATING,
        None,  # a final appeal refuses files with its own message (appeal_final)
        _("File attached"),
        changes_state=False,
    ),
)

ACTIONS = TRANSITIONS | ACTS
ATTACH = ACTS["attach"]

# Entries of the audit trail that no person takes as an action.
EVENT_LABELS = {a.event_name: a.trail for a in ACTIONS.values()} | {
    "submit": _("Submit"),
    "reopen": _("Reopen (发还重办)"),
    "supervise": _("Supervision (督办)"),
}


def allowed(action: str, state: str) -> bool:
    return state in ACTIONS[action].sources


def actions_from(state: str) -> list[str]:
    return [name for name, a in TRANSITIONS.items() if state in a.sources]


def offered(user, appeal) -> list[str]:
    """The buttons the appeal page offers this user now: every action with a button that the
    appeal's state and the user's permission allow — the same test the service makes."""
    return [a.name for a in ACTIONS.values() if a.button is not None and a.allows(user, appeal)]
