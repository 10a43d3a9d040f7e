import re

import pytest
from django.urls import reverse

from tests.job_helpers import cells, page_export
from zhuqi.appeals import services
from zhuqi.appeals.models import Appeal

pytestmark = pytest.mark.django_db


def test_enterprise_submits_and_sees_its_appeal(client, loop):
    client.force_login(loop.users["enterprise_a"])
    response = client.post(
        reverse("appeals:appeal_new"),
        {
            "title": "贷款贴息未到账",
            "description": "三个月未拨付",
            "category": loop.cats.loan.pk,
            "urgency": "ordinary",
            "channel": "web",
            "within_policy": "on",
            "idempotency_key": "form-1",
        },
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and appeal.department == loop.city_dept
    page = client.get(reverse("appeals:appeal_detail", args=[appeal.number])).content.decode()
    assert (
        "贷款贴息未到账" in page and 'data-action="withdraw"' in page and 'data-action="accept"' not in page
    )
    # A double click posts the same form twice: one appeal.
    client.post(
        reverse("appeals:appeal_new"),
        {
            "title": "贷款贴息未到账",
            "description": "三个月未拨付",
            "category": loop.cats.loan.pk,
            "urgency": "ordinary",
            "channel": "web",
            "within_policy": "on",
            "idempotency_key": "form-1",
        },
    )
    assert Appeal.objects.count() == 1


def test_handler_acts_from_the_page_and_the_trail_shows_it(client, loop):
    appeal = services.appeal_submit(
        enterprise=loop.a,
        title="t",
        description="d",
        category=loop.cats.loan,
        acting_user=loop.users["enterprise_a"],
    ).appeal
    client.force_login(loop.users["city_handler"])
    page = client.get(reverse("appeals:appeal_detail", args=[appeal.number])).content.decode()
    assert 'data-action="accept"' in page and 'data-action="rate"' not in page
    client.post(
        reverse("appeals:appeal_action", args=[appeal.number, "accept"]), {"expected_version": appeal.version}
    )
    client.post(reverse("appeals:appeal_action", args=[appeal.number, "reply"]), {"reply": "已办结"})
    assert Appeal.objects.get().state == "replied"
    again = client.post(reverse("appeals:appeal_action", args=[appeal.number, "accept"]), follow=True)
    assert "不能被受理" in again.content.decode()
    trail = client.get(reverse("appeals:appeal_detail", args=[appeal.number])).content.decode()
    assert trail.count("city_handler") >= 2


@pytest.mark.parametrize("who", ["enterprise_b", "town_handler", "expert"])
def test_pages_of_another_scope_are_404(client, loop, who):
    appeal = services.appeal_submit(
        enterprise=loop.a,
        title="t",
        description="d",
        category=loop.cats.loan,
        acting_user=loop.users["enterprise_a"],
    ).appeal
    client.force_login(loop.users[who])
    assert client.get(reverse("appeals:appeal_detail", args=[appeal.number])).status_code == 404
    assert client.post(reverse("appeals:appeal_action", args=[appeal.number, "accept"])).status_code == 404
    assert appeal.number not in client.get(reverse("appeals:appeal_list")).content.decode()
    assert appeal.number not in cells(page_export(client, "appeals:appeal_export"))


def test_ledger_warning_coordination_and_kpi_pages(client, loop):
    services.appeal_submit(
        enterprise=loop.a,
        title="政策外需求",
        description="d",
        category=loop.cats.loan,
        acting_user=loop.users["enterprise_a"],
        within_policy=False,
    )
    client.force_login(loop.users["coordinator"])
    assert "政策外需求" in client.get(reverse("appeals:appeal_list")).content.decode()
    assert "政策清单以外的需求" in client.get(reverse("appeals:coordination")).content.decode()
    assert client.get(reverse("appeals:warnings")).status_code == 200
    kpi = client.get(reverse("appeals:kpis"), {"by": "town"}).content.decode()
    assert "办结率" in kpi and "长安镇" in kpi
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(page_export(client, "appeals:appeal_export"))).active
    assert sheet.cell(1, 1).value == "编号" and sheet.max_row == 2


