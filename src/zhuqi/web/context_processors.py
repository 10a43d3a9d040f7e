from zhuqi.accounts.models import Role


def navigation(request):
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user and user.is_authenticated else None
    return {
        "user_role": role,
        "can_import": role in (Role.COORDINATOR, Role.ADMIN),
        "can_edit_directory": role in (Role.COORDINATOR, Role.ADMIN),
    }
