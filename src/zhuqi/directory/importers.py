"""Imports of enterprises and indicators from spreadsheets with Chinese column headers.

An upload is first checked: every bad row is reported with its row number, column and reason, and
nothing is written. The user then applies all rows (only when there are no errors) or only the valid
ones, or uploads a fixed file. Applying upserts by 统一社会信用代码 and skips unchanged values, so the
same file imported twice leaves the database unchanged.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.core import audit, permissions, tabular, validators
from zhuqi.core.errors import Conflict, Message, ZhuqiError, bilingual
from zhuqi.core.permissions import Capability
from zhuqi.core.uscc import make as make_uscc
from zhuqi.directory import indicators, services
from zhuqi.directory.models import Enterprise, ImportBatch, PeriodType, Tag, Town

OWNERSHIP = {
    "民营": "private",
    "私营": "private",
    "外资": "foreign",
    "外商投资": "foreign",
    "国有": "state",
    "其他": "other",
}
LISTING = {
    "上市": "listed",
    "已上市": "listed",
    "新三板": "neeq",
    "上市后备": "pre_ipo",
    "未上市": "none",
    "": "none",
}
SIZE = {"大型": "large", "中型": "medium", "小型": "small", "微型": "micro", "": "small"}
DOUBLING = {
    "民营制造企业": "private_mfg",
    "外商投资企业": "foreign",
    "高新技术企业": "high_tech",
    "上市及后备企业": "listed",
    "": "",
}
SOURCE = {
    "企业自报": "self",
    "自报": "self",
    "税务局": "tax",
    "税务": "tax",
    "统计局": "stats",
    "统计": "stats",
}
YES = {"是", "已核实", "y", "yes", "true", "1"}

ENTERPRISE_HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "镇街",
    "行业代码",
    "企业性质",
    "上市状态",
    "企业规模",
    "倍增类别",
    "标签",
    "地址",
]
ENTERPRISE_REQUIRED = ["统一社会信用代码", "企业名称", "镇街"]
INDICATOR_KEY_HEADERS = ["统一社会信用代码", "期间", "来源", "已核实"]


def _reverse(mapping: dict[str, str]) -> dict[str, str]:
    out = {}
    for label, key in mapping.items():
        out.setdefault(key, label)
    return out


OWNERSHIP_LABEL, LISTING_LABEL, SIZE_LABEL, DOUBLING_LABEL, SOURCE_LABEL = (
    _reverse(m) for m in (OWNERSHIP, LISTING, SIZE, DOUBLING, SOURCE)
)


@dataclass
class Report:
    total_rows: int = 0
    valid: list = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def error(self, row: int, column: str, code: str, message) -> None:
        self.errors.append({"row": row, "column": column, "code": code, **bilingual(message)})

    def text(self, row: int, values: dict, column: str, model, field_name: str) -> str:
        """The cell stripped, or a row error when it would not fit the model's column (its length is
        read from the model, so the check and the table agree) or holds a NUL character, which
        PostgreSQL refuses: a row error at the check, never a failed import."""
        value = values.get(column, "").strip()
        limit = model._meta.get_field(field_name).max_length
        if limit is not None and len(value) > limit:
            self.error(
                row,
                column,
                "too_long",
                Message(
                    _("%(column)s has %(n)d characters; at most %(max)d fit."),
                    {"column": column, "n": len(value), "max": limit},
                ),
            )
        if "\x00" in value:
            self.error(
                row,
                column,
                "bad_character",
                Message(_("%(column)s holds a NUL character."), {"column": column}),
            )
        return value

    def require_columns(self, headers: list[str], columns) -> bool:
        """Reports every required column the header row lacks; True when none is missing."""
        for column in columns:
            if column not in headers:
                self.error(
                    1,
                    column,
                    "column_missing",
                    Message(_("The column %(column)s is missing."), {"column": column}),
                )
        return not self.errors

    def unknown_enterprise(self, row: int, code: str) -> None:
        if not code:
            self.error(
                row,
                "统一社会信用代码",
                "required",
                Message(_("%(column)s is required."), {"column": "统一社会信用代码"}),
            )
            return
        self.error(
            row,
            "统一社会信用代码",
            "unknown_enterprise",
            Message(_("No enterprise with the code %(code)s."), {"code": code}),
        )


def uscc_of(row: dict) -> str:
    return row.get("统一社会信用代码", "").strip().upper()


def choice(report, number, row, column, mapping, what):
    text = row.get(column, "")
    if text in mapping:
        return mapping[text]
    report.error(
        number,
        column,
        "unknown_choice",
        Message(
            _("%(value)s is not a known %(what)s; use one of: %(allowed)s."),
            {"value": text, "what": what, "allowed": "、".join(k for k in mapping if k)},
        ),
    )
    return None


def check_enterprises(headers: list[str], rows, acting_user=None) -> Report:
    report = Report(total_rows=len(rows))
    if not report.require_columns(headers, ENTERPRISE_REQUIRED):
        return report
    towns = {t.name: t for t in Town.objects.all()}
    seen: dict[str, int] = {}
    for number, row in rows:
        before = len(report.errors)
        code = uscc_of(row)
        for field_name, error_code, message in services.check_enterprise_fields(
            code=code, name=row.get("企业名称", ""), industry_code=row.get("行业代码", "")
        ):
            column = {"uscc": "统一社会信用代码", "name": "企业名称", "industry_code": "行业代码"}[field_name]
            report.error(number, column, error_code, message)
        if code in seen:
            report.error(
                number,
                "统一社会信用代码",
                "duplicate_in_file",
                Message(
                    _("The code %(code)s already appears in row %(row)d of this file."),
                    {"code": code, "row": seen[code]},
                ),
            )
        else:
            seen[code] = number
        town = towns.get(row.get("镇街", ""))
        if town is None:
            report.error(
                number,
                "镇街",
                "unknown_town",
                Message(_("Unknown town: %(town)s."), {"town": row.get("镇街", "")}),
            )
        ownership = (
            choice(report, number, row, "企业性质", OWNERSHIP, _("ownership"))
            if row.get("企业性质")
            else "private"
        )
        listing = choice(report, number, row, "上市状态", LISTING, _("listing status"))
        size = choice(report, number, row, "企业规模", SIZE, _("size class"))
        doubling = choice(report, number, row, "倍增类别", DOUBLING, _("doubling program class"))
        address = report.text(number, row, "地址", Enterprise, "address")
        tags = [t.strip() for t in re.split(r"[,，、;；]", row.get("标签", "")) if t.strip()]
        for tag in tags:
            report.text(number, {"标签": tag}, "标签", Tag, "name")
        if len(report.errors) == before:
            report.valid.append(
                services.EnterpriseData(
                    uscc=code,
                    name=row["企业名称"].strip(),
                    town=town,
                    industry_code=row.get("行业代码", ""),
                    ownership=ownership,
                    listing=listing,
                    size=size,
                    doubling_class=doubling,
                    address=address,
                    tags=tags,
                )
            )
    return report


# [0-9], not \d: \d also matches full-width and other Unicode digits, which int() would read.
PERIOD_PATTERNS = [
    (re.compile(r"^([0-9]{4})年?$"), PeriodType.YEAR, lambda m: 1),
    (re.compile(r"^([0-9]{4})\s*[Hh]([12])$"), PeriodType.HALF, lambda m: int(m.group(2))),
    (re.compile(r"^([0-9]{4})年?(上|下)半年$"), PeriodType.HALF, lambda m: 1 if m.group(2) == "上" else 2),
    (re.compile(r"^([0-9]{4})\s*[Qq]([1-4])$"), PeriodType.QUARTER, lambda m: int(m.group(2))),
    (
        re.compile(r"^([0-9]{4})年?第?([1-4一二三四])季度$"),
        PeriodType.QUARTER,
        lambda m: "1234一二三四".index(m.group(2)) % 4 + 1,
    ),
    (re.compile(r"^([0-9]{4})[-/.年]([0-9]{1,2})月?$"), PeriodType.MONTH, lambda m: int(m.group(2))),
]


def parse_period(text: str):
    """'2024' → (year, 2024, 1); '2024Q3', '2024年第三季度' → quarter 3; '2024-05' → month 5."""
    text = (text or "").strip()
    for pattern, period_type, number in PERIOD_PATTERNS:
        if m := pattern.match(text):
            no = number(m)
            if period_type == PeriodType.MONTH and not 1 <= no <= 12:
                return None
            if not 1990 <= int(m.group(1)) <= 2100:  # the years the platform's figures cover
                return None
            return period_type, int(m.group(1)), no
    return None


def period_label(period_type: str, year: int, period_no: int) -> str:
    return {
        PeriodType.YEAR: f"{year}",
        PeriodType.HALF: f"{year}H{period_no}",
        PeriodType.QUARTER: f"{year}Q{period_no}",
        PeriodType.MONTH: f"{year}-{period_no:02d}",
    }[period_type]


def check_indicators(headers: list[str], rows, acting_user=None) -> Report:
    report = Report(total_rows=len(rows))
    report.require_columns(headers, ("统一社会信用代码", "期间"))
    value_columns = [h for h in headers if h in indicators.BY_LABEL_ZH]
    unknown = [h for h in headers if h and h not in indicators.BY_LABEL_ZH and h not in INDICATOR_KEY_HEADERS]
    for column in unknown:
        report.error(
            1,
            column,
            "column_unknown",
            Message(
                _("Unknown column %(column)s; indicator columns are: %(known)s."),
                {"column": column, "known": "、".join(indicators.BY_LABEL_ZH)},
            ),
        )
    if not value_columns:
        report.error(1, "", "no_indicator_columns", _("The file has no indicator column."))
    if report.errors:
        return report
    codes = {uscc_of(row) for _n, row in rows}
    enterprise_ids = dict(Enterprise.objects.filter(uscc__in=codes).values_list("uscc", "id"))
    seen: dict[tuple, int] = {}
    for number, row in rows:
        before = len(report.errors)
        code = uscc_of(row)
        enterprise_id = enterprise_ids.get(code)
        if enterprise_id is None:
            report.unknown_enterprise(number, code)
        period = parse_period(row.get("期间", ""))
        if period is None:
            report.error(
                number,
                "期间",
                "bad_period",
                Message(
                    _("%(value)s is not a period such as 2024, 2024H1, 2024Q3 or 2024-05."),
                    {"value": row.get("期间", "")},
                ),
            )
        source = SOURCE.get(row.get("来源", "") or "企业自报")
        if source is None:
            report.error(
                number,
                "来源",
                "unknown_choice",
                Message(
                    _("%(value)s is not a known source; use one of: %(allowed)s."),
                    {"value": row.get("来源"), "allowed": "、".join(SOURCE)},
                ),
            )
        verified = row.get("已核实", "").strip().lower() in YES
        values = []
        for column in value_columns:
            text = row.get(column, "").replace(",", "").replace("，", "").strip()
            if not text:
                continue
            value = validators.parse_decimal(text)
            if value is None:
                report.error(
                    number, column, "not_a_number", Message(_("%(value)s is not a number."), {"value": text})
                )
                continue
            if problem := indicators.BY_LABEL_ZH[column].problem(value):
                report.error(number, column, "out_of_range", problem)
                continue
            values.append((indicators.BY_LABEL_ZH[column].key, value.quantize(Decimal("0.01"))))
        key = (code, period, source)
        if period and source and key in seen:
            report.error(
                number,
                "期间",
                "duplicate_in_file",
                Message(
                    _("The same enterprise, period and source already appear in row %(row)d."),
                    {"row": seen[key]},
                ),
            )
        elif period and source:
            seen[key] = number
        if len(report.errors) == before:
            period_type, year, period_no = period
            report.valid.extend(
                services.IndicatorRecord(
                    enterprise_id, key, period_type, year, period_no, value, source, verified
                )
                for key, value in values
            )
    return report


def apply_enterprises(report: Report, acting_user: User, batch: ImportBatch) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for data in report.valid:
        _enterprise, outcome = services.enterprise_upsert(data=data, acting_user=acting_user)
        counts[outcome] += 1
    return counts


def apply_indicators(report: Report, acting_user: User, batch: ImportBatch) -> dict:
    return services.indicator_values_upsert(
        records=report.valid, acting_user=acting_user, batch_id=f"import-{batch.pk}"
    )


@dataclass(frozen=True)
class ImportKind:
    """What one kind of file holds: how its rows are checked, how the valid ones are applied, and
    who may import it. Other apps register theirs (appeals: the 销号台账 ledger) at start-up."""

    check: Callable[..., Report]  # (headers, rows, acting_user) -> Report
    apply: Callable[[Report, User, ImportBatch], dict]
    capability: Capability  # who may import it
    action: object  # "import into the directory", for the refusal message
    headers: tuple[str, ...]  # the columns of the downloadable template, in order
    example: Callable[[User], dict[str, object]]  # one row that imports cleanly for this user
    whole_only: bool = False  # applied whole or not at all: no "only the valid rows"


# The example rows of the templates: real references of this database (a town, an enterprise the
# user may see), so the template imports cleanly as downloaded; a test holds it for every kind.
EXAMPLE_USCC = make_uscc("441900", "99999999")


def example_enterprise_code(acting_user: User) -> str:
    """An enterprise the user may import rows for, or the example enterprise's code when none."""
    from zhuqi.directory.selectors import enterprises_visible_to

    found = enterprises_visible_to(acting_user).order_by("uscc").values_list("uscc", flat=True).first()
    return found or EXAMPLE_USCC


