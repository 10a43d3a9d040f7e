"""The enterprise's view of an appeal: its rounds of handling and the steps of each, built from the
appeal's events (the trail) and its deadlines.

A round runs 提交/派单 → 受理 → 答复 → 评价 → 办结. 不满意 reopens the appeal (发还重办) and starts a new
round at 派单, as does the coordination meeting's decision; each round keeps its own department,
reply and rating. The promised date of the next step comes from the appeal's deadlines, which only
hold for the current round (a reopening sets new ones).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from zhuqi.appeals import deadlines
from zhuqi.appeals.models import Appeal, AppealEvent, Rating, State
from zhuqi.core import workdays

STEPS = (
    ("submit", _("Submitted (提交)")),
    ("dispatch", _("Dispatched (派单)")),
    ("accept", _("Accepted (受理)")),
    ("reply", _("Replied (答复)")),
    ("rate", _("Rated (评价)")),
    ("close", _("Closed (办结)")),
)
# The events that start a new round: the department is asked to handle the matter again.
NEW_ROUND = frozenset({"reopen", "decide"})
# The events that move a round to a step; dispatch-like hops all count as 派单.
STEP_OF = {
    "submit": "submit",
    "dispatch": "dispatch",
    "transfer": "dispatch",
    "reopen": "dispatch",
    "decide": "dispatch",
    "accept": "accept",
    "reply": "reply",
    "rate": "rate",
    "close_unrated": "close",
}


@dataclass
class Step:
    key: str
    label: str
    done_at: datetime | None = None
    due: datetime | None = None  # promised date, shown on the first step not yet done

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass
class Round:
    number: int
    steps: list[Step]
    department: object = None
    contact: object = None  # the handler who accepted, else the department's head
    reply: str = ""
    rating: str = ""
    rating_label: str = ""
    rating_comment: str = ""
    events: list[AppealEvent] = field(default_factory=list)

    @property
    def current(self) -> Step | None:
        return next((s for s in self.steps if not s.done), None)


def _new_round(number: int, first: bool) -> Round:
    steps = [Step(key, label) for key, label in STEPS if first or key != "submit"]
    return Round(number=number, steps=steps)


def rounds(appeal: Appeal, events: list[AppealEvent]) -> list[Round]:
    """The rounds of an appeal, oldest first. `events` in trail order, with actor and department
    loaded (appeal.events.select_related("actor", "department", "department__head"))."""
    result = [_new_round(1, first=True)]
    for event in events:
        if event.action in NEW_ROUND:
            result.append(_new_round(len(result) + 1, first=False))
        current = result[-1]
        current.events.append(event)
        if event.action in ("submit", "dispatch", "transfer", "reopen", "decide", "return"):
            # A transfer or return changes who handles it; later steps start over for the new one.
            current.department = event.department
            current.contact = event.department.head if event.department else None
            for step in current.steps:
                if step.key in ("accept", "reply") or (event.action == "return" and step.key == "dispatch"):
                    step.done_at = None
        key = STEP_OF.get(event.action)
        if key is None:
            continue
        step = next(s for s in current.steps if s.key == key)
        step.done_at = event.created_at
        if key == "accept" and event.actor is not None:
            current.contact = event.actor
        elif key == "reply":
            current.reply = event.comment
        elif key == "rate":
            rating = event.data.get("rating", "")
            current.rating = rating
            current.rating_label = Rating(rating).label if rating in Rating.values else ""
            current.rating_comment = event.comment
            if rating != Rating.UNSATISFIED:
                next(s for s in current.steps if s.key == "close").done_at = event.created_at
    _promise(appeal, result[-1])
    return result


def _promise(appeal: Appeal, last: Round) -> None:
    """Puts the appeal's deadline on the next step of the current round."""
    if appeal.state not in (State.SUBMITTED, State.DISPATCHED, State.ACCEPTED, State.REPLIED):
        return
    step = last.current
    if step is None:
        return
    if step.key == "dispatch":
        step.due = appeal.dispatch_due
    elif step.key in ("accept", "reply"):
        step.due = deadlines.active_due(appeal)
    elif step.key == "rate" and appeal.replied_at:
        # Unrated replies close after the rating period (services.sweep).
        step.due = workdays.add_working_days(appeal.replied_at, settings.ZHUQI_RATING_PERIOD_DAYS)
