import csv
import io

import pytest
from openpyxl import Workbook

from tests.factories import EnterpriseFactory, TownFactory
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.models import AuditEvent
from zhuqi.directory import importers
from zhuqi.directory.models import Enterprise, ImportBatch, IndicatorValue

pytestmark = pytest.mark.django_db

GOOD_1 = "914403001922038216"
GOOD_2 = "91440300708461136T"
BAD_CHECK = "914403001922038217"  # GOOD_1 with its last character changed


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def snapshot():
    return (
        sorted(
            Enterprise.objects.values_list(
                "uscc", "name", "town_id", "industry_code", "ownership", "updated_at"
            )
        ),
        sorted(
            IndicatorValue.objects.values_list("enterprise_id", "indicator", "year", "value", "updated_at")
        ),
    )


@pytest.fixture
def towns(db):
    return TownFactory(code="changan", name="长安镇"), TownFactory(code="humen", name="虎门镇")


MIXED = [
    [
        "统一社会信用代码",
        "企业名称",
        "镇街",
        "行业代码",
        "企业性质",
        "上市状态",
        "企业规模",
        "倍增类别",
        "标签",
    ],
    [
        GOOD_1,
        "东莞市好企业有限公司",
        "长安镇",
        "C39",
        "民营",
        "未上市",
        "中型",
        "民营制造企业",
        "高新技术企业、规上企业",
    ],
    [BAD_CHECK, "东莞市校验码错有限公司", "长安镇", "C39", "民营", "", "", "", ""],
    [GOOD_2, "东莞市镇街错有限公司", "不存在镇", "C39", "民营", "", "", "", ""],
    [GOOD_1, "东莞市重复有限公司", "虎门镇", "C39", "民营", "", "", "", ""],
    [uscc_valid := "91441900MA4W12346U", "东莞市行业错有限公司", "虎门镇", "C99", "外星", "", "", "", ""],
]


def test_mixed_file_gets_a_precise_row_report_and_imports_nothing(towns, world):
    batch = importers.import_check(
        kind="enterprises", filename="企业.xlsx", content=xlsx(MIXED), acting_user=world.users["coordinator"]
    )
    problems = {(e["row"], e["column"], e["code"]) for e in batch.errors}
    assert problems == {
        (3, "统一社会信用代码", "uscc_check_digit"),
        (4, "镇街", "unknown_town"),
        (5, "统一社会信用代码", "duplicate_in_file"),
        (6, "行业代码", "industry_code"),
        (6, "企业性质", "unknown_choice"),
    }
    assert batch.total_rows == 5 and batch.valid_rows == 1
    row3 = next(e for e in batch.errors if e["row"] == 3)
    assert "校验码错误" in row3["message"] and "check character" in row3["message_en"]
    # Checking wrote nothing to the directory.
    assert not Enterprise.objects.filter(uscc__in=[GOOD_1, GOOD_2, uscc_valid]).exists()


def test_file_with_errors_is_refused_whole_unless_valid_only_is_chosen(towns, world):
    user = world.users["coordinator"]
    batch = importers.import_check(
        kind="enterprises", filename="e.xlsx", content=xlsx(MIXED), acting_user=user
    )
    with pytest.raises(ZhuqiError) as exc:
        importers.import_apply(batch=batch, acting_user=user)
    assert exc.value.code == "import_has_errors"
    assert not Enterprise.objects.filter(uscc=GOOD_1).exists()
    batch = importers.import_apply(batch=batch, acting_user=user, valid_only=True)
    assert batch.result["created"] == 1 and batch.result["skipped_rows"] == 4
    imported = Enterprise.objects.get(uscc=GOOD_1)
    assert imported.name == "东莞市好企业有限公司" and imported.size == "medium"
    assert set(imported.tags.values_list("name", flat=True)) == {"高新技术企业", "规上企业"}


