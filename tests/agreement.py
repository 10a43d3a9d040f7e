"""For the permission-agreement tests (one per state table): does a service allow this user this
step? The service is called for real inside a savepoint that is always rolled back; it either
succeeds (allowed) or refuses with 403 (the permission) or 409 invalid_transition (the state)."""

from django.db import transaction

from zhuqi.core.errors import Conflict, Forbidden


class _RolledBack(Exception):
    pass


def allows(call, user) -> bool:
    try:
        with transaction.atomic():
            call(user)
            raise _RolledBack
    except _RolledBack:
        return True
    except Forbidden:
        return False
    except Conflict as exc:
        assert exc.code == "invalid_transition", exc.code  # any other conflict is a broken test world
        return False
