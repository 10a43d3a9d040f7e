from datetime import date

import pytest

from zhuqi.core import tabular
from zhuqi.directory import importers
from zhuqi.tiers.facts_import import HEADERS
from zhuqi.tiers.models import TierFact

pytestmark = pytest.mark.django_db


def xlsx(rows):
    return tabular.write_xlsx("梯度培育事实", HEADERS, rows)


def test_tier_facts_import_checks_rows_and_applies_once(world):
    office = world.users["coordinator"]
    rows = [
        (world.a.uscc, "Ⅰ类知识产权数", 2, "2025-03-31", "", "市市场监督管理局", "2025年度知识产权统计"),
        (world.a.uscc, "主导产品属于战略性新兴产业", "是", "2025-03-31", "", "市工业和信息化局", ""),
        (world.a.uscc, "资产负债率", "52.5", "2025-03-31", "", "企业自报", ""),
    ]
    bad = rows + [
        (world.a.uscc, "不存在的事实", 1, "2025-03-31", "", "x", ""),
        (world.a.uscc, "资产负债率", "abc", "2025-13-01", "", "", ""),
    ]
    batch = importers.import_check(
        kind="tier_facts", filename="f.xlsx", content=xlsx(bad), acting_user=office
    )
    codes = {e["code"] for e in batch.errors}
    assert {"unknown_fact", "bad_value", "bad_date", "required"} <= codes
    assert not TierFact.objects.exists()
    for _ in range(2):  # the same file twice changes nothing the second time
        batch = importers.import_check(
            kind="tier_facts", filename="f.xlsx", content=xlsx(rows), acting_user=office
        )
        importers.import_apply(batch=batch, acting_user=office)
    facts = {f.key: f for f in TierFact.objects.filter(enterprise=world.a)}
    assert (
        facts["ip_class1"].value == 2
        and facts["sei_field"].value == 1
        and str(facts["debt_ratio"].value) == "52.50"
    )
    assert facts["ip_class1"].as_of == date(2025, 3, 31) and facts["ip_class1"].source == "市市场监督管理局"
    assert TierFact.objects.count() == 3


def test_only_the_office_imports_tier_facts(world):
    from zhuqi.core.errors import Forbidden

    with pytest.raises(Forbidden):
        importers.import_check(
            kind="tier_facts", filename="f.xlsx", content=xlsx([]), acting_user=world.users["town_a"]
        )
