from django.contrib.auth.backends import ModelBackend

from zhuqi.accounts import throttle
from zhuqi.accounts.models import Role


class PeopleBackend(ModelBackend):
    """Password sign-in for people only. A system client (hotline, data feeds) acts through a scoped
    token; were it to sign in, its session would bypass the token's scopes."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and getattr(user, "role", None) != Role.SYSTEM

    def authenticate(self, request, username=None, password=None, **kwargs):
        # A user paused after wrong passwords from many addresses gets the lockout page (429) and
        # its password is not checked; otherwise the guess counts (accounts.throttle).
        throttle.refuse_while_paused(request, username)
        return super().authenticate(request, username=username, password=password, **kwargs)