def _example_enterprise(acting_user: User) -> dict[str, object]:
    town = Town.objects.order_by("code").first()
    return {
        "统一社会信用代码": EXAMPLE_USCC,
        "企业名称": "示例电子科技有限公司",
        "镇街": town.name if town else "",
        "行业代码": "C3911",
        "企业性质": "民营",
        "上市状态": "未上市",
        "企业规模": "小型",
        "倍增类别": "民营制造企业",
        "标签": "专精特新、倍增试点",
        "地址": "示例路1号",
    }


def _example_indicators(acting_user: User) -> dict[str, object]:
    return {
        "统一社会信用代码": example_enterprise_code(acting_user),
        "期间": str(timezone.localdate().year - 1),
        "来源": "企业自报",
        "已核实": "否",
        "营业收入": 120_000_000,
        "纳税总额": 6_000_000,
        "研发费用": 5_000_000,
        "从业人数": 320,
    }


KINDS: dict[str, ImportKind] = {
    ImportBatch.Kind.ENTERPRISES: ImportKind(
        check_enterprises,
        apply_enterprises,
        Capability.EDIT_DIRECTORY,
        _("import into the directory"),
        tuple(ENTERPRISE_HEADERS),
        _example_enterprise,
    ),
    ImportBatch.Kind.INDICATORS: ImportKind(
        check_indicators,
        apply_indicators,
        Capability.EDIT_DIRECTORY,
        _("import into the directory"),
        tuple(INDICATOR_KEY_HEADERS + [i.label_zh for i in indicators.INDICATORS]),
        _example_indicators,
    ),
}


