from pathlib import Path

from django.core.management.base import BaseCommand

from zhuqi.directory import importers
from zhuqi.directory.models import Enterprise, IndicatorValue


class Command(BaseCommand):
    help = "Exports the enterprise directory or indicator values to .xlsx (zhuqi export)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["enterprises", "indicators"])
        parser.add_argument("file", type=Path)

    def handle(self, *args, kind, file, **o):
        if kind == "enterprises":
            content = importers.export_enterprises(Enterprise.objects.all())
        else:
            content = importers.export_indicators(IndicatorValue.objects.all())
        file.write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Wrote {file} ({len(content):,} bytes)."))
