"""The `tier_facts` import kind: the facts the tier packs read that are not indicators (zhuqi/tiers/
facts.py), one row per enterprise, fact and date, with their source. Checked row by row like every
import; applying upserts by (enterprise, fact, 截至日期), so the same file twice changes nothing."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhuqi.core import audit
from zhuqi.core.errors import Message
from zhuqi.core.permissions import Capability
from zhuqi.directory import importers
from zhuqi.directory.models import ImportBatch
from zhuqi.directory.selectors import enterprises_visible_to
from zhuqi.tiers.facts import BOOL, BY_KEY, BY_LABEL
from zhuqi.tiers.models import TierFact

HEADERS = ["统一社会信用代码", "事实", "数值", "截至日期", "有效期至", "来源", "文件"]
REQUIRED = ["统一社会信用代码", "事实", "数值", "截至日期", "来源"]
YES = {"是": 1, "有": 1, "1": 1, "否": 0, "无": 0, "0": 0}
VALUE_MAX = Decimal("1e14")


def _date(report, number, row, column, required):
    text = row.get(column, "").strip()[:10]
    if not text:
        if required:
            report.error(
                number, column, "required", Message(_("%(column)s is required."), {"column": column})
            )
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        report.error(
            number, column, "bad_date", Message(_("%(column)s is not a date YYYY-MM-DD."), {"column": column})
        )
        return None
    return day


def check_facts(headers: list[str], rows, acting_user) -> importers.Report:
    report = importers.Report(total_rows=len(rows))
    if not report.require_columns(headers, REQUIRED):
        return report
    codes = {importers.uscc_of(row) for _n, row in rows}
    enterprises = {e.uscc: e for e in enterprises_visible_to(acting_user).filter(uscc__in=codes)}
    for number, row in rows:
        before = len(report.errors)
        code = importers.uscc_of(row)
        enterprise = enterprises.get(code)
        if enterprise is None:
            report.unknown_enterprise(number, code)
        name = row.get("事实", "").strip()
        key = BY_LABEL.get(name) or BY_KEY.get(name)
        if key is None:
            report.error(
                number,
                "事实",
                "unknown_fact",
                Message(_("Unknown tier fact: %(name)s."), {"name": name[:40]}),
            )
        text = row.get("数值", "").strip().replace(",", "")
        value = None
        if key is not None and key.type == BOOL:
            value = YES.get(text)
            if value is None:
                report.error(
                    number, "数值", "bad_value", Message(_("%(column)s is yes or no."), {"column": "数值"})
                )
        elif key is not None:
            try:
                value = Decimal(text)
            except InvalidOperation:
                value = None
            if (
                value is None
                or not value.is_finite()
                or not 0 <= value < VALUE_MAX
                or value != value.quantize(Decimal("0.01"))
            ):
                report.error(
                    number,
                    "数值",
                    "bad_value",
                    Message(_("%(column)s is not a number with at most two decimals."), {"column": "数值"}),
                )
                value = None
        as_of = _date(report, number, row, "截至日期", True)
        valid_until = _date(report, number, row, "有效期至", False)
        source = report.text(number, row, "来源", TierFact, "source")
        if not source:
            report.error(
                number, "来源", "required", Message(_("%(column)s is required."), {"column": "来源"})
            )
        document = report.text(number, row, "文件", TierFact, "document")
        if len(report.errors) == before:
            report.valid.append(
                {
                    "enterprise": enterprise,
                    "key": key.key,
                    "value": Decimal(value),
                    "as_of": as_of,
                    "valid_until": valid_until,
                    "source": source,
                    "document": document,
                }
            )
    return report


@transaction.atomic
def apply_facts(report: importers.Report, acting_user, batch: ImportBatch) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for data in report.valid:
        found, created = TierFact.objects.get_or_create(
            enterprise=data["enterprise"],
            key=data["key"],
            as_of=data["as_of"],
            defaults={
                **{k: data[k] for k in ("value", "valid_until", "source", "document")},
                "batch_id": f"import-{batch.pk}",
                "recorded_by": acting_user,
            },
        )
        if created:
            counts["created"] += 1
            continue
        changes = {
            k: data[k] for k in ("value", "valid_until", "source", "document") if getattr(found, k) != data[k]
        }
        if not changes:
            counts["unchanged"] += 1
            continue
        for k, v in changes.items():
            setattr(found, k, v)
        found.batch_id = f"import-{batch.pk}"
        found.save()
        counts["updated"] += 1
    audit.record(
        actor=acting_user,
        verb="tier_fact_upsert",
        obj=batch,
        data={"created": counts["created"], "updated": counts["updated"]},
    )
    return counts


def example_row(acting_user) -> dict[str, object]:
    return {
        "统一社会信用代码": importers.example_enterprise_code(acting_user),
        "事实": "Ⅰ类知识产权数",
        "数值": 2,
        "截至日期": "2025-03-31",
        "有效期至": "",
        "来源": "市市场监督管理局",
        "文件": "2025年度知识产权统计",
    }


importers.register(
    ImportBatch.Kind.TIER_FACTS,
    importers.ImportKind(
        check_facts, apply_facts, Capability.MANAGE_TIERS, _("import tier facts"), tuple(HEADERS), example_row
    ),
)
