"""Importing enterprise facts (seed 000 二(三)2: 环境信用评价等级, 重点用能单位, 年度考核) from .xlsx or
.csv, like indicators — the import kind `programme_facts` of the directory's import page (导入: the
file is checked row by row and every problem reported with its row, column and reason; nothing is
written unless the coordinator applies it, whole and in one transaction — never only its valid rows;
a large file is applied by the worker)
and `zhuqi programs import-facts FILE`, which share this check. Columns (Chinese headers):
统一社会信用代码, 事项 (环境信用评价等级 | 重点用能单位 | 重点用能单位年度考核), 值, 来源, 日期 (YYYY-MM-DD).
The same fact of the same date is replaced, so importing a file twice changes nothing."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from zhuqi.core import tabular
from zhuqi.core.errors import Message
from zhuqi.core.permissions import Capability
from zhuqi.directory import importers
from zhuqi.directory.models import Enterprise, ImportBatch
from zhuqi.directory.selectors import enterprises_visible_to
from zhuqi.programs import services
from zhuqi.programs.models import EnterpriseFact

HEADERS = ["统一社会信用代码", "事项", "值", "来源", "日期"]
KEYS = {
    "环境信用评价等级": EnterpriseFact.Key.ENV_CREDIT,
    "重点用能单位": EnterpriseFact.Key.KEY_ENERGY_USER,
    "重点用能单位年度考核": EnterpriseFact.Key.ENERGY_ASSESSMENT,
}


def check_rows(headers: list[str], rows, acting_user=None) -> importers.Report:
    """Each row checked; report.valid holds (enterprise, key, value, source, as of) for
    services.facts_record. An enterprise outside the user's scope is unknown (the CLI: every one)."""
    report = importers.Report(total_rows=len(rows))
    if not report.require_columns(headers, HEADERS):
        return report
    codes = {importers.uscc_of(row) for _n, row in rows}
    scope = Enterprise.objects.all() if acting_user is None else enterprises_visible_to(acting_user)
    enterprises = {e.uscc: e for e in scope.filter(uscc__in=codes)}
    for number, row in rows:
        before = len(report.errors)
        code = importers.uscc_of(row)
        if code not in enterprises:
            report.unknown_enterprise(number, code)
        name = row.get("事项", "").strip()
        key = KEYS.get(name)
        value = row.get("值", "").strip()
        if key is None:
            report.error(
                number,
                "事项",
                "unknown_fact",
                Message(
                    _("%(value)s is not one of: %(allowed)s."),
                    {"value": name[:40], "allowed": "、".join(KEYS)},
                ),
            )
        elif (problem := services.fact_problem(key, value)) is not None:
            report.error(number, "值", "bad_value", problem)
        source = report.text(number, row, "来源", EnterpriseFact, "source")
        if not source:
            report.error(
                number, "来源", "required", Message(_("%(column)s is required."), {"column": "来源"})
            )
        try:
            as_of = date.fromisoformat(row.get("日期", "").strip()[:10])
        except ValueError:
            as_of = None
        if as_of is None or not date(2000, 1, 1) <= as_of <= date(2100, 12, 31):
            report.error(
                number,
                "日期",
                "bad_date",
                Message(_("%(column)s is not a date YYYY-MM-DD."), {"column": "日期"}),
            )
        if len(report.errors) == before:
            report.valid.append((enterprises[code], key, value, source, as_of))
    return report


def check(filename: str, content: bytes, acting_user=None) -> tuple[list, list[tuple[int, str, str]]]:
    """(rows ready for services.facts_record, problems as (row, column, reason)) — the CLI's read."""
    table = tabular.read_rows(filename, content)
    report = check_rows(table.headers, table.rows, acting_user)
    problems = [(n, column, str(message)) for n, column, _code, message in table.problems]
    problems += [(e["row"], e["column"], e["message"]) for e in report.errors]
    return report.valid, sorted(problems)


def apply(report: importers.Report, acting_user, batch: ImportBatch) -> dict:
    return services.facts_record(rows=report.valid, acting_user=acting_user)


def example_row(acting_user) -> dict[str, object]:
    return {
        "统一社会信用代码": importers.example_enterprise_code(acting_user),
        "事项": "环境信用评价等级",
        "值": "绿牌",
        "来源": "市生态环境局",
        "日期": "2016-12-31",
    }


importers.register(
    ImportBatch.Kind.PROGRAMME_FACTS,
    importers.ImportKind(
        check_rows,
        apply,
        Capability.EDIT_DIRECTORY,
        _("import into the directory"),
        tuple(HEADERS),
        example_row,
        whole_only=True,
    ),
)
