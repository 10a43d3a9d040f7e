"""The office edits a briefing kind's template on a page (sections and their order, title, issuing
office, 文号 abbreviation): validated, audited, offered only to those who make briefings; the next
briefing follows it, and the API reads and sets the same."""

import io

import pytest
from docx import Document

from zhuqi.briefings import selectors, services
from zhuqi.briefings.models import Template
from zhuqi.core import jobs
from zhuqi.core.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/briefings/templates/monthly/"


def _form(**extra):
    # 下一步工作 first, then 企业诉求办理情况; the rest left out.
    return {"s_next": "1", "o_next": "1", "s_appeals": "1", "o_appeals": "2", "o_targets": "3"} | extra


def test_the_office_chooses_sections_order_title_and_issuer_and_the_briefing_follows(world, client, data_dir):
    office = world.users["coordinator"]
    client.force_login(office)
    page = client.get("/briefings/templates/")
    assert page.status_code == 200 and URL.encode() in page.content
    assert "经济运行情况" in client.get(URL).content.decode()
    got = client.post(
        URL,
        _form(title="关于{期间}企业服务情况的通报", issuer="东莞市企业服务中心", number_prefix="东企服"),
    )
    assert got.status_code == 302
    found = Template.objects.get(kind="monthly")
    assert found.sections == ["next", "appeals"] and found.version == 1 and found.body == ""
    event = AuditEvent.objects.get(verb="briefing_template_set", object_id=str(found.pk))
    assert event.data["sections"] == ["next", "appeals"] and event.data["issuer"] == "东莞市企业服务中心"

    briefing = services.briefing_request(kind="monthly", period="2026M10", acting_user=office)
    assert briefing.title == "关于2026年10月企业服务情况的通报" and briefing.number.startswith("东企服〔")
    assert jobs.run_pending() == 1
    path = selectors.briefing_file(office, briefing.pk, "docx")[0]
    paragraphs = [p.text for p in Document(io.BytesIO(path.read_bytes())).paragraphs]
    headings = [p for p in paragraphs if p[:2] in ("一、", "二、", "三、")]
    assert headings == ["一、下一步工作", "二、企业诉求办理情况"]
    assert "东莞市企业服务中心" in paragraphs and not any(p.endswith("经济运行情况") for p in paragraphs)
    # The page shows what is set, in that order.
    text = client.get(URL).content.decode()
    assert text.index("下一步工作") < text.index("企业诉求办理情况") < text.index("经济运行情况")


@pytest.mark.parametrize(
    "form",
    [
        {"o_next": "1"},  # no section ticked
        _form(title="<b>通报</b>"),
        _form(issuer="办" * 61),
        _form(title="关于{year}的通报"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_changes(world, client, form):
    client.force_login(world.users["coordinator"])
    got = client.post(URL, form)
    assert got.status_code == 200 and 'role="alert"' in got.content.decode()
    assert (
        not Template.objects.exists() and not AuditEvent.objects.filter(verb="briefing_template_set").exists()
    )


def test_only_those_who_make_briefings_edit_templates(world, client):
    for name in ("city_handler", "town_a", "enterprise_a", "leader_a"):
        client.force_login(world.users[name])
        assert client.get(URL).status_code == 404
        assert client.post(URL, _form()).status_code == 404
        assert client.get("/briefings/templates/").status_code == 404
    assert not Template.objects.exists()


def test_the_api_reads_and_sets_the_same_settings(world, client):
    client.force_login(world.users["coordinator"])
    api = "/api/v1/briefing-templates/quarterly/settings"
    shipped = client.get(api).json()
    assert shipped["sections"][:3] == ["economy", "targets", "programme"] and shipped["version"] == 0
    got = client.put(
        api, {"sections": ["programme", "targets"], "issuer": "市倍增办"}, content_type="application/json"
    )
    assert got.status_code == 200 and got.json()["sections"] == ["programme", "targets"]
    assert got.json()["title"] == "关于{期间}倍增计划工作进展情况的通报"  # blank: the shipped title
    bad = client.put(api, {"sections": ["programme", "nonsense"]}, content_type="application/json")
    assert bad.status_code == 422
    assert client.get(api).json()["sections"] == ["programme", "targets"]
    client.force_login(world.users["city_handler"])
    assert client.get(api).status_code == 403
