import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhuqi.core import supervisor


class Command(BaseCommand):
    help = (
        "Runs the platform as in production: gunicorn serving zhuqi.wsgi and the worker together; "
        "Ctrl-C or SIGTERM stops both, and if one dies the other is stopped (non-zero exit)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
        parser.add_argument("--port", type=int, default=None, help="port to listen on ($ZHUQI_PORT or 8000)")
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes (2)")
        parser.add_argument("--idle", type=float, default=None, help="the worker's idle poll, seconds")

    def handle(self, *args, host, port, web_workers, idle, **options):
        port = port or settings.ZHUQI_PORT
        if not 0 < port < 65536 or not 0 < web_workers <= 64:
            raise CommandError("--port must be 1–65535 and --web-workers 1–64.")
        worker_args = ["--idle", str(idle)] if idle is not None else []
        children = supervisor.commands(host=host, port=port, web_workers=web_workers, worker_args=worker_args)
        self.stdout.write(f"Serving at http://{host}:{port} with the worker; Ctrl-C stops both.")
        self.stdout.flush()
        sys.exit(supervisor.supervise(children, out=self.stdout))
