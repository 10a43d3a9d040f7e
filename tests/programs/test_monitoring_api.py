"""The pilots' API: progress, reports and evaluations, scoped (404 outside), bounded (422)."""

import pytest

from tests.factories import UserFactory
from tests.programs.pilots_world import PilotsWorld, growth
from zhuqi.accounts.models import Role
from zhuqi.programs import monitoring_services as ms
from zhuqi.programs.evaluation_models import ReportingTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    world = PilotsWorld()
    world.a = world.pilot()
    world.series(world.a.enterprise, growth(100_000_000, 0.30), growth(5_000_000, 0.30))
    world.b = world.pilot(enterprise_class="foreign")
    world.series(world.b.enterprise, growth(100_000_000, 0.02), growth(5_000_000, 0.02))
    world.user_a = UserFactory(username="ent_a", role=Role.ENTERPRISE, enterprise=world.a.enterprise)
    return world


def test_progress_reports_and_the_evaluation_through_the_api(client, w):
    client.force_login(w.coordinator)
    rows = client.get("/api/v1/pilot-progress?year=2018").json()
    mine = next(r for r in rows if r["pilot_id"] == w.a.pk)
    assert mine["on_path"] is True and mine["needed_ratio"] == "1.5874"
    assert client.post(
        "/api/v1/pilot-reports",
        {"programme": w.programme.pk, "year": 2018, "half": 2},
        content_type="application/json",
    ).json() == {"count": 2}
    made = client.post(
        "/api/v1/pilot-evaluations",
        {"programme": w.programme.pk, "year": 2017},
        content_type="application/json",
    )
    assert made.status_code == 201 and set(made.json()["offered"]) == {"rerun", "propose"}
    pk = made.json()["id"]
    items = client.get(f"/api/v1/pilot-evaluations/{pk}/items").json()["items"]
    slow = next(i for i in items if i["pilot_id"] == w.b.pk)
    assert slow["decision"] == "probation"
    refused = client.post(
        f"/api/v1/pilot-evaluations/{pk}/propose", {"note": "会"}, content_type="application/json"
    )
    assert refused.status_code == 409 and refused.json()["code"] == "assessment_missing"
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhuqi.core.models import Attachment

    report = SimpleUploadedFile("评估报告.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    bad = client.post(
        f"/api/v1/pilot-evaluations/{pk}/items/{slow['id']}/assessment",
        {"assessment": "maybe", "file": report},
    )
    assert bad.status_code == 422 and not Attachment.objects.filter(object_type="evaluation_item").exists()
    report.seek(0)
    amended = client.post(
        f"/api/v1/pilot-evaluations/{pk}/items/{slow['id']}/assessment",
        {"assessment": "feasible", "assessment_note": "可行", "file": report},
    )
    assert amended.status_code == 200 and amended.json()["reason"] == "feasible"
    assert Attachment.objects.filter(object_type="evaluation_item", object_id=str(slow["id"])).count() == 1
    assert (
        client.post(
            f"/api/v1/pilot-evaluations/{pk}/propose", {"note": "会"}, content_type="application/json"
        ).json()["state"]
        == "proposed"
    )
    done = client.post(
        f"/api/v1/pilot-evaluations/{pk}/approve",
        {"note": "东府函〔2018〕1号", "on": "2018-02-20"},
        content_type="application/json",
    )
    assert done.json()["state"] == "approved"
    w.b.refresh_from_db()
    assert w.b.state == "probation"


def test_the_enterprise_reports_its_own_and_reads_nothing_else(client, w):
    ms.tasks_issue(programme=w.programme, year=2018, half=2, acting_user=w.coordinator)
    own, other = ReportingTask.objects.get(pilot=w.a), ReportingTask.objects.get(pilot=w.b)
    client.force_login(w.user_a)
    assert client.get(f"/api/v1/pilot-reports/{other.pk}").status_code == 404
    bad = client.post(
        f"/api/v1/pilot-reports/{own.pk}/submit",
        {"main_revenue": "1e30", "tax_paid": 1},
        content_type="application/json",
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/api/v1/pilot-reports/{own.pk}/submit",
        {"main_revenue": "219700000.00", "tax_paid": "10985000", "operating_status": "良好"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["state"] == "submitted"
    assert (
        client.post(
            "/api/v1/pilot-evaluations",
            {"programme": w.programme.pk, "year": 2017},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert [r["pilot_id"] for r in client.get("/api/v1/pilot-progress").json()] == [w.a.pk]
