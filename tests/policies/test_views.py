"""Policy pages: catalogue with figures, clause editing with the error's position, 我的政策,
applying, reviewing, confirming a grant, the batch list; every object checked against its reader."""

import re
from datetime import date

from tests.job_helpers import job_from_redirect, run_worker_once
from zhuqi.core.models import Job, OutboxMessage
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
    assert r.status_code == 422
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
    assert r.status_code == 422 and not Application.objects.exists()


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
    assert r.status_code == 422 and not Application.objects.exists()
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
    assert r.status_code == 422 and "clause C condition, line 1, column 4" in r.content.decode()
    assert page(client, policy_world.users["enterprise_a"], "/policies/packs/import/").status_code == 404
    assert page(client, policy_world.users["coordinator"], "/policies/packs/import/").status_code == 200


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


def test_the_approve_box_shows_its_unit_and_echoes_the_amount_in_wan(client, policy_world):
    """Typing 360 meaning 360万元 must not pass unnoticed: the box says 元 and echoes 万元."""
    application, _created = services.application_submit(
        enterprise=policy_world.a,
        clause=policy_world.clause("DB-3-7-DEMO"),
        year=2021,
        inputs={"equipment_technology_investment": 9_000_000},
        project="一号车间",
        acting_user=policy_world.users["enterprise_a"],
    )
    body = page(
        client, policy_world.miit_handler, f"/policies/applications/{application.number}/"
    ).content.decode()
    form = body[body.index('id="decide"') : body.index("</form>", body.index('id="decide"'))]
    assert '<span class="unit">元</span>' in form and "核定金额（元）" in form
    assert 'data-wan="amount-echo"' in form and 'data-format="即 {}万元"' in form
    assert "即 360万元" in form  # 40 % of 9,000,000
    page(
        client,
        policy_world.miit_handler,
        f"/policies/applications/{application.number}/approve/",
        {"amount": "3600000.01"},
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED


def test_a_refused_application_names_each_failed_condition_once_in_words(client, policy_world):
    """博士后建站资助 for a platform not newly set up: the fact's label, once, and no identifier."""
    r = page(
        client,
        policy_world.users["enterprise_a"],
        "/policies/clauses/PD-STATION/apply/?year=2022",
        {
            "in_platform_newly_established": "false",
            "in_station_grant_assessed": "800000",
            "idempotency_key": "station-1",
        },
    )
    body = r.content.decode()
    assert r.status_code == 422 and not Application.objects.exists()
    text = re.sub(r"<[^>]+>", "", body)  # what the reader sees
    assert text.count("本单位博士后工作平台为新设立（经批准）：否") == 1
    assert "platform_newly_established" not in text and "PD-STATION" not in text


def test_the_last_runs_read_in_chinese(client, policy_world):
    matching.match_run(period=date(2026, 6, 30))
    body = page(client, policy_world.users["coordinator"], "/policies/?year=2026").content.decode()
    runs = body[body.index('id="last-runs"') : body.index("</ul>", body.index('id="last-runs"'))]
    assert re.search(r"（用时\d+\.\d秒）", runs) and " s)" not in runs


def test_enterprises_read_the_clause_name_and_document_not_its_code(client, policy_world):
    w = policy_world
    clause = w.clause("DB-3-7-DEMO")
    apply_page = page(client, w.users["enterprise_a"], "/policies/clauses/DB-3-7-DEMO/apply/?year=2021")
    application, _created = services.application_submit(
        enterprise=w.a,
        clause=clause,
        year=2021,
        inputs={"equipment_technology_investment": 9_000_000},
        project="一号车间",
        acting_user=w.users["enterprise_a"],
    )
    detail = page(client, w.users["enterprise_a"], f"/policies/applications/{application.number}/")
    for r in (apply_page, detail):
        text = re.sub(r"<[^>]+>", "", r.content.decode())
        assert "DB-3-7-DEMO" not in text
        assert clause.title in text and clause.policy.title in text


def test_offer_and_application_pages_read_dates_and_money_in_chinese(client, policy_world):
    """No ISO moment, no bare figure: money in 万元 (the exact yuan beside it), dates 2026年…月…日."""
    w = policy_world
    grants.offers_run(period=date(2026, 6, 30))
    offer = GrantOffer.objects.get()
    page(
        client,
        w.users["enterprise_a"],
        f"/policies/offers/{offer.number}/",
        {
            "bank_name": "中国农业银行东莞分行",
            "account_name": w.a.name,
            "account_number": "6228480000000000001",
        },
    )
    text = re.sub(
        r"<[^>]+>",
        "",
        page(client, w.users["enterprise_a"], f"/policies/offers/{offer.number}/").content.decode(),
    )
    assert "2000万元" in text and "20000000" not in text  # the R&D expense the amount came from
    assert "100万元（1,000,000.00元）" in text
    offered = OutboxMessage.objects.filter(key__startswith=f"grant-offer-{offer.number}").first().subject
    assert "100万元（1,000,000.00元）" in offered
    listed = page(client, w.users["enterprise_a"], "/policies/offers/").content.decode()
    assert "100万元" in listed and "1,000,000.00元" not in listed
    assert re.search(r"到账期限：\d{4}年\d{1,2}月\d{1,2}日", text) and "T23:59" not in text
    application, _created = services.application_submit(
        enterprise=w.a,
        clause=w.clause("DB-3-7-DEMO"),
        year=2021,
        inputs={"equipment_technology_investment": "12,000,000"},
        project="一号车间",
        acting_user=w.users["enterprise_a"],
    )
    services.application_approve(application=application, amount=3_600_000, acting_user=w.miit_handler)
    text = re.sub(
        r"<[^>]+>",
        "",
        page(
            client, w.users["enterprise_a"], f"/policies/applications/{application.number}/"
        ).content.decode(),
    )
    assert "1200万元" in text and "12,000,000" not in text
    assert "360万元（3,600,000.00元）" in text
    subject = (
        OutboxMessage.objects.filter(key__startswith=f"application-approved-{application.pk}").first().subject
    )
    assert "360万元" in subject and "3,600,000.00 元" not in subject


def test_clause_parameters_read_in_words_and_the_expression_is_for_staff(client, policy_world):
    """研发投入补助: 5 %, 2倍 until 2022, 小巨人 视同; names and expressions only under 技术细节 for staff."""
    w = policy_world
    body = page(client, w.users["enterprise_a"], "/policies/clauses/INNOV-RD/?year=2021").content.decode()
    text = re.sub(r"<[^>]+>", "", body)
    assert "5%" in text and "2倍" in text and "2017年1月1日起：2倍" in text and "2022年1月1日起：1倍" in text
    assert "视同" in text and "（1 视同，0 不视同）" not in text
    for raw in ("rd.rate", "pilot.factor", "0.05", "2017-01-01", "INNOV-RD", 'id="technical"'):
        assert raw not in body.replace("/INNOV-RD/", "")
    body = page(client, w.users["enterprise_a"], "/policies/clauses/DB-3-2/?year=2021").content.decode()
    assert "200万元" in body and "2000000" not in body and "consulting.annual_cap" not in body
    staff = page(client, w.miit_handler, "/policies/clauses/INNOV-RD/?year=2021").content.decode()
    technical = staff[
        staff.index('<details id="technical">') : staff.index("</details>", staff.index('id="technical"'))
    ]
    assert "技术细节" in technical and "rd.rate" in technical and "rd_expense_deductible_prev" in technical
    assert "rd.rate" not in staff.replace(technical, "")


def test_inputs_giving_an_amount_beyond_any_grant_are_refused_and_nothing_is_stored(client, policy_world):
    """The walk of 2026-12-06: 1e9 new postdocs × 20万元 passed the input bound (1e14) and gave an
    amount the column cannot hold; SQLite stored it and every page reading the enterprise's
    applications then answered 500."""
    r = page(
        client,
        policy_world.users["enterprise_a"],
        "/policies/clauses/PD-ENTRY/apply/?year=2026",
        {"in_new_postdocs": "1000000000", "idempotency_key": "entry-1"},
    )
    body = r.content.decode()
    assert r.status_code == 422 and not Application.objects.exists(), body
    assert "超出任何资助的可能" in body and "2000000亿元" in body
    r = page(
        client,
        policy_world.users["enterprise_a"],
        "/policies/clauses/PD-ENTRY/apply/?year=2026",
        {"in_new_postdocs": "2", "idempotency_key": "entry-2"},
    )
    assert r.status_code == 302 and Application.objects.get().computed_max == 400_000
    assert page(client, policy_world.users["enterprise_a"], "/policies/applications/").status_code == 200


def test_a_places_clause_offers_no_application_and_a_lapsed_year_says_why(client, policy_world):
    """The walk of 2026-12-06: 技术骨干名额 (places allocated by the department) offered 「申报」, whose
    form then said there was nothing to apply for; in 2026, after the clause lapsed, the page read
    「不符合条件」 under conditions that all held, with no reason."""
    enterprise = policy_world.users["enterprise_a"]
    body = page(client, enterprise, "/policies/clauses/DB-3-19-PLACES/?year=2021").content.decode()
    assert 'data-status="not_eligible"' not in body  # before, 「申报」 showed here
    assert "/policies/clauses/DB-3-19-PLACES/apply/" not in body and 'id="not-in-force"' not in body
    money = page(client, enterprise, "/policies/clauses/DB-3-7-DEMO/?year=2021").content.decode()
    assert "/policies/clauses/DB-3-7-DEMO/apply/?year=2021" in money
    lapsed = page(client, enterprise, "/policies/clauses/DB-3-19-PLACES/?year=2026").content.decode()
    assert "本条款2026年度不在施行期内，当年不受理申报，也不予兑现。" in lapsed


def test_an_offer_made_by_a_run_says_its_own_trail_is_empty(client, policy_world):
    """The walk of 2026-12-06: an offer made by a 免申即享 run (recorded once for the whole run) showed
    the trail's header over no row at all."""
    grants.offers_run(period=date(2026, 6, 30))
    offer = GrantOffer.objects.get()
    body = page(
        client, policy_world.users["enterprise_a"], f"/policies/offers/{offer.number}/"
    ).content.decode()
    trail = body[body.index('<table id="trail">') :]
    assert "暂无该事项的操作记录。" in trail[: trail.index("</table>")]


def test_an_enterprise_reads_the_catalogue_by_clause_titles_not_codes(client, policy_world):
    """The walk of 2026-12-06: the enterprise's 惠企政策 led each row with DB-3-3-3Y-EARLY and the like."""
    w = policy_world
    body = page(client, w.users["enterprise_a"], "/policies/?year=2021").content.decode()
    title = w.clause("DB-3-7-DEMO").title
    assert f'<a href="/policies/clauses/DB-3-7-DEMO/?year=2021">{title}</a>' in body
    assert "DB-3-7-DEMO" not in re.sub(r"<[^>]+>", "", body)
    staff = page(client, w.users["coordinator"], "/policies/?year=2021").content.decode()
    assert '<code translate="no">DB-3-7-DEMO</code>' in staff
