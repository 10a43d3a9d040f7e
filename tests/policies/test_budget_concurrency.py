"""Two departments approve against one budget at the same moment: the budget is never overspent.
Runs on PostgreSQL (row locks on enterprise and clause) and on SQLite (IMMEDIATE transactions)."""

import threading

import pytest
from django.db import connections

from tests.factories import EnterpriseFactory, UserFactory, make_pilot
from zhuqi.accounts.models import Role
from zhuqi.core.errors import Conflict
from zhuqi.policies import budgets, packs, services
from zhuqi.policies.models import Application, ApplicationState

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_approvals_never_overspend_the_budget(policy_world):
    w = policy_world
    packs.clause_update(
        clause=w.clause("DB-3-6"), changes={"budget": 500000}, acting_user=w.users["coordinator"]
    )
    applications = []
    for i in range(4):  # four pilots each asking 300,000: the budget takes one
        enterprise = EnterpriseFactory(town=w.towns[0])
        make_pilot(enterprise)
        user = UserFactory(username=f"pilot{i}", role=Role.ENTERPRISE, enterprise=enterprise)
        applications.append(
            services.application_submit(
                enterprise=enterprise,
                clause=w.clause("DB-3-6"),
                year=2021,
                inputs={"voucher_services": 300_000},
                acting_user=user,
            )[0]
        )
    deciders = [w.users["coordinator"], w.users["admin"]] * 2
    barrier = threading.Barrier(len(applications))
    outcomes = []

    def approve(application, user):
        try:
            barrier.wait()
            services.application_approve(application=application, amount=300_000, acting_user=user)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=pair) for pair in zip(applications, deciders, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["budget_exceeded"] * 3 + ["ok"]
    assert Application.objects.filter(state=ApplicationState.APPROVED).count() == 1
    assert budgets.committed(w.clause("DB-3-6"), 2021) == 300_000
