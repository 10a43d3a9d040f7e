from datetime import datetime

from ninja import Field, Schema

from zhuqi.appeals.models import Appeal, Channel, Rating, Urgency
from zhuqi.core.schemas import (
    AttachmentOut,  # noqa: F401  (appeal endpoints answer with it)
    Comment,
    Key,
    column,
)
from zhuqi.directory.models import Department, ServiceCategory


class AppealIn(Schema):
    enterprise_uscc: Key
    title: column(Appeal, "title", min_length=1)
    description: column(Appeal, "description", min_length=1)
    category_code: column(ServiceCategory, "code")
    urgency: Urgency = Urgency.ORDINARY
    channel: Channel = Channel.WEB
    within_policy: bool = True
    contact_name: column(Appeal, "contact_name") = ""
    contact_phone: column(Appeal, "contact_phone") = ""


class AppealOut(Schema):
    number: str
    enterprise_uscc: str = Field(..., alias="enterprise.uscc")
    enterprise_name: str = Field(..., alias="enterprise.name")
    title: str
    description: str
    category_code: str = Field(..., alias="category.code")
    urgency: str
    channel: str
    state: str
    department_code: str | None = Field(None, alias="department.code")
    version: int
    reopen_count: int
    created_at: datetime
    dispatch_due: datetime | None
    resolve_due: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    reply: str
    rating: str
    close_reason: str


class EventOut(Schema):
    created_at: datetime
    actor: str | None
    action: str
    from_state: str
    to_state: str
    department_code: str | None
    comment: str

    @staticmethod
    def resolve_actor(obj):
        return obj.actor.username if obj.actor_id else None

    @staticmethod
    def resolve_department_code(obj):
        return obj.department.code if obj.department_id else None


class AppealSubmittedOut(AppealOut):
    """The answer to a submission: where it went, its deadlines and any likely duplicates (the trail
    is at GET /appeals/{number}; the hotline posts thousands a day and does not need it back)."""

    possible_duplicates: list[str] = []


class StepOut(Schema):
    key: str  # submit, dispatch, accept, reply, rate, close
    label: str
    done_at: datetime | None
    due: datetime | None  # the promised date, on the current round's next step


class RoundOut(Schema):
    """One round of handling (the first, then one per reopening) as the tracker shows it."""

    number: int
    department_code: str | None
    contact_name: str | None
    contact_mobile: str | None
    reply: str
    rating: str
    steps: list[StepOut]


class AppealDetailOut(AppealOut):
    events: list[EventOut]
    rounds: list[RoundOut]

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.select_related("actor", "department"))

    @staticmethod
    def resolve_rounds(obj):
        from zhuqi.appeals import tracker

        events = list(obj.events.select_related("actor", "department", "department__head"))
        return [
            {
                "number": r.number,
                "department_code": r.department.code if r.department else None,
                "contact_name": (r.contact.display_name or r.contact.username) if r.contact else None,
                "contact_mobile": r.contact.mobile if r.contact else None,
                "reply": r.reply,
                "rating": r.rating,
                "steps": [
                    {"key": s.key, "label": str(s.label), "done_at": s.done_at, "due": s.due} for s in r.steps
                ],
            }
            for r in tracker.rounds(obj, events)
        ]


class ActionIn(Schema):
    expected_version: column(Appeal, "version") | None = Field(
        None, description="the version you saw; 409 if it changed since"
    )
    comment: Comment = ""
    department_code: column(Department, "code") = ""
    reply: Comment = ""
    rating: Rating | None = None
    into_number: column(Appeal, "number") = ""


class WarningOut(Schema):
    """Read from selectors.warning_list's rows: `level` and `active_due` are computed in SQL."""

    number: str
    title: str
    enterprise_name: str
    department_code: str | None
    state: str
    level: str
    due: datetime | None

    @staticmethod
    def resolve_enterprise_name(appeal):
        return appeal.enterprise.name

    @staticmethod
    def resolve_department_code(appeal):
        return appeal.department.code if appeal.department_id else None

    @staticmethod
    def resolve_due(appeal):
        return appeal.active_due


class KpiOut(Schema):
    group: str | None
    count: int
    closed: int
    resolution_rate: float | None
    on_time_rate: float | None
    satisfaction_rate: float | None
    reopen_rate: float | None
    median_handling_days: float | None
