"""The briefing's Word and PDF files: sections, numbers from the KPI queries, Chinese fonts embedded."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from tests.assessment.conftest import appeal
from zhuqi.appeals import kpis
from zhuqi.appeals.models import Appeal
from zhuqi.briefings import content, selectors, services
from zhuqi.briefings.models import Briefing
from zhuqi.core import jobs
from zhuqi.core.errors import ZhuqiError

pytestmark = pytest.mark.django_db
NOW = timezone.localdate()
QUARTER = f"{NOW.year}Q{(NOW.month - 1) // 3 + 1}"
SECTIONS = [
    "一、经济运行情况",
    "二、目标任务完成情况",
    "三、倍增计划推进情况",
    "四、企业诉求办理情况",
    "五、预警处置情况",
    "六、企业评价和考评情况",
    "七、下一步工作",
]


@pytest.fixture
def appeals(categories):
    """Three appeals of the quarter: two closed satisfied, one still open: 办结率 66.7%."""
    w = categories
    appeal(w, w.cats.financing, handler="city_handler", rating="satisfied")
    appeal(w, w.cats.financing, handler="city_handler", rating="satisfied")
    appeal(w, w.cats.financing, handler="city_handler", rating=None)
    return w


def _generate(w, kind="quarterly", period=QUARTER) -> Briefing:
    briefing = services.briefing_request(kind=kind, period=period, acting_user=w.users["coordinator"])
    assert jobs.run_pending() == 1
    briefing.refresh_from_db()
    assert briefing.state == "ready", briefing.job.message
    return briefing


def _pdf_text(reader: PdfReader) -> str:
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def _fonts(reader: PdfReader) -> list[tuple[str, bool]]:
    """(font name, embedded) for every font the pages use."""
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            ).get("/FontDescriptor")
            embedded = descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found.append((str(font["/BaseFont"]), embedded))
    return found


def test_the_quarterly_briefing_in_word_and_pdf_states_the_same_figures(appeals, data_dir):
    w = appeals
    briefing = _generate(w)
    [expected] = kpis.compute(Appeal.objects.all(), "all")
    resolution = content.pct(expected["resolution_rate"])
    assert resolution == "66.7%"  # the KPI query's own figure, as the document writes it

    path, name, _type = selectors.briefing_file(w.users["coordinator"], briefing.pk, "docx")
    document = Document(io.BytesIO(path.read_bytes()))
    paragraphs = [p.text for p in document.paragraphs]
    text = "\n".join(paragraphs)
    assert paragraphs[0] == briefing.title and briefing.title.startswith("关于")
    assert paragraphs[1] == briefing.number and "〔" in briefing.number  # 文号
    for heading in SECTIONS:
        assert heading in paragraphs
    assert "（一）总体情况" in paragraphs
    assert (
        f"共受理企业诉求{expected['count']}件，已办结{expected['closed']}件，办结率{resolution}（目标97.0%）"
        in text
    )
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert str(w.city_dept) in cells and resolution in cells  # the department table
    assert document.inline_shapes  # the chart, an image

    pdf = PdfReader(
        io.BytesIO(selectors.briefing_file(w.users["coordinator"], briefing.pk, "pdf")[0].read_bytes())
    )
    flat = _pdf_text(pdf)
    assert briefing.title in flat  # Chinese extracted as text: every glyph came from a font that has it
    for heading in SECTIONS:
        assert heading in flat
    assert f"办结率{resolution}（目标97.0%）" in flat
    fonts = _fonts(pdf)
    assert fonts and all(embedded for _name, embedded in fonts)
    assert any("CJK" in name for name, _e in fonts)
    assert briefing.figures["resolution_rate"] == resolution and briefing.figures["appeals"] == 3


def test_the_briefing_runs_as_a_job_and_only_those_allowed_download_it(appeals, client):
    w = appeals
    briefing = services.briefing_request(kind="quarterly", period=QUARTER, acting_user=w.users["coordinator"])
    assert briefing.state == "queued" and briefing.job.kind == "briefing.generate"
    jobs.run_pending()
    client.force_login(w.users["enterprise_a"])
    assert client.get(f"/briefings/{briefing.pk}/file/pdf/").status_code == 404
    services.briefing_send(
        briefing=Briefing.objects.get(pk=briefing.pk),
        recipients=[w.users["enterprise_a"]],
        acting_user=w.users["coordinator"],
    )
    got = client.get(f"/briefings/{briefing.pk}/file/pdf/")
    assert got.status_code == 200 and b"".join(got.streaming_content)[:5] == b"%PDF-"
    client.force_login(w.users["city_handler"])
    assert client.get(f"/api/v1/briefings/{briefing.pk}/file?format=docx").status_code == 200
    assert client.get(f"/briefings/{briefing.pk}/").status_code == 200


def test_sending_tells_each_recipient_once_with_the_link(appeals):
    from zhuqi.core.models import OutboxMessage

    w = appeals
    briefing = _generate(w)
    people = [w.users["leader_a"], w.users["city_handler"]]
    assert (
        services.briefing_send(briefing=briefing, recipients=people, acting_user=w.users["coordinator"]) == 2
    )
    sent = OutboxMessage.objects.filter(key__startswith=f"briefing:{briefing.pk}:sent", channel="inapp")
    assert sent.count() == 2 and sent.first().link == f"/briefings/{briefing.pk}/"
    with pytest.raises(ZhuqiError):
        services.briefing_send(briefing=briefing, recipients=people, acting_user=w.users["city_handler"])


def test_the_office_edits_the_template(appeals):
    w = appeals
    body = '{% extends "briefings/docs/base.html" %}{% block body %}<h2>一、办结情况</h2><p>办结率{{ appeals.resolution_rate }}。</p>{% endblock %}'
    services.template_set(kind="quarterly", body=body, acting_user=w.users["coordinator"])
    briefing = _generate(w)
    path = selectors.briefing_file(w.users["coordinator"], briefing.pk, "docx")[0]
    paragraphs = [p.text for p in Document(io.BytesIO(path.read_bytes())).paragraphs]
    assert paragraphs[2:] == ["一、办结情况", "办结率66.7%。"]
    with pytest.raises(ZhuqiError) as refused:
        services.template_set(kind="quarterly", body="{% if %}", acting_user=w.users["coordinator"])
    assert refused.value.status == 422


def test_a_period_of_the_wrong_kind_is_refused(world):
    with pytest.raises(ZhuqiError) as refused:
        services.briefing_request(kind="quarterly", period="2026M10", acting_user=world.users["coordinator"])
    assert refused.value.status == 422
    assert not Briefing.objects.exists()


def test_an_unknown_kind_is_refused_naming_the_kinds_in_words(world):
    """The walk of 2026-12-06: 「通报类型须为：quarterly, monthly, half_yearly。」 showed the codes."""
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ZhuqiError) as refused:
        services.briefing_request(kind="", period="2026Q3", acting_user=world.users["coordinator"])
    with translation.override("zh-hans"):
        message = str(refused.value.message)
    assert refused.value.status == 422 and "quarterly" not in message
    assert (
        message == "通报类型须为：季度工作进展通报、月度经济运行和企业服务通报、半年企业服务和考评通报。"
    ), message


def test_the_cli_writes_both_files(appeals, tmp_path):
    call_command("report", "quarterly", "--period", QUARTER, "--out", str(tmp_path))
    assert (tmp_path / f"quarterly-{QUARTER}.docx").read_bytes()[:2] == b"PK"
    assert (tmp_path / f"quarterly-{QUARTER}.pdf").read_bytes()[:5] == b"%PDF-"
