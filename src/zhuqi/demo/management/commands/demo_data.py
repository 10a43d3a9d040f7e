from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from zhuqi.core import worker
from zhuqi.demo import builder
from zhuqi.directory.models import Enterprise

BUILD_CACHE_KIB = 256 * 1024


class Command(BaseCommand):
    help = "Builds the deterministic demo city (Dongguan): towns, departments, enterprises, series, users."

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=3000)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when enterprises already exist"
        )

    def handle(self, *args, enterprises, if_empty, **options):
        if Enterprise.objects.exists():
            if if_empty:
                self.stdout.write("Demo data already present; nothing to do.")
                return
            raise CommandError("The database already has enterprises; demo data goes into an empty database.")
        if connection.vendor == "sqlite":
            # The city is built in one transaction of some 100 MB: a page cache that holds it spares
            # SQLite writing pages to the WAL and reading them back each time its 2 MB default fills.
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{BUILD_CACHE_KIB}")
        with transaction.atomic():
            summary = builder.build(enterprises=enterprises, progress=options["verbosity"] > 0)
            # The city's history is history: what its building queued is delivered now, as the worker
            # would have over the years, so the worker starts on what happens next (an appeal submitted
            # a second after start is not queued behind thousands of past notices). In the build's
            # transaction: in-app notices are delivered in a transaction anyway, and one commit at the
            # end costs less than one per notice.
            delivered = worker.deliver_backlog()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo city built: {summary.towns} towns, {summary.departments} departments, "
                f"{summary.enterprises} enterprises, {summary.indicator_values} indicator values, "
                f"{summary.liaisons} liaison assignments, {summary.appeals} appeals, {delivered} notices delivered."
            )
        )
        self.stdout.write(
            f"Policies: {summary.policy_matches} eligible matches (2021 and this year), "
            f"{summary.grant_offers} 免申即享 offers, {summary.applications} applications of the demo enterprise. "
            f"Doubling programme 2017: {summary.programme_applications} applications, {summary.pilots} pilots."
        )
        self.stdout.write(f"Demo users (password: {builder.DEMO_PASSWORD}):")
        for username, description in summary.users.items():
            self.stdout.write(f"  {username:<12} {description}")
        self.stdout.write(f"The enterprise user belongs to {summary.demo_enterprise}.")
        self.stdout.write(
            "The hotline's API token (appeals:submit, appeals:read, reference:read; shown once, "
            f"`zhuqi token rotate` makes another): {summary.hotline_token}"
        )
