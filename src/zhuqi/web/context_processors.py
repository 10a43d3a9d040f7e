from zhuqi.core import permissions
from zhuqi.directory import importers

UNREAD_COUNTED = 100


def navigation(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    unread = 0
    if signed_in:
        from zhuqi.core.selectors import notifications_of

        # Counted up to 100 only (shown 99+): every page shows it, and a user may have a million.
        unread = notifications_of(user).filter(read_at__isnull=True)[:UNREAD_COUNTED].count()
    return {
        "unread_notifications": unread,
        # {% if can.edit_directory %}: what a page offers comes from the one capability table.
        "can": {c.value: True for c in permissions.capabilities_of(user)} if signed_in else {},
        "can_import": signed_in and bool(importers.kinds_for(user)),
    }
