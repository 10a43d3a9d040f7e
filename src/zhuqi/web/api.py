"""The home page's work queues for API clients (a mobile app, a portal): the same counts and links."""

from ninja import Router, Schema

from zhuqi.web import queues

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
    found = queues.queues_for(request.user) + queues.cultivation_queues(request.user)
    return [q.__dict__ | {"label": str(q.label)} for q in found]
