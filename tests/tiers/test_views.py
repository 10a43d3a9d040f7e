import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.factories import RecognitionFactory
from tests.job_helpers import cells, page_export
from tests.tiers.conftest import innovative_enterprise
from zhuqi.core.models import Job
from zhuqi.tiers import assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiered(world):
    RecognitionFactory(
        enterprise=world.a,
        tier="innovative",
        level="provincial",
        recognised_on=date(2024, 3, 1),
        expires_on=date(2027, 2, 28),
    )
    RecognitionFactory(
        enterprise=world.b,
        tier="specialised",
        level="provincial",
        recognised_on=date(2023, 12, 1),
        expires_on=date(2026, 11, 30),
    )
    innovative_enterprise(enterprise=world.a, facts={"segment_years": 3})
    assessment.assess(year=2025, day=date(2025, 6, 30))
    return world


def test_overview_lists_recognitions_in_scope(client, tiered):
    client.force_login(tiered.users["coordinator"])
    page = client.get("/tiers/").content.decode()
    assert tiered.a.name in page and tiered.b.name in page
    client.force_login(tiered.users["town_a"])  # 长安镇 sees its own enterprise only
    page = client.get("/tiers/").content.decode()
    assert tiered.a.name in page and tiered.b.name not in page


def test_candidates_show_what_is_lacking_and_export(client, tiered):
    client.force_login(tiered.users["coordinator"])
    page = client.get("/tiers/candidates/?year=2025&tier=specialised").content.decode()
    assert tiered.a.name in page and "专精特新评价得分" in page  # the province's score is the gap
    assert client.get("/tiers/candidates/export/?year=2025").status_code == 405  # a job, started by POST
    content = page_export(client, "tiers:candidates_export", {"year": 2025, "tier": "specialised"})
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("统一社会信用代码", "企业名称") and any(tiered.a.name in row for row in rows[1:])


def test_the_recognitions_export_is_a_job_over_what_the_owner_sees(client, tiered):
    client.force_login(tiered.users["town_a"])  # 长安镇: its own enterprise only
    content = page_export(client, "tiers:recognitions_export", {"tier": "innovative"})
    names = cells(content)
    assert tiered.a.name in names and tiered.b.name not in names
    before = Job.objects.count()
    refused = client.post("/tiers/export/?tier=nonsense")  # a bad filter: refused, no job
    assert refused["Location"] == "/tiers/" and Job.objects.count() == before


def test_the_enterprise_sees_its_tier_the_next_and_what_it_lacks(client, tiered):
    client.force_login(tiered.users["enterprise_a"])
    page = client.get("/tiers/mine/").content.decode()
    assert "创新型中小企业" in page and "专精特新中小企业" in page
    assert "从事特定细分市场2年以上" in page  # a requirement listed
    home = client.get("/").content.decode()
    assert 'id="my-tier"' in home and "专精特新中小企业" in home
    assert client.get(f"/tiers/enterprises/{tiered.b.pk}/").status_code == 404  # not its own
    assert client.get("/tiers/candidates/").status_code == 404


def test_the_trace_of_the_innovative_tier_shows_points_groups_and_routes(client, world):
    innovative_enterprise(enterprise=world.a)
    client.force_login(world.users["coordinator"])
    page = client.get(f"/tiers/enterprises/{world.a.pk}/").content.decode()
    for text in ("知识产权得分", "创新能力指标得分", "总分"):
        assert text in page


def test_the_office_records_a_recognition_from_the_page(client, world):
    client.force_login(world.users["coordinator"])
    r = client.post(
        f"/tiers/enterprises/{world.a.pk}/",
        {
            "tier": "innovative",
            "level": "provincial",
            "document": "粤工信〔2026〕5号",
            "recognised_on": "2026-03-01",
        },
    )
    assert r.status_code == 302 and world.a.recognitions.count() == 1
    client.force_login(world.users["town_a"])
    r = client.post(
        f"/tiers/enterprises/{world.a.pk}/",
        {"tier": "specialised", "level": "provincial", "document": "x", "recognised_on": "2026-03-01"},
    )
    assert r.status_code == 404 and world.a.recognitions.count() == 1
