"""Survey scores and assessments as .xlsx (the page's table, through core/tabular.py)."""

from zhuqi.assessment import selectors
from zhuqi.assessment.models import Assessment
from zhuqi.core.tabular import write_xlsx

PERCENT = "0.0%"


def scores_xlsx(user, campaign) -> bytes:
    table = selectors.score_table(user, campaign)
    headers = ["部门", "评价份数", "综合得分", *[a.name for a in table["aspects"]]]
    rows = ([str(r["department"]), r["answers"], r["score"], *r["aspects"]] for r in table["rows"])
    return write_xlsx("企业评价得分", headers, rows)


def assessment_xlsx(assessment: Assessment) -> bytes:
    headers = [
        "类别",
        "名次",
        "单位",
        "综合得分",
        "等次",
        "企业评价得分",
        "评价份数",
        "受理诉求",
        "办结率",
        "按时办结率",
        "满意率",
        "重办率",
    ]
    rows = (
        [
            r.get_subject_display(),
            r.rank,
            r.name,
            r.total,
            r.get_mark_display() if r.mark else "",
            r.survey_score,
            r.answers,
            r.appeals,
            r.resolution_rate,
            r.on_time_rate,
            r.satisfaction_rate,
            r.reopen_rate,
        ]
        for r in selectors.ranking(assessment)
    )
    formats = {8: PERCENT, 9: PERCENT, 10: PERCENT, 11: PERCENT}
    return write_xlsx(f"考评{assessment.period}", headers, rows, number_formats=formats)
