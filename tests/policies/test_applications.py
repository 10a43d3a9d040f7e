"""Applications: the rule's maximum, exclusive groups (就高不就低, 不重复资助), budgets, permissions."""

from decimal import Decimal

import pytest

from tests.factories import make_pilot
from zhuqi.core.errors import Conflict, Forbidden, ZhuqiError
from zhuqi.core.models import AuditEvent, OutboxMessage
from zhuqi.policies import budgets, packs, services
from zhuqi.policies.models import ApplicationState


def apply(w, code, inputs, project="", key=None):
    return services.application_submit(
        enterprise=w.a,
        clause=w.clause(code),
        year=2021,
        inputs=inputs,
        project=project,
        acting_user=w.users["enterprise_a"],
        idempotency_key=key,
    )[0]


def test_submission_computes_the_maximum_by_the_rule(policy_world):
    """seed 000 三(七): 智能制造示范 40 % of equipment and technology investment, at most 10,000,000."""
    app = apply(policy_world, "DB-3-7-DEMO", {"equipment_technology_investment": "30,000,000"}, "一号车间")
    assert app.computed_max == Decimal("10000000.00")
    assert app.number.startswith("ZC")
    assert OutboxMessage.objects.filter(key__startswith=f"application-submit-{app.pk}").exists()
    assert AuditEvent.objects.filter(verb="application_submit", object_id=str(app.pk)).exists()


def test_a_retry_with_the_same_key_returns_the_first_application(policy_world):
    first = apply(policy_world, "DB-3-2", {"consulting_fees": 100000}, key="k-1")
    again = apply(policy_world, "DB-3-2", {"consulting_fees": 100000}, key="k-1")
    assert first.pk == again.pk


@pytest.mark.parametrize(
    "inputs,code",
    [
        ({}, "input_missing"),
        ({"consulting_fees": "-5"}, "bad_input"),
        ({"consulting_fees": 1, "x": 2}, "unknown_input"),
    ],
)
def test_bad_inputs_are_refused_and_change_nothing(policy_world, inputs, code):
    with pytest.raises(ZhuqiError) as exc:
        apply(policy_world, "DB-3-2", inputs)
    assert exc.value.code == code and exc.value.status == 422
    assert not AuditEvent.objects.filter(verb="application_submit").exists()


def test_an_ineligible_enterprise_is_told_which_condition_fails(policy_world):
    with pytest.raises(ZhuqiError) as exc:
        services.application_submit(
            enterprise=policy_world.b,
            clause=policy_world.clause("DB-3-2"),
            year=2021,
            inputs={"consulting_fees": 1000},
            acting_user=policy_world.users["enterprise_b"],
        )
    message = str(exc.value.message)
    # the failing condition by the pack's label and value, never the rule's identifier `pilot`
    assert exc.value.code == "not_eligible" and "倍增计划试点企业" in message
    assert "pilot" not in message


def test_a_missing_fact_is_declared_by_the_enterprise(policy_world):
    """总部在本市 is not in the directory: the application asks for it (the reviewer checks it)."""
    fields = [
        f.name
        for f in services.application_fields(policy_world.clause("DB-3-14-STAMP"), policy_world.a.pk, 2021)
    ]
    assert fields == ["stamp_duty_paid", "headquartered_locally"]
    app = apply(policy_world, "DB-3-14-STAMP", {"stamp_duty_paid": 30_000_000, "headquartered_locally": "是"})
    assert app.computed_max == Decimal("10000000.00")  # 三(十四): 50 %, at most 10,000,000


def test_the_department_approves_at_most_the_rule_and_others_may_not(policy_world):
    app = apply(policy_world, "DB-3-2", {"consulting_fees": 1_000_000})
    with pytest.raises(Forbidden):
        services.application_approve(application=app, amount=1, acting_user=policy_world.other_handler)
    with pytest.raises(ZhuqiError) as exc:
        services.application_approve(
            application=app, amount="500000.01", acting_user=policy_world.miit_handler
        )
    assert exc.value.code == "amount_above_rule" and "50万元（500,000.00元）" in str(exc.value.message)
    app = services.application_approve(application=app, amount=500000, acting_user=policy_world.miit_handler)
    assert app.state == ApplicationState.APPROVED and app.approved_amount == 500000
    with pytest.raises(Conflict):
        services.application_reject(application=app, reason="x", acting_user=policy_world.miit_handler)


