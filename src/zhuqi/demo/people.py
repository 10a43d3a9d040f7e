"""The demo city's users: every one signs in with the documented demo password.

Argon2 takes about half a second a hash by design (and several seconds on a loaded machine), and the
demo city has over a hundred users: the password is hashed once, with the production hasher, and the
hash given to each user, instead of a hundred hashes that said the same thing."""

import functools

from django.conf import settings
from django.contrib.auth.hashers import make_password

from zhuqi.accounts import services as account_services
from zhuqi.accounts.models import User

DEMO_PASSWORD = "zhuqi-demo-2026"


@functools.cache
def _hash(hashers: tuple[str, ...]) -> str:  # by hasher setting: tests run with a fast one
    return make_password(DEMO_PASSWORD)


def user_create(**fields) -> User:
    """A demo user through the accounts service, with the demo password."""
    return account_services.user_create(
        password=DEMO_PASSWORD, hashed=_hash(tuple(settings.PASSWORD_HASHERS)), **fields
    )
