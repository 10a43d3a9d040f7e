"""The briefing's targets, warnings and doubling-programme sections: the generated Word and PDF state
the figures of the data (targets of the city and the towns against the actuals, open warnings by kind
and level, pilots against their base and the evaluation's outcomes)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from tests.factories import EnterpriseFactory
from tests.monitoring.conftest import monthly
from zhuqi.briefings import selectors, services
from zhuqi.core import jobs
from zhuqi.directory.models import IndicatorValue
from zhuqi.monitoring import actuals, targets
from zhuqi.monitoring.models import Warning
from zhuqi.programs.evaluation_models import Evaluation, EvaluationItem
from zhuqi.programs.models import Pilot, Programme

pytestmark = pytest.mark.django_db
SHAPE = [6, 5, 8, 8, 8, 9, 9, 8, 9, 9, 10, 11]


def _warning(w, kind, level, n, state="new"):
    Warning.objects.create(
        kind=kind,
        subject_type="directory.enterprise",
        subject_id=n,
        period="2026",
        level=level,
        text="测试预警",
        since=date(2026, 9, 1),
        town=w.towns[0],
        state=state,
        seen_at=timezone.now(),
    )


def _pilot(programme, department, base, value, state="active"):
    enterprise = EnterpriseFactory()
    for year, amount in ((2016, base), (2019, value)):
        if amount is not None:
            IndicatorValue.objects.create(
                enterprise=enterprise,
                indicator="main_revenue",
                period_type="year",
                year=year,
                value=Decimal(amount),
                source="stats",
                verified=True,
            )
    return Pilot.objects.create(
        programme=programme,
        enterprise=enterprise,
        enterprise_class="private_mfg",
        department=department,
        commitment_years=3,
        start_year=2017,
        state=state,
        since=date(2017, 3, 1),
    )


def _item(evaluation, pilot, decision):
    EvaluationItem.objects.create(
        evaluation=evaluation,
        pilot=pilot,
        base_year=2016,
        years=3,
        commitment_years=3,
        needed_ratio=Decimal(2),
        proposal=decision,
        reason="on_path" if decision == "keep" else "slow",
        decision=decision,
    )


@pytest.fixture
def city(world):
    """2026 revenue to October: enterprise a (长安镇) 1,000,000 × the shape a month, b (虎门镇) half.
    Targets of 120,000,000 (even) for the city and for 长安镇: by September 90,000,000 each, against
    105,000,000 (city, green) and 70,000,000 (长安镇, red). Open warnings: two red 营收下降 (one
    acknowledged) and a yellow 目标未完成; a handled one not counted. Three pilots of a 3-year commitment
    from their 2016 base: one doubled (1亿 → 2亿), one slow (1亿 → 1.1亿), one without figures; the
    2019 evaluation kept one and replaced one."""
    w = world
    monthly(w.a, "revenue", 2026, [s * 1_000_000 for s in SHAPE[:10]])
    monthly(w.b, "revenue", 2026, [s * 500_000 for s in SHAPE[:10]])
    actuals.refresh([2026])
    office = w.users["coordinator"]
    for town in (None, w.towns[0]):
        targets.target_set(
            acting_user=office,
            measure="revenue",
            year=2026,
            town=town,
            annual=Decimal(120_000_000),
            method="even",
        )
    _warning(w, "figure_fall", "red", 1)
    _warning(w, "figure_fall", "red", 2, state="acknowledged")
    _warning(w, "target_missed", "yellow", 3)
    _warning(w, "target_missed", "red", 4, state="handled")
    programme = Programme.objects.create(code="dg-2017", name="东莞市倍增计划")
    doubled = _pilot(programme, w.city_dept, 100_000_000, 200_000_000)
    slow = _pilot(programme, w.city_dept, 100_000_000, 110_000_000, state="probation")
    _pilot(programme, w.city_dept, None, None)
    evaluation = Evaluation.objects.create(
        programme=programme, year=2019, state="approved", run_at=timezone.now()
    )
    _item(evaluation, doubled, "keep")
    _item(evaluation, slow, "replace")
    return w


def _generate(w, kind="quarterly", period="2026Q3"):
    briefing = services.briefing_request(kind=kind, period=period, acting_user=w.users["coordinator"])
    assert jobs.run_pending() == 1
    briefing.refresh_from_db()
    assert briefing.state == "ready", briefing.job.message
    return briefing


def _docx(w, briefing):
    path = selectors.briefing_file(w.users["coordinator"], briefing.pk, "docx")[0]
    document = Document(io.BytesIO(path.read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    return [p.text for p in document.paragraphs], text, rows


def _pdf(w, briefing):
    path = selectors.briefing_file(w.users["coordinator"], briefing.pk, "pdf")[0]
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def test_the_quarterly_briefing_states_targets_warnings_and_the_programme(city, data_dir):
    w = city
    briefing = _generate(w)
    paragraphs, text, rows = _docx(w, briefing)
    headings = [
        "一、经济运行情况",
        "二、目标任务完成情况",
        "三、倍增计划推进情况",
        "四、企业诉求办理情况",
        "五、预警处置情况",
        "六、企业评价和考评情况",
        "七、下一步工作",
    ]
    assert [p for p in paragraphs if p in headings] == headings

    # Targets: the city 1.05亿元 of 0.90亿元 by September (116.7%, on track), 长安镇 0.70亿元 (77.8%, behind).
    assert ["营业收入", "1.20亿元", "1—9月", "0.90亿元", "1.05亿元", "116.7%", "达到进度"] in rows
    assert ["长安镇", "营业收入", "1.20亿元", "0.90亿元", "0.70亿元", "77.8%", "明显落后"] in rows
    assert "达到时序进度的1项，略低于进度的0项，明显落后的1项" in text and "进度落后的：长安镇。" in text

    # Warnings: three open (two red, one yellow), one not yet acknowledged of the red; the handled one not counted.
    assert "共有未处置预警3条，其中严重（红色）2条、关注（黄色）1条、临近（蓝色）0条；尚未签收的2条" in text
    assert ["营收或税收下滑", "2", "2", "0", "0", "1"] in rows
    assert ["月度目标未达进度", "1", "0", "1", "0", "0"] in rows

    # The programme: two current pilots (one on probation); 2019 main revenue 3.10亿 of a 2.00亿 base.
    assert "现有试点企业3家（其中保留一年观察1家）" in text
    assert (
        "2019年，有数据的2家试点企业主营业务收入合计3.10亿元，为基期2.00亿元的1.55倍" in text
        and "可测算的2家中，营收或税收达到倍增路径的1家，落后于路径的1家，主营业务收入已翻番的1家" in text
    )
    assert "2019年度评估（市政府已审定）共评估试点企业2家：继续保留1家，淘汰替换1家。" in text
    assert briefing.figures["targets"] == {"green": 1, "yellow": 0, "red": 1}
    assert briefing.figures["open_warnings"] == {"total": 3, "red": 2, "yellow": 1, "blue": 0}
    assert briefing.figures["pilots"] == 3

    flat = _pdf(w, briefing)
    for heading in headings:
        assert heading in flat
    for stated in (
        "共有未处置预警3条，其中严重（红色）2条",
        "主营业务收入合计3.10亿元，为基期2.00亿元的1.55倍",
        "进度落后的：长安镇。",
    ):
        assert stated in flat


def test_the_monthly_briefing_has_no_programme_section_and_reads_its_month(city, data_dir):
    w = city
    briefing = _generate(w, kind="monthly", period="2026M10")
    paragraphs, text, rows = _docx(w, briefing)
    assert "三、企业诉求办理情况" in paragraphs and not any("倍增计划推进" in p for p in paragraphs)
    # By October: 1亿 of target against 0.79亿 + 0.395亿 actual for the city.
    assert ["营业收入", "1.20亿元", "1—10月", "1.00亿元", "1.19亿元", "118.5%", "达到进度"] in rows


def test_without_targets_warnings_or_pilots_the_sections_say_so(world, data_dir):
    briefing = _generate(world)
    _paragraphs, text, _rows = _docx(world, briefing)
    assert "2026年度目标尚未下达。" in text
    assert "预警中心无未处置预警。" in text
    assert "尚未确定试点企业。" in text
