"""`zhuqi rules test [PACK.yaml …]` runs the scenario tests of policy packs through both evaluators;
`zhuqi rules check PACK.yaml` only loads a pack and reports the first problem with its position.
Without files, the packs shipped in zhuqi/rules/packs (policies and eligibility/). Exit status 1 when anything fails."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhuqi.rules import packs
from zhuqi.rules.engine import run_scenarios
from zhuqi.rules.expr import RuleError
from zhuqi.rules.model import load_pack


class Command(BaseCommand):
    help = "Checks policy packs and runs their scenario tests (both evaluators)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["test", "check"])
        parser.add_argument("files", nargs="*", type=Path, help="pack files (default: the shipped packs)")
        parser.add_argument("--verbose-tests", action="store_true", help="list passing tests too")

    def handle(self, *args, action, files, verbose_tests, **options):
        failed = 0
        for path in files or packs.tested():
            try:
                pack = load_pack(path)
            except (OSError, RuleError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            if action == "check":
                self.stdout.write(
                    f"{path.name}: {len(pack.clauses)} clauses, {len(pack.parameters)} parameters: OK"
                )
                continue
            results = run_scenarios(pack)
            for result in results:
                if not result.passed:
                    failed += 1
                    self.stdout.write(
                        self.style.ERROR(
                            f"FAIL {pack.code} · {result.scenario.name} ({result.scenario.clause}): {result.message}"
                        )
                    )
                elif verbose_tests:
                    self.stdout.write(f"ok   {pack.code} · {result.scenario.name}")
            passed = sum(r.passed for r in results)
            self.stdout.write(
                f"{path.name}: {passed}/{len(results)} scenario tests passed ({len(pack.clauses)} clauses)"
            )
        if failed:
            raise CommandError(f"{failed} scenario tests failed")
