from django.db.models import QuerySet

from zhuqi.core.models import Notification


def notifications_of(user) -> QuerySet[Notification]:
    """A user's own in-app notifications, newest first; nobody reads another's."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user)
