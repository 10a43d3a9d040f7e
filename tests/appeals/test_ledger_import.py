"""Appeals kept in Excel ledgers import in bulk with a row report (issue #3, intake)."""

import pytest

from tests.directory.test_importers import xlsx
from zhuqi.appeals.models import Appeal, Channel, State
from zhuqi.core.errors import Forbidden
from zhuqi.core.models import OutboxMessage
from zhuqi.directory import importers
from zhuqi.directory.models import ImportBatch

pytestmark = pytest.mark.django_db

HEADER = [
    "统一社会信用代码",
    "标题",
    "诉求内容",
    "事项分类",
    "紧急程度",
    "政策范围内",
    "联系人",
    "联系电话",
    "台账编号",
]


def ledger(w, *extra):
    return [
        HEADER,
        [
            w.a.uscc,
            "贷款贴息未到账",
            "2025年贴息资金至今未到账。",
            "融资 › 贷款与贴息",
            "一般",
            "是",
            "王经理",
            "13900000000",
            "CA-001",
        ],
        [w.a.uscc, "招工难", "普工缺口200人。", "labour.recruit", "重大", "", "", "", "CA-002"],
        *extra,
    ]


def test_a_clean_ledger_imports_routes_and_notifies_and_a_second_import_adds_nothing(loop):
    w = loop
    coordinator = w.users["coordinator"]
    batch = importers.import_check(
        kind="appeals", filename="台账.xlsx", content=xlsx(ledger(w)), acting_user=coordinator
    )
    assert batch.errors == [] and batch.valid_rows == 2
    assert Appeal.objects.count() == 0  # checking writes nothing
    batch = importers.import_apply(batch=batch, acting_user=coordinator)
    assert batch.result["created"] == 2
    loan, recruit = Appeal.objects.order_by("pk")
    assert loan.channel == Channel.IMPORT and loan.submitted_by == coordinator
    assert loan.state == State.DISPATCHED and loan.department == w.city_dept
    assert recruit.department == w.town_dept and recruit.urgency == "major"
    assert OutboxMessage.objects.filter(key__startswith=f"appeal-event-{loan.events.first().pk}:").exists()

    again = importers.import_check(
        kind="appeals", filename="台账.xlsx", content=xlsx(ledger(w)), acting_user=coordinator
    )
    again = importers.import_apply(batch=again, acting_user=coordinator)
    assert again.result == {
        "created": 0,
        "unchanged": 2,
        "refused": 0,
        "valid_only": False,
        "skipped_rows": 0,
    }
    assert Appeal.objects.count() == 2


def test_bad_rows_are_reported_by_row_and_column_and_only_valid_rows_import_on_request(loop):
    w = loop
    town_officer = w.users["town_a"]  # sees only 长安镇: enterprise b (虎门) reads as unknown
    rows = ledger(
        w,
        [w.b.uscc, "用地", "需要用地指标", "融资", "", "", "", "", "HM-001"],
        [w.a.uscc, "", "没有标题", "融资", "", "", "", "", "CA-003"],
        [w.a.uscc, "标题", "内容", "不存在的分类", "特急", "也许", "", "", "CA-004"],
        [w.a.uscc, "重复", "重复", "融资", "", "", "", "", "CA-001"],
    )
    batch = importers.import_check(
        kind="appeals", filename="台账.xlsx", content=xlsx(rows), acting_user=town_officer
    )
    problems = {(e["row"], e["column"], e["code"]) for e in batch.errors}
    assert problems == {
        (4, "统一社会信用代码", "unknown_enterprise"),
        (5, "标题", "required"),
        (6, "事项分类", "unknown_category"),
        (6, "紧急程度", "unknown_choice"),
        (6, "政策范围内", "unknown_choice"),
        (7, "台账编号", "duplicate_in_file"),
    }
    assert all(e["message"] and e["message_en"] for e in batch.errors)
    assert batch.valid_rows == 2
    with pytest.raises(Exception):  # noqa: B017 – all rows refused while some have errors
        importers.import_apply(batch=batch, acting_user=town_officer)
    assert Appeal.objects.count() == 0
    batch = importers.import_apply(batch=batch, acting_user=town_officer, valid_only=True)
    assert batch.result["created"] == 2 and batch.result["skipped_rows"] == 4
    assert set(Appeal.objects.values_list("enterprise__uscc", flat=True)) == {w.a.uscc}


def test_an_enterprise_user_may_not_import_appeals(loop):
    w = loop
    with pytest.raises(Forbidden):
        importers.import_check(
            kind="appeals", filename="台账.xlsx", content=xlsx(ledger(w)), acting_user=w.users["enterprise_a"]
        )
    assert not ImportBatch.objects.exists()


def test_the_import_page_offers_appeals_to_a_town_officer_and_applies_through_the_api(client, loop):
    w = loop
    client.force_login(w.users["town_a"])
    page = client.get("/imports/")
    assert page.status_code == 200
    kinds = [value for value, _label in page.context["form"].fields["kind"].choices]
    assert kinds == ["appeals"]  # the directory kinds are for the coordinating office only
    upload = client.post(
        "/api/v1/imports",
        {"kind": "appeals", "file": _file(xlsx(ledger(w)))},
    )
    assert upload.status_code == 201, upload.content
    applied = client.post(f"/api/v1/imports/{upload.json()['id']}/apply")
    assert applied.status_code == 200 and applied.json()["result"]["created"] == 2


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("台账.xlsx", content)
