"""The appeal lifecycle in one place: which action moves an appeal from which states to which."""

from zhuqi.appeals.models import State

S = State
# action: (states it may start from, state it leads to; None when the outcome decides)
TRANSITIONS: dict[str, tuple[frozenset, State | None]] = {
    "dispatch": (frozenset({S.SUBMITTED}), S.DISPATCHED),
    "accept": (frozenset({S.DISPATCHED}), S.ACCEPTED),
    "return": (frozenset({S.DISPATCHED, S.ACCEPTED}), S.SUBMITTED),
    "transfer": (frozenset({S.DISPATCHED, S.ACCEPTED}), S.DISPATCHED),
    "progress": (frozenset({S.ACCEPTED}), S.ACCEPTED),
    "reply": (frozenset({S.ACCEPTED}), S.REPLIED),
    "rate": (frozenset({S.REPLIED}), None),  # closed, reopened (dispatched) or escalated
    "close_unrated": (frozenset({S.REPLIED}), S.CLOSED),
    "escalate": (frozenset({S.SUBMITTED, S.DISPATCHED, S.ACCEPTED, S.REPLIED}), S.ESCALATED),
    "decide": (frozenset({S.ESCALATED}), S.DISPATCHED),
    "withdraw": (frozenset({S.SUBMITTED, S.DISPATCHED, S.ACCEPTED}), S.WITHDRAWN),
    "merge": (frozenset({S.SUBMITTED, S.DISPATCHED, S.ACCEPTED}), S.MERGED),
}


def allowed(action: str, state: str) -> bool:
    return state in TRANSITIONS[action][0]


def actions_from(state: str) -> list[str]:
    return [a for a, (sources, _to) in TRANSITIONS.items() if state in sources]
