"""Policy pages: catalogue with figures, clause editing with the error's position, 我的政策,
applying, reviewing, confirming a grant, the batch list; every object checked against its reader."""

import re
from datetime import date

from tests.job_helpers import job_from_redirect, run_worker_once
from zhuqi.core.models import Job
from zhuqi.policies import grants, matching, services
from zhuqi.policies.models import Application, ApplicationState, GrantOffer, OfferState


def page(client, user, path, data=None):
    client.force_login(user)
    return client.post(path, data) if data is not None else client.get(path)


def test_catalogue_shows_clauses_to_all_and_figures_to_staff(client, policy_world):
    matching.match_run(period=date(2026, 6, 30))
    staff = page(client, policy_world.users["coordinator"], "/policies/?year=2026").content.decode()
    assert 'data-clause="INNOV-RD"' in staff and "100万元" in staff
    enterprise = page(client, policy_world.users["enterprise_b"], "/policies/?year=2026").content.decode()
    assert 'data-clause="INNOV-RD"' in enterprise and "100万元" not in enterprise


def test_editing_a_clause_in_the_page_shows_the_position_of_the_error(client, policy_world):
    r = page(
        client,
        policy_world.users["coordinator"],
        "/policies/clauses/DB-3-5/",
        {
            "title": "重大科技项目资助",
            "source": "东府办〔2017〕11号 三（五）",
            "department": "市科学技术局",
            "condition": "is_pilot",
            "amount": "min(project_total_investment * major_project.rat, major_project.cap)",
            "exclusive_group": "same-project",
        },
    )
    body = r.content.decode()
    assert r.status_code == 200
    assert "clause DB-3-5 amount, line 1, column 32" in body and "major_project.rate" in body
    r = page(client, policy_world.users["enterprise_a"], "/policies/clauses/DB-3-5/", {"title": "x"})
    assert r.status_code == 404


def test_my_policies_lists_eligible_amounts_and_gaps(client, policy_world):
    body = page(client, policy_world.users["enterprise_a"], "/policies/mine/?year=2021").content.decode()
    assert 'data-clause="DB-3-2"' in body
    assert "兼并重组后总部在本市" in body  # the missing fact of 三(十四) is named as the gap
    body = page(client, policy_world.users["enterprise_a"], "/policies/mine/?year=2026").content.decode()
    assert "100万元" in body  # seed 001: 5 % of 20,000,000
    other = page(client, policy_world.users["town_a"], f"/policies/mine/?enterprise={policy_world.b.uscc}")
    assert other.status_code == 404


