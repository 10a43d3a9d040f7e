"""Scopes of API tokens: what a machine client (12345 hotline, tax and statistics feeds) may do.

People are governed by capabilities (`core/permissions.py`); a token is governed by the scopes it was
issued with, in addition to its system user's capabilities. Every API endpoint declares the scope a
token needs (`accounts.auth.token_or_session(scope)`); an endpoint that declares none is closed to
tokens, so a new endpoint is least-privilege until someone opens it. A test checks that every
endpoint is declared here or deliberately closed.

A token writing indicator values writes as its feed: `indicators:write:tax` records 税务局 values,
`indicators:write:stats` 统计局 values, whatever source the body names. A token holds at most one
feed scope, and a token never marks a value verified (only a person with `verify_indicators`).

The README's scope table is `markdown_table()`; a test keeps the two equal.
"""

from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    REFERENCE_READ = "reference:read"
    ENTERPRISES_READ = "enterprises:read"
    INDICATORS_READ = "indicators:read"
    INDICATORS_WRITE_TAX = "indicators:write:tax"
    INDICATORS_WRITE_STATS = "indicators:write:stats"
    APPEALS_SUBMIT = "appeals:submit"
    APPEALS_READ = "appeals:read"
    POLICIES_READ = "policies:read"


@dataclass(frozen=True)
class ScopeInfo:
    allows: str
    feed: str | None = None  # the indicator source a token with this scope writes as


S = Scope
SCOPES: dict[Scope, ScopeInfo] = {
    S.REFERENCE_READ: ScopeInfo(
        "read towns, departments, the matter categories and the working-day calendar"
    ),
    S.ENTERPRISES_READ: ScopeInfo("read enterprises (list, detail, .xlsx export)"),
    S.INDICATORS_READ: ScopeInfo("read indicator values (per enterprise, .xlsx export)"),
    S.INDICATORS_WRITE_TAX: ScopeInfo(
        "record indicator values as the tax bureau (税务局), never verified", "tax"
    ),
    S.INDICATORS_WRITE_STATS: ScopeInfo(
        "record indicator values as the statistics bureau (统计局), never verified", "stats"
    ),
    S.APPEALS_SUBMIT: ScopeInfo("submit appeals (the 12345 hotline) and attach files to them"),
    S.APPEALS_READ: ScopeInfo("read appeals, their trail and their files"),
    S.POLICIES_READ: ScopeInfo("read the policy catalogue and its clauses"),
}

# The scopes the 12345 hotline needs: take appeals, follow them, know the categories and towns.
HOTLINE = (S.APPEALS_SUBMIT, S.APPEALS_READ, S.REFERENCE_READ)


def parse(text: str) -> list[Scope]:
    """Scopes from "a:b, c:d" (commas or spaces); raises ValueError naming an unknown one."""
    names = [n for n in text.replace(",", " ").split() if n]
    unknown = [n for n in names if n not in Scope._value2member_map_]
    if unknown:
        raise ValueError(", ".join(unknown))
    return sorted({Scope(n) for n in names})


def feeds(scopes) -> set[str]:
    """The indicator sources these scopes write as (at most one for a valid token)."""
    return {SCOPES[Scope(s)].feed for s in scopes if SCOPES[Scope(s)].feed}


def markdown_table() -> str:
    lines = ["| scope | allows a token to |", "|---|---|"]
    lines += [f"| `{scope.value}` | {info.allows} |" for scope, info in SCOPES.items()]
    return "\n".join(lines)
