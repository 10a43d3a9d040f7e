"""Where an object came from, told by the apps that made it: an appeal raised on a key project (or,
later, on a visit) links back to it, though appeals import neither. Each app registers, in its
`AppConfig.ready()`, a provider for a kind of object: a function of the user and the object's id
that returns the (label, url) of what links to it that this user may open. The object's page shows
them. core keeps only the registry, so it imports no app."""

from collections.abc import Callable

_PROVIDERS: dict[str, dict[str, Callable]] = {}


def register(object_type: str, name: str, provider: Callable) -> None:
    """`object_type` is "app_label.model" of the object linked to; `name` keeps one provider per app
    (Django may call `ready()` twice in tests)."""
    _PROVIDERS.setdefault(object_type, {})[name] = provider


def for_object(user, object_type: str, object_id) -> list[tuple[str, str]]:
    found = []
    for provider in _PROVIDERS.get(object_type, {}).values():
        found.extend(provider(user, object_id))
    return found
