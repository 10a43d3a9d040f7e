from django.core.management.base import BaseCommand

from zhuqi.appeals.services import sweep
from zhuqi.core import worker


class Command(BaseCommand):
    help = "Delivers queued notifications (in-app, SMS, e-mail) with retries, and runs the periodic sweeps."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="deliver what is due, then stop")
        parser.add_argument("--sweep-every", type=float, default=300.0, help="seconds between sweeps")

    def handle(self, *args, once, sweep_every, **options):
        if not once:
            self.stdout.write("Worker started.")
        handled = worker.run(once=once, sweep_every=sweep_every, sweeps=[sweep])
        self.stdout.write(f"Handled {handled} messages.")