def register(kind: str, spec: ImportKind) -> None:
    KINDS[kind] = spec


def kinds_for(user: User) -> list[tuple[str, str]]:
    """The (kind, label) pairs this user may import, for the upload form."""
    return [
        (k, label)
        for k, label in ImportBatch.Kind.choices
        if k in KINDS and permissions.has(user, KINDS[k].capability)
    ]


def template(*, kind: str, acting_user: User) -> bytes:
    """The .xlsx template of an import kind: its columns and one example row that imports cleanly."""
    spec = _spec(kind, acting_user)
    example = spec.example(acting_user)
    return tabular.write_xlsx(
        str(dict(ImportBatch.Kind.choices)[kind])[:31],
        list(spec.headers),
        [[example.get(h, "") for h in spec.headers]],
    )


def _spec(kind: str, acting_user: User) -> ImportKind:
    if kind not in KINDS:
        raise ZhuqiError(
            "import_kind", Message(_("Unknown import kind: %(kind)s."), {"kind": kind}), status=422
        )
    spec = KINDS[kind]
    services.require(acting_user, spec.capability, spec.action)
    return spec


def _check(kind: str, filename: str, content: bytes, acting_user: User) -> Report:
    table = tabular.read_rows(filename, content)
    report = KINDS[kind].check(table.headers, table.rows, acting_user)
    # Rows the reader could not take (a NUL character, an overlong cell) are reported like bad values.
    report.total_rows += len(table.problems)
    for number, column, code, message in table.problems:
        report.error(number, column, code, message)
    report.errors.sort(key=lambda e: e["row"])
    return report


