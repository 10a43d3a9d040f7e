"""The policy API: catalogue, editing with positions, standing, applications, offers, batches, scope."""

import json
from decimal import Decimal

from tests.job_helpers import run_worker_once
from zhuqi.policies.models import Application, GrantOffer


def call(client, user, method, path, body=None, **headers):
    client.force_login(user)
    kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body is not None else {}
    return getattr(client, method)(f"/api/v1{path}", **kwargs, **headers)


def test_catalogue_is_public_to_every_signed_in_user(client, policy_world):
    r = call(client, policy_world.users["enterprise_b"], "get", "/policy-clauses/DB-3-2?year=2021")
    assert r.status_code == 200
    body = r.json()
    assert body["condition"] == "pilot" and body["department_code"] == "miit"  # 试点, or a 小巨人 (seed 001)
    rate = next(p for p in body["parameters"] if p["name"] == "consulting.rate")
    assert (
        rate["in_force"] == "0.5" and "东府办〔2017〕11号 三（二）" in rate["source"]
    )  # exact: a decimal as text


def test_a_bad_expression_is_refused_with_its_position_and_changes_nothing(client, policy_world):
    r = call(
        client,
        policy_world.users["coordinator"],
        "put",
        "/policy-clauses/DB-3-5",
        {"amount": "min(project_total_investment * 25%, major_project.cap"},
    )
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "rule_invalid"
    assert "clause DB-3-5 amount, line 1" in body["message_en"] and "^" in body["message_en"]
    assert "无法保存" in body["message"]
    r = call(client, policy_world.users["enterprise_a"], "put", "/policy-clauses/DB-3-5", {"title": "x"})
    assert r.status_code == 403


def test_budget_is_set_and_cleared_through_the_api(client, policy_world):
    coordinator = policy_world.users["coordinator"]
    r = call(client, coordinator, "put", "/policy-clauses/DB-3-6", {"budget": "600000.50"})
    assert r.status_code == 200 and Decimal(r.json()["budget"]) == Decimal("600000.50")
    r = call(client, coordinator, "put", "/policy-clauses/DB-3-6", {"budget": "-1"})
    assert r.status_code == 422
    r = call(client, coordinator, "put", "/policy-clauses/DB-3-6", {"clear_budget": True})
    assert r.status_code == 200 and r.json()["budget"] is None


def test_standing_tells_the_enterprise_what_it_qualifies_for_and_what_is_missing(client, policy_world):
    r = call(client, policy_world.users["enterprise_a"], "get", "/policy-standing?year=2021")
    assert r.status_code == 200
    by_code = {row["clause"]["code"]: row for row in r.json()}
    assert by_code["DB-3-2"]["status"] == "eligible" and by_code["DB-3-2"]["amount_needs_inputs"]
    stamp = by_code["DB-3-14-STAMP"]
    assert stamp["status"] == "undecided"
    assert stamp["missing_facts"] == [{"name": "headquartered_locally", "label": "兼并重组后总部在本市"}]
    b = call(client, policy_world.users["enterprise_b"], "get", "/policy-standing?year=2021").json()
    consulting = next(row for row in b if row["clause"]["code"] == "DB-3-2")
    assert consulting["status"] == "not_eligible"
    assert consulting["checks"][0]["holds"] is False and "否" in consulting["checks"][0]["seen"]


def test_staff_read_standing_only_of_enterprises_in_scope(client, policy_world):
    r = call(
        client,
        policy_world.users["town_a"],
        "get",
        f"/policy-standing?year=2026&enterprise={policy_world.b.uscc}",
    )
    assert r.status_code == 404
    r = call(
        client,
        policy_world.users["town_a"],
        "get",
        f"/policy-standing?year=2026&enterprise={policy_world.a.uscc}",
    )
    assert r.status_code == 200 and r.json()[0]["amount"] == "1000000.00"


def test_application_through_the_api_with_idempotency_and_scoped_reads(client, policy_world):
    body = {"clause_code": "DB-3-2", "year": 2021, "inputs": {"consulting_fees": 800000}}
    first = call(
        client,
        policy_world.users["enterprise_a"],
        "post",
        "/policy-applications",
        body,
        HTTP_IDEMPOTENCY_KEY="x1",
    )
    again = call(
        client,
        policy_world.users["enterprise_a"],
        "post",
        "/policy-applications",
        body,
        HTTP_IDEMPOTENCY_KEY="x1",
    )
    assert (first.status_code, again.status_code) == (201, 200)
    number = first.json()["number"]
    assert first.json()["computed_max"] == "400000.00"
    assert Application.objects.count() == 1
    assert (
        call(client, policy_world.users["enterprise_b"], "get", f"/policy-applications/{number}").status_code
        == 404
    )
    assert (
        call(client, policy_world.other_handler, "get", f"/policy-applications/{number}").status_code == 404
    )
    r = call(
        client,
        policy_world.miit_handler,
        "post",
        f"/policy-applications/{number}/approve",
        {"amount": "400000.01"},
    )
    assert r.status_code == 422 and r.json()["field"] == "amount"
    r = call(
        client,
        policy_world.miit_handler,
        "post",
        f"/policy-applications/{number}/approve",
        {"amount": "400000"},
    )
    assert r.status_code == 200 and r.json()["state"] == "approved"
    listed = call(client, policy_world.users["enterprise_a"], "get", "/policy-applications").json()
    assert listed["count"] == 1


