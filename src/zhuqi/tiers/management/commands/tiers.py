"""`zhuqi tiers …`: the tier operations of the coordinating office, from the shell.

zhuqi tiers assess [--year YYYY] [--day DATE]   assess every enterprise against the three tier packs
zhuqi tiers test                                 run the tier packs' scenario tests in both evaluators
zhuqi tiers expiring [--day DATE]                list recognitions expiring within six months
"""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from zhuqi.core.errors import ZhuqiError
from zhuqi.policies.management.commands.policies import _bar
from zhuqi.rules.engine import run_scenarios
from zhuqi.tiers import assessment, warnings


class Command(BaseCommand):
    help = "Tier assessment (创新型, 专精特新, 小巨人) and recognitions."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["assess", "test", "expiring"])
        parser.add_argument("--year", type=int, help="the year assessed (default: this year)")
        parser.add_argument("--day", type=date.fromisoformat, help="YYYY-MM-DD, the day assessed")

    def handle(self, *args, action, year=None, day=None, **options):
        today = timezone.localdate()
        try:
            if action == "assess":
                year = year or (day.year if day else today.year)
                if not 2000 <= year <= 2100:
                    raise CommandError("--year must be between 2000 and 2100")
                with tqdm(desc="enterprises in chunks", unit="chunk", file=sys.stderr) as bar:
                    run = assessment.assess(year=year, day=day, progress=_bar(bar))
                self.stdout.write(
                    f"{year} (as of {run.period}): {run.enterprises} enterprises in {run.seconds} s"
                )
                for tier, counts in run.counts.items():
                    self.stdout.write(f"  {tier}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
            elif action == "test":
                failed = 0
                for tier, pack in assessment.all_packs().items():
                    results = run_scenarios(pack)
                    bad = [r for r in results if not r.passed]
                    failed += len(bad)
                    self.stdout.write(f"{tier}: {len(results) - len(bad)}/{len(results)} passed")
                    for r in bad:
                        self.stdout.write(f"  FAILED {r.scenario.name}: {r.message}")
                if failed:
                    raise CommandError(f"{failed} scenario tests failed")
            else:
                for r in warnings.expiring(day or today):
                    self.stdout.write(f"{r.expires_on}  {r.get_tier_display()}  {r.enterprise.name}")
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from None