def test_apply_review_and_approve_through_the_pages(client, policy_world):
    r = page(
        client,
        policy_world.users["enterprise_a"],
        "/policies/clauses/DB-3-7-DEMO/apply/?year=2021",
        {"project": "一号车间", "in_equipment_technology_investment": "30000000", "idempotency_key": "p1"},
    )
    application = Application.objects.get()
    assert r.status_code == 302 and application.computed_max == 10_000_000
    detail = page(client, policy_world.miit_handler, f"/policies/applications/{application.number}/")
    assert 'id="decide"' in detail.content.decode()
    assert (
        page(
            client, policy_world.users["enterprise_b"], f"/policies/applications/{application.number}/"
        ).status_code
        == 404
    )
    page(
        client,
        policy_world.miit_handler,
        f"/policies/applications/{application.number}/approve/",
        {"amount": "20000000"},
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED  # above the rule: refused, nothing changed
    page(
        client,
        policy_world.miit_handler,
        f"/policies/applications/{application.number}/approve/",
        {"amount": "9000000"},
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED and application.approved_amount == 9_000_000


def test_a_bad_application_input_is_shown_on_the_form(client, policy_world):
    r = page(
        client,
        policy_world.users["enterprise_a"],
        "/policies/clauses/DB-3-2/apply/?year=2021",
        {"in_consulting_fees": "-1"},
    )
    assert r.status_code == 200 and not Application.objects.exists()


def test_a_refusal_on_the_page_names_the_condition_not_the_rules_identifier(client, policy_world):
    """Enterprise B is no pilot: DB-3-2 (condition `pilot`, a derived value of the doubling pack) refuses
    it, and the page says so with the pack's Chinese label, without the identifier."""
    r = page(
        client,
        policy_world.users["enterprise_b"],
        "/policies/clauses/DB-3-2/apply/?year=2021",
        {"in_consulting_fees": "1600000"},
    )
    text = r.content.decode()
    assert r.status_code == 200 and not Application.objects.exists()
    assert "倍增计划试点企业（含视同的国家级“小巨人”企业）" in text and "需为是" in text
    assert not re.search(r"\bpilot\b|\bis_pilot\b|little_giant_national", text)


def test_confirm_a_grant_and_batch_it(client, policy_world):
    grants.offers_run(period=date(2026, 6, 30))
    offer = GrantOffer.objects.get()
    assert (
        page(client, policy_world.users["enterprise_b"], f"/policies/offers/{offer.number}/").status_code
        == 404
    )
    page(
        client,
        policy_world.users["enterprise_a"],
        f"/policies/offers/{offer.number}/",
        {
            "bank_name": "中国农业银行东莞分行",
            "account_name": policy_world.a.name,
            "account_number": "6228480000000000001",
        },
    )
    offer.refresh_from_db()
    assert offer.state == OfferState.CONFIRMED
    page(client, policy_world.users["coordinator"], "/policies/disbursements/", {})
    offer.refresh_from_db()
    assert offer.state == OfferState.BATCHED
    r = page(client, policy_world.users["coordinator"], f"/policies/disbursements/{offer.batch.number}.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_pack_import_page_refuses_a_bad_pack_with_its_position(client, policy_world):
    r = page(
        client,
        policy_world.users["coordinator"],
        "/policies/packs/import/",
        {
            "text": "pack: x\npolicies: [{code: P, title: t, clauses: [{code: C, title: t, source: s, condition: 'a >', amount: '1'}]}]"
        },
    )
    assert "clause C condition, line 1, column 4" in r.content.decode()
    assert page(client, policy_world.users["enterprise_a"], "/policies/packs/import/").status_code == 404


def test_coordinator_runs_matching_from_the_page(client, policy_world):
    from zhuqi.policies.models import MatchRun

    before = MatchRun.objects.count()
    r = page(
        client,
        policy_world.users["coordinator"],
        "/policies/run/match/",
        {"period": "2026-06-30", "next": "https://evil.example/"},
    )
    job = job_from_redirect(r)  # the job's page, with its progress bar
    assert r["Location"] == f"/jobs/{job.pk}/" and job.kind == "policies.match"
    assert MatchRun.objects.count() == before  # nothing ran in the request
    run_worker_once()
    job.refresh_from_db()
    assert job.state == "done" and MatchRun.objects.count() == before + 1
    done_page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "已完成" in done_page and "符合条件" in done_page
    r = page(
        client,
        policy_world.users["coordinator"],
        "/policies/run/match/",
        {"period": "yesterday", "next": "https://evil.example/"},
    )
    assert r.status_code == 302 and r["Location"] == "/policies/"  # refused with a message; never off-site
    page(client, policy_world.users["enterprise_a"], "/policies/run/match/", {"period": "2026-06-30"})
    assert Job.objects.count() == 1


def test_the_enterprise_finds_its_application_from_home_menu_and_my_policies(client, policy_world):
    """Issue 13, item 2: its own applications are reachable; 我的政策 shows the application instead of
    offering 申报 a second time for the same clause and year."""
    user = policy_world.users["enterprise_a"]
    mine = page(client, user, "/policies/mine/?year=2021").content.decode()
    assert "/policies/clauses/DB-3-2/apply/?year=2021" in mine
    page(client, user, "/policies/clauses/DB-3-2/apply/?year=2021", {"in_consulting_fees": "1600000"})
    application = Application.objects.get()
    link = f"/policies/applications/{application.number}/"
    home = page(client, user, "/").content.decode()
    assert link in home and 'href="/policies/applications/"' in home  # the list is in the menu too
    assert link in page(client, user, "/policies/applications/").content.decode()
    mine = page(client, user, "/policies/mine/?year=2021").content.decode()
    assert link in mine and "/policies/clauses/DB-3-2/apply/?year=2021" not in mine
    services.application_withdraw(application=application, acting_user=user)
    mine = page(client, user, "/policies/mine/?year=2021").content.decode()
    assert link in mine and "/policies/clauses/DB-3-2/apply/?year=2021" in mine  # withdrawn: may apply again


def test_conditions_read_as_sentences_and_staff_may_expand_the_expression(client, policy_world):
    """Issue 13, item 4: 我的政策 reads "上年度…研发费用 2000万元，需大于 0元 ✓", not the rule."""
    body = page(client, policy_world.users["enterprise_a"], "/policies/mine/?year=2026").content.decode()
    assert "上年度税务核定可加计扣除研发费用 2000万元，需大于 0元 ✓" in body
    assert "创新型企业（瞪羚、百强）：是，需为是 ✓" in body
    assert "rd_expense_deductible_prev" not in body and "规则表达式" not in body
    staff = page(
        client,
        policy_world.users["coordinator"],
        f"/policies/mine/?year=2026&enterprise={policy_world.a.uscc}",
    ).content.decode()
    assert "上年度税务核定可加计扣除研发费用 2000万元，需大于 0元 ✓" in staff
    assert '<code translate="no">innovative_enterprise</code>' in staff  # in the expandable detail