def _valid_row_count(report: Report) -> int:
    if any(e["row"] == 1 for e in report.errors):  # a header problem: no row can be read
        return 0
    return report.total_rows - len({e["row"] for e in report.errors})


@transaction.atomic
def import_check(*, kind: str, filename: str, content: bytes, acting_user: User) -> ImportBatch:
    """Reads and checks the file; stores it with its row report. Writes nothing else."""
    _spec(kind, acting_user)
    report = _check(kind, filename, content, acting_user)
    batch = ImportBatch.objects.create(
        kind=kind,
        filename=filename[:200],
        content=content,
        uploaded_by=acting_user,
        total_rows=report.total_rows,
        valid_rows=_valid_row_count(report),
        errors=report.errors,
    )
    audit.record(actor=acting_user, verb="import_check", obj=batch, data={"errors": len(report.errors)})
    return batch


@transaction.atomic
def import_apply(*, batch: ImportBatch, acting_user: User, valid_only: bool = False) -> ImportBatch:
    """Applies a checked batch: every row when it had no error, or with valid_only the valid rows."""
    spec = _spec(batch.kind, acting_user)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.CHECKED:
        raise Conflict(
            "import_done",
            Message(_("This import was already %(status)s."), {"status": batch.get_status_display()}),
        )
    # Checked again: the directory may have changed since the upload (a town renamed, a code added).
    report = _check(batch.kind, batch.filename, bytes(batch.content), acting_user)
    if spec.whole_only and report.errors:
        raise ZhuqiError(
            "import_whole_only",
            _("This kind of file is applied whole: fix the rows with errors and upload it again."),
            status=422,
        )
    if report.errors and not valid_only:
        raise ZhuqiError(
            "import_has_errors",
            _("%(n)d rows have errors: fix the file and upload it again, or import only the valid rows.")
            % {"n": len({e["row"] for e in report.errors})},
            status=422,
        )
    counts = spec.apply(report, acting_user, batch)
    batch.status = ImportBatch.Status.APPLIED
    batch.result = {
        **counts,
        "valid_only": valid_only,
        "skipped_rows": len({e["row"] for e in report.errors}),
    }
    batch.save(update_fields=["status", "result"])
    audit.record(actor=acting_user, verb="import_apply", obj=batch, data=batch.result)
    return batch


