"""The key project API: list with colours, create, advance, report, problem."""

import pytest

pytestmark = pytest.mark.django_db


def test_create_advance_report_and_raise_a_problem(client, world, categories):
    client.force_login(world.users["city_handler"])
    created = client.post(
        "/api/v1/projects",
        {
            "name": "智能装备扩产项目",
            "town_code": "changan",
            "investment": "150000000",
            "enterprise_uscc": world.a.uscc,
            "department_code": "miit",
            "planned_dates": {"signed": "2026-02-01", "landed": "2026-03-01"},
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    number = created.json()["number"]
    assert created.json()["status"]["level"] == "red"  # 签约 planned for 1 February, not reached
    advanced = client.post(f"/api/v1/projects/{number}/advance", {}, content_type="application/json")
    assert advanced.json()["stage"] == "signed"
    report = client.post(
        f"/api/v1/projects/{number}/reports",
        {"year": 2026, "month": 3, "actual": "1000000.00", "progress": "场地平整"},
        content_type="application/json",
    )
    assert report.status_code == 200 and report.json()["months"][0]["actual"] == "1000000.00"
    problem = client.post(
        f"/api/v1/projects/{number}/problems",
        {"title": "用地报批慢", "description": "两个月未批复。", "category_code": "land"},
        content_type="application/json",
    )
    assert problem.status_code == 201
    assert client.get(f"/api/v1/projects/{number}").json()["appeals"] == [problem.json()["appeal"]]
    listing = client.get("/api/v1/projects").json()
    assert listing["count"] == 1 and listing["items"][0]["number"] == number
    client.force_login(world.users["enterprise_b"])
    assert client.get(f"/api/v1/projects/{number}").status_code == 404
    assert client.get("/api/v1/projects").json()["count"] == 0


def test_bad_inputs_are_refused_before_anything_runs(client, world):
    client.force_login(world.users["coordinator"])
    bad = client.post(
        "/api/v1/projects",
        {"name": "x", "town_code": "changan", "investment": "1e30"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert client.get("/api/v1/projects?page_size=5000").status_code == 422
