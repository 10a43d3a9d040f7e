"""What each part of the platform finds worth a warning, gathered in one registry.

The warnings centre (issue #12) raises every warning in one place; the conditions behind them live
in the apps that own the data (a tier about to expire in tiers, a visit overdue in engagement, an
enterprise about to drop out of 规上 in cultivation…). Each app registers, in its
`AppConfig.ready()`, one provider per kind of warning: a function of the day that yields `Finding`s
for the subjects that need attention on that day. The centre calls the providers, raises each
finding once per kind, subject and period, notifies through the outbox and marks a warning "resolved
by itself" when its provider stops yielding it. core keeps only the registry, so it imports no app.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

LEVELS = ("blue", "yellow", "red")  # blue: coming soon; yellow: due or beyond the threshold; red: serious


@dataclass(frozen=True)
class Finding:
    kind: str  # the registered kind, e.g. "tier_expiry"
    subject_type: str  # "app_label.model" of what the warning is about
    subject_id: int
    period: str  # the once-per key: "2026", "2026Q3", "2026-11", "2026-W48"
    level: str  # one of LEVELS
    text: str  # a Chinese sentence naming the subject and the figures, for the list and the message
    since: date  # when the condition began (a deadline passed, a figure reported)
    link: str = ""  # the page where it can be handled
    town_id: int | None = None  # scope: the town that sees it
    department_id: int | None = None  # scope: the department that owns it
    user_ids: tuple[int, ...] = field(default_factory=tuple)  # people told besides the office


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # Chinese label (a lazy translation)
    provider: Callable[[date], Iterable[Finding]]
    # What the provider reads, when its findings depend on nothing else than these tables and the day:
    # app labels ("directory": every table of the app) or models ("monitoring.Actual"). The sweep then
    # skips the kind on a day when none of them changed since its last pass (monitoring/warnings.py).
    # Empty: the provider runs at every sweep (its findings move with the clock, or it is cheap).
    reads: tuple[str, ...] = ()
    # For a kind whose findings also move with the clock (a deadline passing), with `reads`:
    # clock(kept, today) -> (moved, keep): whether a finding may have moved since the pass that kept
    # `kept` (None: no such pass), and what to keep of this one (JSON values).
    clock: Callable[[dict | None, date], tuple[bool, dict]] | None = None


_KINDS: dict[str, Kind] = {}


def register(
    code: str, *, label, provider: Callable[[date], Iterable[Finding]], reads=(), clock=None
) -> None:
    """Registers a kind of warning; called from an app's `ready()`. A second registration of the same
    code replaces the first (Django may call `ready()` twice in tests)."""
    _KINDS[code] = Kind(code=code, label=label, provider=provider, reads=tuple(reads), clock=clock)


def kinds() -> dict[str, Kind]:
    return dict(_KINDS)