@transaction.atomic
def import_discard(*, batch: ImportBatch, acting_user: User) -> ImportBatch:
    _spec(batch.kind, acting_user)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.CHECKED:
        raise Conflict(
            "import_done",
            Message(_("This import was already %(status)s."), {"status": batch.get_status_display()}),
        )
    batch.status = ImportBatch.Status.DISCARDED
    batch.save(update_fields=["status"])
    audit.record(actor=acting_user, verb="import_discard", obj=batch)
    return batch


# --- Export: the same columns, so an exported file imports back unchanged --------------------


def counted(items, progress=None, every: int = 1000):
    """Passes the items through, telling `progress(done)` every `every` items (a job's progress bar)."""
    if progress is None:
        yield from items
        return
    done = 0
    for item in items:
        yield item
        done += 1
        if done % every == 0:
            progress(done)
    progress(done)


def export_enterprises(queryset, progress=None) -> bytes:
    rows = (
        (
            e.uscc,
            e.name,
            e.town.name,
            e.industry_code,
            OWNERSHIP_LABEL.get(e.ownership, ""),
            LISTING_LABEL.get(e.listing, ""),
            SIZE_LABEL.get(e.size, ""),
            DOUBLING_LABEL.get(e.doubling_class, ""),
            "、".join(t.name for t in e.tags.all()),
            e.address,
        )
        for e in counted(
            queryset.select_related("town").prefetch_related("tags").iterator(chunk_size=2000), progress
        )
    )
    return tabular.write_xlsx("企业名录", ENTERPRISE_HEADERS, rows)


def export_indicators(values_queryset, progress=None) -> bytes:
    """Wide layout: one row per enterprise, period and source, one column per indicator.

    `progress(done, total)` is told of both halves: the values read, then the rows written (the
    total grows by the row count once the values are grouped)."""
    labels = [i.label_zh for i in indicators.INDICATORS]
    grouped: dict[tuple, dict] = {}
    values = values_queryset.order_by(
        "enterprise__uscc", "year", "period_type", "period_no", "source"
    ).values_list(
        "enterprise__uscc", "indicator", "period_type", "year", "period_no", "source", "verified", "value"
    )
    tell = progress or (lambda done, total=None: None)
    read = 0
    for uscc, indicator, period_type, year, period_no, source, verified, value in counted(
        values.iterator(chunk_size=5000), tell, every=5000
    ):
        read += 1
        key = (uscc, period_label(period_type, year, period_no), SOURCE_LABEL[source])
        row = grouped.setdefault(key, {"verified": True})
        row[indicators.BY_KEY[indicator].label_zh] = value
        row["verified"] = row["verified"] and verified
    total = read + len(grouped)
    rows = counted(
        (
            [*key, "是" if row["verified"] else "否", *(row.get(label) for label in labels)]
            for key, row in grouped.items()
        ),
        lambda done: tell(read + done, total),
    )
    return tabular.write_xlsx("企业指标", INDICATOR_KEY_HEADERS + labels, rows)
