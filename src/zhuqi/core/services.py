from django.db import transaction
from django.utils import timezone

from zhuqi.core.selectors import notifications_of


@transaction.atomic
def notifications_mark_read(*, acting_user, ids: list[int] | None = None) -> int:
    """Marks the user's unread notifications read (the given ones, or all); returns how many."""
    qs = notifications_of(acting_user).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
