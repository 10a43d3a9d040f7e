"""The appeal form's helpers: picking the enterprise by name or code (htmx suggestions over the
scoped selector), the USCC message for a mistyped code, field-naming messages for empty inputs, and
the duplicate hint as the title is typed."""

import pytest
from django.urls import reverse

from tests.factories import EnterpriseFactory
from zhuqi.appeals import services
from zhuqi.appeals.models import Appeal
from zhuqi.core.errors import ZhuqiError

pytestmark = pytest.mark.django_db


def form(loop, **changes):
    return {
        "title": "用电增容审批慢",
        "description": "新厂房需要增容。",
        "category": loop.cats.loan.pk,
        "urgency": "ordinary",
        "channel": "visit",
        "within_policy": "on",
        "contact_name": "",
        "contact_phone": "",
    } | changes


def test_suggestions_are_scoped_bounded_and_need_two_characters(client, loop):
    for n in range(12):
        EnterpriseFactory(town=loop.towns[0], name=f"东莞市长安测试{n:02d}有限公司")
    client.force_login(loop.users["town_a"])
    url = reverse("directory:enterprise_options")
    found = client.get(url, {"q": "长安测试"}).content.decode()
    assert found.count("<option") == 10
    assert client.get(url, {"q": "东"}).content.decode().strip() == ""
    assert loop.b.name not in client.get(url, {"q": "乙五金"}).content.decode()  # 虎门镇: not its town
    by_code = client.get(url, {"enterprise_uscc": loop.a.uscc[:10]}).content.decode()
    assert f'value="{loop.a.uscc}"' in by_code
    assert client.get(url).status_code == 200  # no query: an empty list, never an error


def test_staff_record_an_appeal_picking_the_enterprise_by_name(client, loop):
    client.force_login(loop.users["town_a"])
    page = client.get(reverse("appeals:appeal_new")).content.decode()
    assert 'list="enterprise-options"' in page and reverse("directory:enterprise_options") in page
    response = client.post(reverse("appeals:appeal_new"), form(loop, enterprise_uscc=loop.a.name))
    assert response.status_code == 302 and Appeal.objects.get().enterprise == loop.a


def test_a_mistyped_code_gets_the_uscc_message_and_nothing_is_written(client, loop):
    client.force_login(loop.users["town_a"])
    code = loop.a.uscc
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    page = client.post(reverse("appeals:appeal_new"), form(loop, enterprise_uscc=wrong))
    text = page.content.decode()
    assert page.status_code == 422 and "校验码错误" in text and f"应为 {code[17]}" in text
    assert "请选择企业" in client.post(reverse("appeals:appeal_new"), form(loop)).content.decode()
    unknown = client.post(reverse("appeals:appeal_new"), form(loop, enterprise_uscc=loop.b.uscc))
    assert "管辖范围内没有此代码的企业" in unknown.content.decode()  # 虎门镇's: outside its scope
    empty = client.post(
        reverse("appeals:appeal_new"), form(loop, enterprise_uscc=code, category="", title="")
    )
    assert "请选择事项分类" in empty.content.decode() and "请填写标题" in empty.content.decode()
    assert not Appeal.objects.exists()


def test_an_empty_department_says_which_field_never_an_empty_code(client, loop):
    appeal = services.appeal_submit(
        enterprise=loop.a,
        title="t",
        description="d",
        category=loop.cats.other,
        acting_user=loop.users["enterprise_a"],
    ).appeal
    with pytest.raises(ZhuqiError) as caught:
        services.perform("dispatch", appeal=appeal, acting_user=loop.users["coordinator"], department_code="")
    assert caught.value.status == 422 and caught.value.field == "department_code"
    assert str(caught.value.message) == "请选择部门。"
    with pytest.raises(ZhuqiError) as caught:
        services.perform(
            "dispatch", appeal=appeal, acting_user=loop.users["coordinator"], department_code="x"
        )
    assert str(caught.value.message) == "未知部门：x。"
    client.force_login(loop.users["coordinator"])
    api = client.post(f"/api/v1/appeals/{appeal.number}/dispatch", {}, content_type="application/json")
    assert api.status_code == 422 and api.json()["field"] == "department_code"
    assert api.json()["message"] == "请选择部门。" and api.json()["message_en"] == "Choose a department."
    page = client.post(reverse("appeals:appeal_action", args=[appeal.number, "dispatch"]), follow=True)
    assert "请选择部门" in page.content.decode() and "没有代码为" not in page.content.decode()


def test_the_title_hint_shows_similar_open_appeals_of_the_same_enterprise(client, loop):
    ent = loop.users["enterprise_a"]
    mine = services.appeal_submit(
        enterprise=loop.a,
        title="贷款贴息迟迟未到账",
        description="d",
        category=loop.cats.loan,
        acting_user=ent,
    ).appeal
    other = services.appeal_submit(
        enterprise=loop.b,
        title="贷款贴息迟迟未到账",
        description="d",
        category=loop.cats.loan,
        acting_user=loop.users["enterprise_b"],
    ).appeal
    url = reverse("appeals:similar")
    client.force_login(ent)
    new_form = client.get(reverse("appeals:appeal_new")).content.decode()
    assert f'hx-get="{url}"' in new_form and 'id="similar"' in new_form
    hint = client.get(url, {"title": "贷款贴息还没到账"}).content.decode()
    assert mine.number in hint and other.number not in hint
    assert client.get(url, {"title": "贷款"}).content.decode().strip() == ""  # too short to help
    assert mine.number not in client.get(url, {"title": "厂房用地审批"}).content.decode()
    services.appeal_withdraw(appeal=mine, acting_user=ent)
    assert mine.number not in client.get(url, {"title": "贷款贴息还没到账"}).content.decode()  # closed
    client.force_login(loop.users["coordinator"])
    staff = client.get(url, {"title": "贷款贴息还没到账", "enterprise_uscc": loop.b.uscc}).content.decode()
    assert other.number in staff
    client.force_login(loop.users["town_a"])  # 虎门镇's enterprise is outside 长安镇's scope
    assert (
        other.number
        not in client.get(url, {"title": "贷款贴息还没到账", "enterprise_uscc": loop.b.uscc}).content.decode()
    )


def test_an_empty_category_in_a_ledger_row_is_required_not_unknown(loop):
    from zhuqi.appeals.ledger_import import check_appeals

    headers = ["统一社会信用代码", "标题", "诉求内容", "事项分类"]
    rows = [(2, {"统一社会信用代码": loop.a.uscc, "标题": "t", "诉求内容": "d", "事项分类": ""})]
    report = check_appeals(headers, rows, loop.users["coordinator"])
    assert [(e["row"], e["column"], e["code"]) for e in report.errors] == [(2, "事项分类", "required")]