def test_same_file_twice_leaves_the_database_unchanged(towns, world):
    user = world.users["coordinator"]
    rows = [
        MIXED[0],
        MIXED[1],
        [GOOD_2, "东莞市第二有限公司", "虎门镇", "C38", "外资", "新三板", "大型", "外商投资企业", ""],
    ]
    content = xlsx(rows)
    first = importers.import_apply(
        batch=importers.import_check(
            kind="enterprises", filename="e.xlsx", content=content, acting_user=user
        ),
        acting_user=user,
    )
    assert first.result["created"] == 2
    before = snapshot()
    audit_before = AuditEvent.objects.filter(verb__startswith="enterprise_").count()
    second = importers.import_apply(
        batch=importers.import_check(
            kind="enterprises", filename="e.xlsx", content=content, acting_user=user
        ),
        acting_user=user,
    )
    assert second.result == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "valid_only": False,
        "skipped_rows": 0,
    }
    assert snapshot() == before
    assert AuditEvent.objects.filter(verb__startswith="enterprise_").count() == audit_before


def test_csv_in_gb18030_with_an_indicator_report(world):
    user = world.users["coordinator"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["统一社会信用代码", "期间", "来源", "已核实", "营业收入", "纳税总额"])
    writer.writerow([world.a.uscc, "2024", "统计局", "是", "123,456,789.5", "1000"])
    writer.writerow([world.a.uscc, "2025Q2", "税务局", "", "abc", "10"])
    writer.writerow(["914403001922038216", "2024", "统计局", "", "1", ""])
    writer.writerow([world.a.uscc, "2024-13", "统计局", "", "1", ""])
    writer.writerow([world.a.uscc, "2024", "统计局", "", "2", ""])
    batch = importers.import_check(
        kind="indicators", filename="指标.csv", content=out.getvalue().encode("gb18030"), acting_user=user
    )
    problems = {(e["row"], e["column"], e["code"]) for e in batch.errors}
    assert problems == {
        (3, "营业收入", "not_a_number"),
        (4, "统一社会信用代码", "unknown_enterprise"),
        (5, "期间", "bad_period"),
        (6, "期间", "duplicate_in_file"),
    }
    importers.import_apply(batch=batch, acting_user=user, valid_only=True)
    revenue = IndicatorValue.objects.get(enterprise=world.a, indicator="revenue", year=2024)
    assert str(revenue.value) == "123456789.50" and revenue.source == "stats" and revenue.verified


def test_export_imports_back_unchanged(world):
    user = world.users["coordinator"]
    EnterpriseFactory.create_batch(3, town=world.towns[0])
    before = snapshot()
    content = importers.export_enterprises(Enterprise.objects.all())
    batch = importers.import_apply(
        batch=importers.import_check(
            kind="enterprises", filename="x.xlsx", content=content, acting_user=user
        ),
        acting_user=user,
    )
    assert batch.result["unchanged"] == Enterprise.objects.count() == 5
    assert snapshot() == before


def test_only_directory_editors_may_import(world):
    with pytest.raises(ZhuqiError) as exc:
        importers.import_check(
            kind="enterprises", filename="e.xlsx", content=xlsx(MIXED), acting_user=world.users["town_a"]
        )
    assert exc.value.status == 403
    assert not ImportBatch.objects.exists()


def test_applied_batch_cannot_be_applied_again(towns, world):
    user = world.users["coordinator"]
    batch = importers.import_check(
        kind="enterprises", filename="e.xlsx", content=xlsx(MIXED[:2]), acting_user=user
    )
    importers.import_apply(batch=batch, acting_user=user)
    with pytest.raises(ZhuqiError) as exc:
        importers.import_apply(batch=batch, acting_user=user)
    assert exc.value.status == 409


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024", ("year", 2024, 1)),
        ("2024年", ("year", 2024, 1)),
        ("2024H2", ("half", 2024, 2)),
        ("2024年上半年", ("half", 2024, 1)),
        ("2024Q3", ("quarter", 2024, 3)),
        ("2024年第三季度", ("quarter", 2024, 3)),
        ("2024-05", ("month", 2024, 5)),
        ("2024年5月", ("month", 2024, 5)),
        ("2024-13", None),
        ("去年", None),
    ],
)
def test_period_parsing(text, expected):
    assert importers.parse_period(text) == expected
