"""Importing enterprise facts (seed 000 二(三)2: 环境信用评价等级, 重点用能单位, 年度考核) from .xlsx or
.csv, like indicators: every row is checked first and reported (row number, column, reason); nothing
is written unless every row is good. Columns (Chinese headers): 统一社会信用代码, 事项 (环境信用评价等级 |
重点用能单位 | 重点用能单位年度考核), 值, 来源, 日期 (YYYY-MM-DD). The same fact of the same date is
replaced, so importing a file twice changes nothing."""

from datetime import date

from zhuqi.core import tabular
from zhuqi.directory.models import Enterprise
from zhuqi.programs import services
from zhuqi.programs.models import EnterpriseFact

HEADERS = ["统一社会信用代码", "事项", "值", "来源", "日期"]
KEYS = {
    "环境信用评价等级": EnterpriseFact.Key.ENV_CREDIT,
    "重点用能单位": EnterpriseFact.Key.KEY_ENERGY_USER,
    "重点用能单位年度考核": EnterpriseFact.Key.ENERGY_ASSESSMENT,
}


def check(filename: str, content: bytes) -> tuple[list, list[tuple[int, str, str]]]:
    """(rows ready for services.facts_record, problems as (row, column, reason))."""
    table = tabular.read_rows(filename, content)
    problems = [(n, column, str(message)) for n, column, _code, message in table.problems]
    missing = [h for h in HEADERS if h not in table.headers]
    if missing:
        return [], [(1, h, "缺少此列") for h in missing]
    codes = {cells.get("统一社会信用代码", "").strip().upper() for _n, cells in table.rows}
    enterprises = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=codes)}
    rows = []
    for number, cells in table.rows:
        code = cells["统一社会信用代码"].strip().upper()
        key = KEYS.get(cells["事项"].strip())
        value, source = cells["值"].strip(), cells["来源"].strip()
        if code not in enterprises:
            problems.append((number, "统一社会信用代码", "目录中没有这家企业"))
            continue
        if key is None:
            problems.append((number, "事项", f"应为：{'、'.join(KEYS)}"))
            continue
        if (problem := services.fact_problem(key, value)) is not None:
            problems.append((number, "值", str(problem)))
            continue
        if not source or len(source) > 100:
            problems.append((number, "来源", "请填写来源（不超过100字）"))
            continue
        try:
            as_of = date.fromisoformat(cells["日期"].strip()[:10])
        except ValueError:
            problems.append((number, "日期", "日期格式应为 2016-12-31"))
            continue
        rows.append((enterprises[code], key, value, source, as_of))
    return rows, problems
