from zhuqi.accounts.models import Role
from zhuqi.directory import importers


def navigation(request):
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user and user.is_authenticated else None
    unread = 0
    if role is not None:
        from zhuqi.core.selectors import notifications_of

        unread = notifications_of(user).filter(read_at__isnull=True).count()
    return {
        "user_role": role,
        "unread_notifications": unread,
        "can_import": role is not None and bool(importers.kinds_for(user)),
        "can_edit_directory": role in (Role.COORDINATOR, Role.ADMIN),
    }
