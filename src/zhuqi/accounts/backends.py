from django.contrib.auth.backends import ModelBackend

from zhuqi.accounts.models import Role


class PeopleBackend(ModelBackend):
    """Password sign-in for people only. A system client (hotline, data feeds) acts through a scoped
    token; were it to sign in, its session would bypass the token's scopes."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and getattr(user, "role", None) != Role.SYSTEM
