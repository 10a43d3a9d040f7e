from datetime import date, datetime, time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhuqi.core import audit_chain, audit_export
from zhuqi.core.errors import ZhuqiError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = (
        "The audit trail: zhuqi audit verify (exit 1 at the first broken event) | purge --before DATE | "
        "export --start DATE --end DATE FILE.csv|FILE.xlsx"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recomputes the hash chain; names the first event that does not match")
        purge = sub.add_parser(
            "purge", help="deletes events written before DATE, never younger than the retention"
        )
        purge.add_argument("--before", required=True, help="YYYY-MM-DD")
        export = sub.add_parser("export", help="events of a date range as .csv or .xlsx")
        export.add_argument("--start", required=True)
        export.add_argument("--end", required=True)
        export.add_argument("file")

    def handle(self, *args, action, **o):
        try:
            getattr(self, f"do_{action}")(**o)
        except ZhuqiError as exc:
            raise CommandError(str(exc.message)) from exc

    def do_verify(self, **_):
        verdict = audit_chain.verify()
        if verdict.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Audit trail intact: {verdict.checked} events checked; head {verdict.head_seq} "
                    f"{verdict.head_hash}"
                )
            )
            return
        event = verdict.broken
        where = (
            f"event {verdict.broken_seq} (id {event.pk}, {timezone.localtime(event.created_at):%Y-%m-%d %H:%M:%S}, "
            f"{event.verb} {event.object_type}:{event.object_id})"
            if event is not None
            else f"event {verdict.broken_seq}"
        )
        raise CommandError(
            f"Audit trail BROKEN at {where}: {verdict.reason}. The {verdict.checked} events before it are intact.",
            returncode=1,
        )

    def do_purge(self, *, before, **_):
        moment = datetime.combine(_date(before), time.min, timezone.get_current_timezone())
        deleted = audit_chain.purge(before=moment)
        self.stdout.write(f"Deleted {deleted} audit events written before {before}.")

    def do_export(self, *, start, end, file, **_):
        fmt = Path(file).suffix.lstrip(".").lower()
        content, _type, _name = audit_export.export(
            acting_user=None, start=_date(start), end=_date(end), fmt=fmt
        )
        Path(file).write_bytes(content)
        self.stdout.write(f"Wrote {file} ({len(content)} bytes).")
