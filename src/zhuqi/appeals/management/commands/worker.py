import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from zhuqi.appeals import kpis
from zhuqi.appeals.services import sweep
from zhuqi.assessment.services import sweep as survey_sweep
from zhuqi.core import audit_chain, jobs, worker
from zhuqi.engagement import cadence
from zhuqi.monitoring.warnings import worker_sweep as monitoring_sweep

# Every sweep pass also seals audit events whose seal at commit was lost (a killed process), raises
# the warnings centre's warnings (monitoring: every registered kind) and sends the visit reminders
# due before a period ends (engagement, issue 11; each once).
# Surveys of departments: reminders before their deadline, closing after it. At province scale the
# appeal KPIs' rollup is rebuilt every ZHUQI_KPI_REFRESH_MINUTES (kpis.py; nothing below the threshold).
SWEEPS = [
    sweep,
    survey_sweep,
    audit_chain.seal,
    jobs.sweep,
    monitoring_sweep,
    cadence.sweep,
    kpis.worker_refresh,
]


class Command(BaseCommand):
    help = (
        "Delivers queued notifications (in-app, SMS, e-mail) with retries, runs background jobs and the "
        "periodic sweeps; SIGTERM or Ctrl-C stops it after the work in hand."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="deliver what is due, then stop")
        parser.add_argument("--sweep-every", type=float, default=300.0, help="seconds between sweeps")
        parser.add_argument(
            "--idle",
            type=float,
            default=None,
            help="seconds to wait when there is nothing to do (ZHUQI_WORKER_IDLE_SECONDS, 2)",
        )

    def handle(self, *args, once, sweep_every, idle, **options):
        if once:
            handled = worker.run(once=True, sweeps=SWEEPS)
            self.stdout.write(f"Handled {handled} messages.")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        idle = settings.ZHUQI_WORKER_IDLE_SECONDS if idle is None else idle
        self.stdout.write(f"Worker started (polling every {idle:g} s).")
        self.stdout.flush()
        handled = worker.run(sweep_every=sweep_every, sweeps=SWEEPS, idle_sleep=idle, stop=stop)
        self.stdout.write(f"Worker stopped. Handled {handled} messages.")
