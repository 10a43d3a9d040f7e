"""The fuzz test's world: every app's fixtures together, plus objects in the states the API acts on."""

from datetime import date

import pytest

from tests.appeals.conftest import loop  # noqa: F401  (fixtures shared with the apps' tests)
from tests.policies.conftest import policy_world  # noqa: F401
from zhuqi.accounts.services import api_token_create
from zhuqi.appeals import deadlines
from zhuqi.appeals import services as appeals
from zhuqi.core.scopes import HOTLINE
from zhuqi.policies import grants, matching
from zhuqi.policies import services as policies


@pytest.fixture
def api_world(loop, policy_world):  # noqa: F811
    """Appeals of the enterprise in each state a client meets (submitted and routed, accepted,
    replied, closed), the shipped pack matched for 2021 and 2026, an application under review and
    one approved, a 免申即享 offer, a deadline rule, and the hotline's token."""
    w = loop
    users = w.users
    ent_user = users["enterprise_a"]

    def submit(title, category):
        return appeals.appeal_submit(
            enterprise=w.a,
            title=title,
            description="新厂房用电增容已等两个月。",
            category=category,
            acting_user=ent_user,
            contact_name="陈伟",
            contact_phone="13800000000",
        ).appeal

    routed = submit("用电增容审批慢", w.cats.loan)
    accepted = submit("贷款贴息材料", w.cats.loan)
    appeals.perform("accept", appeal=accepted, acting_user=users["city_handler"])
    replied = submit("招工难", w.cats.loan)
    appeals.perform("accept", appeal=replied, acting_user=users["city_handler"])
    appeals.perform("reply", appeal=replied, acting_user=users["city_handler"], reply="已协调。")
    closed = submit("厂房租金补贴", w.cats.loan)
    appeals.perform("accept", appeal=closed, acting_user=users["city_handler"])
    appeals.perform("reply", appeal=closed, acting_user=users["city_handler"], reply="已办结。")
    appeals.perform("rate", appeal=closed, acting_user=ent_user, rating="satisfied")
    undispatched = submit("其他事项", w.cats.other)
    rule = deadlines.deadline_rule_set(
        category=w.cats.loan,
        urgency="ordinary",
        dispatch_days=1,
        progress_days=2,
        resolve_days=5,
        acting_user=users["coordinator"],
    )

    for period in (date(2021, 12, 31), date(2026, 6, 30)):
        matching.match_run(period=period, acting_user=users["coordinator"])
    grants.offers_run(period=date(2026, 6, 30), acting_user=users["coordinator"])
    pending, _ = policies.application_submit(
        enterprise=w.a,
        clause=w.clause("DB-3-2"),
        year=2021,
        inputs={"consulting_fees": 1_000_000},
        project="智能化改造咨询",
        acting_user=ent_user,
    )
    approved, _ = policies.application_submit(
        enterprise=w.a,
        clause=w.clause("DB-3-6"),
        year=2021,
        inputs={"voucher_services": 100_000},
        acting_user=ent_user,
    )
    policies.application_approve(
        application=approved, amount=approved.computed_max, comment="", acting_user=users["coordinator"]
    )
    from zhuqi.policies.models import GrantOffer

    _token, raw = api_token_create(user=users["system"], name="12345", scopes=HOTLINE)
    w.hotline_token = raw
    w.enterprise_user = ent_user
    w.known = {
        "number": [a.number for a in (routed, accepted, replied, closed, undispatched)]
        + [pending.number, approved.number]
        + list(GrantOffer.objects.values_list("number", flat=True)),
        "uscc": [w.a.uscc, w.b.uscc],
        "code": ["DB-3-2", "DB-3-6", "dongguan_doubling"],
        "rule_id": [rule.pk],
        "action": ["accept", "reply", "rate", "withdraw", "progress", "instruct", "follow-up"],
    }
    return w
