from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from zhuqi.core import selectors, services
from zhuqi.directory.api import Page

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    subject: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class MarkReadIn(Schema):
    ids: list[int] | None = None


class MarkReadOut(Schema):
    marked: int


@router.get("/notifications", response=list[NotificationOut])
@paginate(Page)
def notification_list(request, unread: bool = False):
    qs = selectors.notifications_of(request.user)
    return qs.filter(read_at__isnull=True) if unread else qs


@router.post("/notifications/read", response=MarkReadOut)
def notification_mark_read(request, payload: MarkReadIn):
    """Marks the given notifications (or all) read; others' notifications are never touched."""
    return {"marked": services.notifications_mark_read(acting_user=request.user, ids=payload.ids)}
