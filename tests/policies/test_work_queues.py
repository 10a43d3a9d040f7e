"""Work queues of applications and grant offers on the home page, per role, linking to lists that
show what they count."""

from datetime import date

import pytest
from django.urls import reverse

from zhuqi.policies import grants, services
from zhuqi.web.queues import queues_for

pytestmark = pytest.mark.django_db


def queue(w, role, key):
    return next(q for q in queues_for(w.users[role]) if q.key == key)


def test_applications_and_offers_waiting(client, policy_world):
    w = policy_world
    application, _ = services.application_submit(
        enterprise=w.a,
        clause=w.clause("DB-3-7-DEMO"),
        year=2021,
        inputs={"equipment_technology_investment": "30,000,000"},
        project="一号车间",
        acting_user=w.users["enterprise_a"],
    )
    grants.offers_run(period=date(2026, 6, 30))
    mine = queue(w, "enterprise_a", "my_applications")
    assert mine.count == 1 and mine.url == "/policies/applications/?state=submitted"
    assert queue(w, "city_handler", "applications").count == 1  # 市工信局 reviews DB-3-7-DEMO
    assert queue(w, "town_handler", "applications").count == 0
    assert queue(w, "coordinator", "applications").count == 1
    assert queue(w, "enterprise_b", "my_applications").count == 0
    to_confirm = queue(w, "enterprise_a", "to_confirm")
    assert to_confirm.count == 1 and to_confirm.urgent
    client.force_login(w.users["enterprise_a"])
    assert application.number in client.get(mine.url).content.decode()
    offers = client.get(to_confirm.url).content.decode()
    assert w.a.grant_offers.get().number in offers
    home = client.get(reverse("web:home")).content.decode()
    assert 'data-queue="to_confirm" data-count="1"' in home and to_confirm.url in home
    assert queue(w, "coordinator", "to_batch").count == 0
    grants.offer_confirm(
        offer=w.a.grant_offers.get(),
        acting_user=w.users["enterprise_a"],
        bank_name="中国工商银行东莞分行",
        account_name=w.a.name,
        account_number="6222021234567890123",
    )
    assert queue(w, "coordinator", "to_batch").count == 1
    assert queue(w, "enterprise_a", "to_confirm").count == 0
