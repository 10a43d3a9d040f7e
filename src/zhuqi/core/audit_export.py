"""Export of the audit trail by date range (.csv or .xlsx), for the coordinating office and the
administrator (等保 2.0: the trail is kept and can be handed to an auditor).

Synchronous and bounded: a range of at most 366 days and `ZHUQI_AUDIT_EXPORT_MAX_ROWS` events,
else the caller is told to narrow it (a background job would lift the bound once the platform has
a job framework). The export is itself audited.
"""

import csv
import io
import json
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit, permissions, tabular
from zhuqi.core.errors import Message, ZhuqiError
from zhuqi.core.models import AuditChainHead, AuditEvent

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADERS = ["序号", "时间", "操作人", "操作", "对象类型", "对象编号", "接口令牌", "内容", "哈希", "前一哈希"]
MAX_DAYS = 366


def _cell(value):
    """OWASP CSV injection: a text starting with = + - @, tab or CR is not read as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    if end < start:
        raise ZhuqiError("bad_range", _("The end date is before the start date."), field="end", status=422)
    if (end - start).days >= MAX_DAYS:
        raise ZhuqiError(
            "range_too_long",
            Message(_("Export at most %(days)d days at a time."), {"days": MAX_DAYS}),
            field="end",
            status=422,
        )
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def export(*, acting_user, start: date, end: date, fmt: str) -> tuple[bytes, str, str]:
    """Returns (content, content type, file name) of the events written from `start` to `end`."""
    if acting_user is not None:
        permissions.require(acting_user, permissions.Capability.READ_AUDIT)
    if fmt not in FORMATS:
        raise ZhuqiError("bad_format", _("Choose csv or xlsx."), field="format", status=422)
    low, high = _bounds(start, end)
    events = AuditEvent.objects.filter(created_at__gte=low, created_at__lt=high).order_by("seq", "id")
    count = events.count()
    if count > settings.ZHUQI_AUDIT_EXPORT_MAX_ROWS:
        raise ZhuqiError(
            "export_too_large",
            Message(
                _("%(count)d events in this range; export at most %(max)d at a time: narrow the range."),
                {"count": count, "max": settings.ZHUQI_AUDIT_EXPORT_MAX_ROWS},
            ),
            status=422,
        )
    rows = (
        [
            e.seq,
            timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            _cell(e.actor_name),
            _cell(e.verb),
            e.object_type,
            _cell(e.object_id),
            e.via_token,
            _cell(json.dumps(e.data, ensure_ascii=False, sort_keys=True, default=str)),
            e.hash,
            e.prev_hash,
        ]
        for e in events.iterator(chunk_size=2000)
    )
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")  # Excel opens UTF-8 Chinese text only with the byte-order mark
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        writer.writerows(rows)
        content = out.getvalue().encode("utf-8")
    else:
        content = tabular.write_xlsx("审计日志", HEADERS, rows)
    audit.record(
        actor=acting_user,
        verb="audit_export",
        obj=AuditChainHead.objects.get_or_create(pk=1)[0],
        data={"start": start.isoformat(), "end": end.isoformat(), "format": fmt, "events": count},
    )
    return content, FORMATS[fmt], f"audit-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
