"""`zhuqi policies …`: the policy operations of the coordinating office, from the shell.

zhuqi policies install                 import (or update) the packs shipped with Zhuqi
zhuqi policies import PACK.yaml        import a pack file (checked as a whole)
zhuqi policies export CODE [FILE]      write a stored pack as YAML
zhuqi policies match [--period DATE]   match every enterprise against every clause in force
zhuqi policies offers [--period DATE]  make 免申即享 offers on verified data
"""

import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from zhuqi.core.errors import ZhuqiError
from zhuqi.policies import grants, matching, packs


class Command(BaseCommand):
    help = "Policy packs, matching and no-application grants."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["install", "import", "export", "match", "offers"])
        parser.add_argument("names", nargs="*", help="pack files (import) or a pack code and a file (export)")
        parser.add_argument("--period", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")

    def handle(self, *args, action, names, period=None, **options):
        period = period or timezone.localdate()
        try:
            if action == "install":
                for row in packs.install_shipped():
                    self.stdout.write(f"{row.code}: version {row.version}, {row.policies.count()} policies")
            elif action == "import":
                for name in names or self._usage("a pack file"):
                    row = packs.pack_import(
                        text=Path(name).read_text(encoding="utf-8"), acting_user=None, check_permission=False
                    )
                    self.stdout.write(f"{row.code}: version {row.version}")
            elif action == "export":
                code, *target = names or self._usage("a pack code")
                text = packs.pack_get(code).document
                if target:
                    Path(target[0]).write_text(text, encoding="utf-8")
                else:
                    self.stdout.write(text, ending="")
            elif action == "match":
                with tqdm(desc="enterprises in chunks", unit="chunk", file=sys.stderr) as bar:
                    run = matching.match_run(period=period, progress=_bar(bar))
                self.stdout.write(
                    f"{period}: {run.enterprises} enterprises × {run.clauses} clauses in {run.seconds:.2f} s — "
                    f"{run.eligible} eligible, {run.unknown} undecided, {run.newly_eligible} newly eligible (notified)"
                )
            else:
                with tqdm(desc="enterprises in chunks", unit="chunk", file=sys.stderr) as bar:
                    done = grants.offers_run(period=period, progress=_bar(bar))
                self.stdout.write(
                    f"{done.year}: {done.created} offers made, {done.already_offered} already offered, "
                    f"{done.unverified} waiting for verified data, {done.over_budget} over budget"
                )
        except (OSError, ZhuqiError) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from exc

    def _usage(self, what):
        raise CommandError(f"give {what}")


def _bar(bar):
    """A batch run's progress(done, total) drawn on a tqdm bar (one step a chunk of enterprises)."""

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return progress
