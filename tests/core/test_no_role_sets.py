"""Who may do what is named in core/permissions.py only: no code compares a user's role and no
template tests one, except where a role is the subject itself (the table, accounts' membership rules,
the definition of each role's scope of enterprises, the home page of each role, the demo city)."""

import ast
import re
from pathlib import Path

import zhuqi

SRC = Path(zhuqi.__file__).parent
WHERE_ROLES_ARE_THE_SUBJECT = {
    "core/permissions.py",
    "directory/selectors.py",  # what each role sees of the directory (README, "Scope of enterprises by role")
    "programs/selectors.py",  # what each role sees of programme applications and pilots (README, doubling programme)
    "web/views.py",  # one home page per role
}
SKIPPED_DIRS = ("accounts/", "demo/", "migrations/")


def _mentions_role(node) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "role") or (
        isinstance(node, ast.Name) and node.id == "role"
    )


def test_no_code_compares_roles_outside_the_permission_table():
    found = []
    for path in SRC.rglob("*.py"):
        name = path.relative_to(SRC).as_posix()
        if name in WHERE_ROLES_ARE_THE_SUBJECT or name.startswith(SKIPPED_DIRS) or "/migrations/" in name:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(
                _mentions_role(n) for n in [node.left, *node.comparators]
            ):
                found.append(f"{name}:{node.lineno}")
    assert not found, f"name a capability (core/permissions.py) instead: {found}"


def test_no_template_tests_a_role():
    found = [
        f"{path.relative_to(SRC)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in SRC.rglob("templates/**/*.html")
        for text in [path.read_text(encoding="utf-8")]
        for m in re.finditer(r"user_role|\.role\b", text)
    ]
    assert not found, f"use {{% if can.<capability> %}} instead: {found}"
