from zhuqi.core import permissions
from zhuqi.directory import importers


def navigation(request):
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user and user.is_authenticated else None
    unread = 0
    if role is not None:
        from zhuqi.core.selectors import notifications_of

        unread = notifications_of(user).filter(read_at__isnull=True).count()
    held = permissions.capabilities_of(user) if role is not None else frozenset()
    return {
        "user_role": role,
        "unread_notifications": unread,
        # {% if can.edit_directory %}: what a page offers comes from the one capability table.
        "can": {c.value: True for c in held},
        "can_import": role is not None and bool(importers.kinds_for(user)),
    }