def test_bad_application_input_answers_422_in_both_languages(client, policy_world):
    body = {"clause_code": "DB-3-2", "year": 2021, "inputs": {"consulting_fees": "很多"}}
    r = call(client, policy_world.users["enterprise_a"], "post", "/policy-applications", body)
    assert r.status_code == 422
    assert r.json()["field"] == "consulting_fees" and r.json()["message_en"] and r.json()["message"]
    assert not Application.objects.exists()


def test_match_offer_confirm_batch_and_export(client, policy_world):
    coordinator = policy_world.users["coordinator"]
    assert (
        call(
            client,
            policy_world.users["enterprise_a"],
            "post",
            "/policy-matches/run",
            {"period": "2026-06-30"},
        ).status_code
        == 403
    )
    r = call(client, coordinator, "post", "/policy-matches/run", {"period": "2026-06-30"})
    assert r.status_code == 202 and r.json()["state"] == "queued"  # the worker runs it
    run_worker_once()
    job = call(client, coordinator, "get", f"/jobs/{r.json()['id']}").json()
    assert job["state"] == "done" and job["result"]["eligible"] == 1
    stats = call(client, coordinator, "get", "/policy-clause-stats?year=2026").json()
    rd = next(s for s in stats if s["code"] == "INNOV-RD")
    assert rd["eligible"] == 1 and Decimal(rd["potential_total"]) == 1_000_000
    own = call(client, policy_world.users["enterprise_b"], "get", "/policy-clause-stats?year=2026").json()
    assert next(s for s in own if s["code"] == "INNOV-RD")["eligible"] == 0  # its own enterprise only
    r = call(client, coordinator, "post", "/grant-offers/run", {"period": "2026-06-30"})
    assert r.status_code == 202
    run_worker_once()
    assert call(client, coordinator, "get", f"/jobs/{r.json()['id']}").json()["result"]["created"] == 1
    number = GrantOffer.objects.get().number
    account = {
        "bank_name": "中国银行东莞分行",
        "account_name": policy_world.a.name,
        "account_number": "6217850000001234567",
    }
    r = call(client, policy_world.users["enterprise_a"], "post", f"/grant-offers/{number}/confirm", account)
    assert (
        r.status_code == 200
        and r.json()["state"] == "confirmed"
        and r.json()["account_number_tail"] == "4567"
    )
    assert (
        call(client, policy_world.users["enterprise_b"], "get", f"/grant-offers/{number}").status_code == 404
    )
    r = call(client, coordinator, "post", "/disbursements")
    assert r.status_code == 201 and r.json()["offer_count"] == 1
    batch = r.json()["number"]
    r = call(client, coordinator, "get", f"/disbursements/{batch}.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        call(client, policy_world.users["enterprise_a"], "get", f"/disbursements/{batch}.xlsx").status_code
        == 404
    )
    r = call(client, coordinator, "post", f"/disbursements/{batch}/paid")
    assert r.json()["paid_at"]
    assert (
        call(client, policy_world.users["enterprise_a"], "get", f"/grant-offers/{number}").json()["state"]
        == "paid"
    )


def test_pack_import_and_export_round_trip(client, policy_world):
    text = call(
        client, policy_world.users["coordinator"], "get", "/policy-packs/dongguan-doubling"
    ).content.decode()
    assert "东府办〔2017〕11号" in text
    r = call(client, policy_world.users["coordinator"], "post", "/policy-packs", {"yaml": text})
    assert r.status_code == 201 and r.json()["version"] == 1
    r = call(
        client,
        policy_world.users["city_handler"],
        "post",
        "/policy-packs",
        {"yaml": text},
    )
    assert r.status_code == 403


def test_application_files_are_added_by_the_enterprise_and_read_only_in_scope(client, policy_world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = {"clause_code": "DB-3-2", "year": 2021, "inputs": {"consulting_fees": 800000}}
    number = call(client, policy_world.users["enterprise_a"], "post", "/policy-applications", body).json()[
        "number"
    ]
    upload = SimpleUploadedFile("咨询合同.pdf", b"%PDF-1.4 contract", content_type="application/pdf")
    r = client.post(f"/api/v1/policy-applications/{number}/attachments", {"file": upload})
    assert r.status_code == 201
    file_id = r.json()["id"]
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    assert client.post(f"/api/v1/policy-applications/{number}/attachments", {"file": bad}).status_code == 415
    path = f"/policy-applications/{number}/attachments/{file_id}"
    assert (
        b"".join(call(client, policy_world.miit_handler, "get", path).streaming_content)
        == b"%PDF-1.4 contract"
    )
    assert call(client, policy_world.users["enterprise_b"], "get", path).status_code == 404
    assert call(client, policy_world.other_handler, "get", path).status_code == 404
    late = SimpleUploadedFile("补充.pdf", b"%PDF-1.4 more", content_type="application/pdf")
    call(
        client,
        policy_world.miit_handler,
        "post",
        f"/policy-applications/{number}/reject",
        {"reason": "材料不全"},
    )
    client.force_login(policy_world.users["enterprise_a"])
    assert client.post(f"/api/v1/policy-applications/{number}/attachments", {"file": late}).status_code == 409
