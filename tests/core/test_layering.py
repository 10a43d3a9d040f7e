"""core is the platform's floor: the apps build on it, it imports none of them."""

import ast
from pathlib import Path

import zhuqi.core

APPS = (
    "zhuqi.directory",
    "zhuqi.appeals",
    "zhuqi.policies",
    "zhuqi.programs",
    "zhuqi.tiers",
    "zhuqi.engagement",
    "zhuqi.projects",
    "zhuqi.chains",
    "zhuqi.cultivation",
    "zhuqi.monitoring",
    "zhuqi.assessment",
    "zhuqi.briefings",
    "zhuqi.web",
    "zhuqi.demo",
)


def test_core_imports_no_app():
    upward = []
    for path in Path(zhuqi.core.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            upward += [f"{path.name}: {n}" for n in names if n.startswith(APPS)]
    assert not upward, upward
