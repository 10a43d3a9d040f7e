"""The home page's work queues for API clients (a mobile app, a portal): the same counts and links."""

from ninja import Router, Schema

from zhuqi.web.queues import queues_for

router = Router(tags=["home"])


class QueueOut(Schema):
    key: str
    label: str
    count: int
    url: str
    urgent: bool


@router.get("/work-queues", response=list[QueueOut])
def work_queues(request):
    """What waits for the signed-in user: each queue's count and the page listing exactly those rows."""
    return [q.__dict__ | {"label": str(q.label)} for q in queues_for(request.user)]