def _replied(loop):
    appeal = services.appeal_submit(
        enterprise=loop.a,
        title="t",
        description="d",
        category=loop.cats.loan,
        acting_user=loop.users["enterprise_a"],
    ).appeal
    appeal = services.appeal_accept(appeal=appeal, acting_user=loop.users["city_handler"])
    return services.appeal_reply(appeal=appeal, acting_user=loop.users["city_handler"], reply="已办理")


def test_each_action_is_its_own_form_and_undoing_is_outlined_and_confirmed(client, loop):
    """Issue 13, item 10: one form per action, colours by meaning, 撤回 and 退回 confirmed."""
    appeal = services.appeal_submit(
        enterprise=loop.a,
        title="t",
        description="d",
        category=loop.cats.loan,
        acting_user=loop.users["enterprise_a"],
    ).appeal
    client.force_login(loop.users["city_handler"])
    page = client.get(reverse("appeals:appeal_detail", args=[appeal.number])).content.decode()
    forms = re.findall(
        r'<form method="post" action="/appeals/[^"]+/(\w[\w-]*)/"([^>]*)>(.*?)</form>', page, re.S
    )
    by_action = {action: (attrs, body) for action, attrs, body in forms}
    assert {"accept", "return", "transfer"} <= set(by_action)
    assert 'name="department_code"' in by_action["transfer"][1]
    assert 'name="department_code"' not in by_action["accept"][1]  # only the fields the action reads
    assert "data-confirm" in by_action["return"][0] and 'class="danger outline"' in by_action["return"][1]
    assert "data-confirm" not in by_action["accept"][0] and 'class="primary"' in by_action["accept"][1]


def test_a_rating_without_a_choice_says_so_next_to_the_field_and_changes_nothing(client, loop):
    appeal = _replied(loop)
    client.force_login(loop.users["enterprise_a"])
    r = client.post(
        reverse("appeals:appeal_action", args=[appeal.number, "rate"]),
        {"expected_version": appeal.version, "comment": "还没到账"},
    )
    body = r.content.decode()
    assert r.status_code == 422
    assert re.search(r'<fieldset aria-invalid="true"[^>]*><legend>评价</legend>', body)
    assert '<small class="field-error" id="rate-error" role="alert">请选择评价。</small>' in body
    assert "还没到账" in body  # what was typed is kept
    appeal.refresh_from_db()
    assert appeal.state == "replied" and not appeal.rating


def test_a_required_field_left_empty_names_the_field(client, loop):
    appeal = services.appeal_submit(
        enterprise=loop.a,
        title="t2",
        description="d",
        category=loop.cats.other,
        acting_user=loop.users["enterprise_a"],
    ).appeal
    client.force_login(loop.users["coordinator"])
    r = client.post(reverse("appeals:appeal_action", args=[appeal.number, "dispatch"]), {})
    assert r.status_code == 422 and "请选择部门" in r.content.decode()


def test_an_over_long_reply_or_comment_is_refused_next_to_its_field_and_changes_nothing(client, loop):
    """The walk of 2026-12-06: a reply of 100,000 characters posted from the page was stored (the
    API's schema bounds it at 10,000; the form did not)."""
    appeal = services.appeal_submit(
        enterprise=loop.a,
        title="t3",
        description="d",
        category=loop.cats.loan,
        acting_user=loop.users["enterprise_a"],
    ).appeal
    client.force_login(loop.users["city_handler"])
    url = reverse("appeals:appeal_action", args=[appeal.number, "accept"])
    r = client.post(url, {"expected_version": appeal.version, "comment": "受" * 10_001})
    assert r.status_code == 422 and "内容超过10000个字" in r.content.decode()
    appeal.refresh_from_db()
    assert appeal.state == "dispatched"
    client.post(url, {"expected_version": appeal.version})
    appeal.refresh_from_db()
    r = client.post(
        reverse("appeals:appeal_action", args=[appeal.number, "reply"]),
        {"expected_version": appeal.version, "reply": "答" * 100_000},
    )
    body = r.content.decode()
    assert r.status_code == 422
    assert '<small class="field-error" id="reply-error" role="alert">内容超过10000个字' in body
    appeal.refresh_from_db()
    assert appeal.state == "accepted" and not appeal.reply