def test_annual_cap_counts_what_the_clause_already_granted(policy_world):
    """三(二): at most 2,000,000 a year in all: a second application that year gets what is left."""
    first = apply(policy_world, "DB-3-2", {"consulting_fees": 3_000_000}, project="A")
    services.application_approve(application=first, amount=1_500_000, acting_user=policy_world.miit_handler)
    second = apply(policy_world, "DB-3-2", {"consulting_fees": 3_000_000}, project="B")
    assert second.computed_max == Decimal("500000.00")


def test_exclusive_group_grants_only_the_higher_clause_for_one_project(policy_world):
    """seed 000, 五(一)3 就高不就低、不重复资助: 智能制造示范 (40 %) and 互联网+ (35 %) for one project."""
    w = policy_world
    demo = apply(
        w, "DB-3-7-DEMO", {"equipment_technology_investment": 5_000_000}, "智能工厂一期"
    )  # 2,000,000
    internet = apply(
        w, "DB-3-8-INTERNET", {"project_total_investment": 5_000_000}, "智能工厂一期"
    )  # 1,750,000
    coordinator = w.users["coordinator"]
    with pytest.raises(Conflict) as exc:
        services.application_approve(application=internet, amount=1_750_000, acting_user=coordinator)
    assert exc.value.code == "higher_rival" and demo.number in str(exc.value.message)
    assert "DB-3-7-DEMO" not in str(exc.value.message) and "200万元" in str(exc.value.message)
    services.application_approve(application=demo, amount=2_000_000, acting_user=w.miit_handler)
    internet.refresh_from_db()
    assert internet.state == ApplicationState.REJECTED
    assert (
        demo.number in internet.decision_reason and w.clause("DB-3-7-DEMO").title in internet.decision_reason
    )
    with pytest.raises(Conflict) as exc:  # a new application for the funded project cannot be approved
        later = apply(w, "DB-3-5", {"project_total_investment": 5_000_000}, "智能工厂一期")
        services.application_approve(application=later, amount=1, acting_user=coordinator)
    assert exc.value.code == "already_funded"
    other = apply(w, "DB-3-8-INTERNET", {"project_total_investment": 1_000_000}, "另一项目")
    services.application_approve(application=other, amount=350_000, acting_user=coordinator)


def test_budget_is_never_overspent(policy_world):
    w = policy_world
    make_pilot(w.b)
    packs.clause_update(
        clause=w.clause("DB-3-6"), changes={"budget": 450000}, acting_user=w.users["coordinator"]
    )
    first = apply(w, "DB-3-6", {"voucher_services": 400_000}, "A")
    services.application_approve(application=first, amount=400_000, acting_user=w.users["coordinator"])
    second, _created = services.application_submit(
        enterprise=w.b,
        clause=w.clause("DB-3-6"),
        year=2021,
        inputs={"voucher_services": 100_000},
        acting_user=w.users["enterprise_b"],
    )
    with pytest.raises(Conflict) as exc:
        services.application_approve(application=second, amount=100_000, acting_user=w.users["coordinator"])
    assert exc.value.code == "budget_exceeded" and "50,000" in str(exc.value.message)
    services.application_approve(application=second, amount=50_000, acting_user=w.users["coordinator"])
    assert budgets.committed(w.clause("DB-3-6"), 2021) == 450_000


def test_the_lower_rival_is_refused_by_the_platform_not_by_the_approving_handler(client, policy_world):
    """The approve form names beforehand what approving refuses; the refusal is the rule's (actor none),
    never recorded as the handler's act on an application of another department."""
    w = policy_world
    demo = apply(w, "DB-3-7-DEMO", {"equipment_technology_investment": 5_000_000}, "智能工厂一期")
    internet = apply(w, "DB-3-8-INTERNET", {"project_total_investment": 5_000_000}, "智能工厂一期")
    client.force_login(w.miit_handler)
    body = client.get(f"/policies/applications/{demo.number}/").content.decode()
    warning = body[body.index('id="would-refuse"') : body.index("</ul>", body.index('id="would-refuse"'))]
    assert internet.number in warning and w.clause("DB-3-8-INTERNET").title in warning
    assert "DB-3-8-INTERNET" not in warning
    services.application_approve(application=demo, amount=2_000_000, acting_user=w.miit_handler)
    internet.refresh_from_db()
    assert internet.state == ApplicationState.REJECTED and internet.decided_by is None
    event = AuditEvent.objects.get(object_id=str(internet.pk), verb="application_refuse_by_rule")
    assert event.actor is None and event.actor_name == ""
    assert demo.number in event.data["reason"]
    assert not AuditEvent.objects.filter(object_id=str(internet.pk), verb="application_reject").exists()
