"""The sections a briefing may hold, in the order the office chooses (page 通报 › 模板): each a heading
(numbered 一、二、… in the order chosen) and a part of the document's template."""

SECTIONS = {
    "economy": "经济运行情况",
    "targets": "目标任务完成情况",
    "programme": "倍增计划推进情况",
    "appeals": "企业诉求办理情况",
    "warnings": "预警处置情况",
    "assessment": "企业评价和考评情况",
    "next": "下一步工作",
}
DEFAULTS = {
    "quarterly": ["economy", "targets", "programme", "appeals", "warnings", "assessment", "next"],
    "monthly": ["economy", "targets", "appeals", "warnings", "assessment", "next"],
    "half_yearly": ["economy", "targets", "appeals", "warnings", "assessment", "next"],
}
NUMERALS = "一二三四五六七八九十"
DEFAULT_ISSUER = "东莞市倍增计划工作领导小组办公室"


def chosen(codes) -> list[dict]:
    """The sections as the document template reads them: code, numbered heading, its part."""
    return [
        {
            "code": code,
            "heading": f"{NUMERALS[i]}、{SECTIONS[code]}",
            "template": f"briefings/docs/_{code}.html",
        }
        for i, code in enumerate(codes)
    ]
