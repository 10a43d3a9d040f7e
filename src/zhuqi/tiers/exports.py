"""Excel files of the recognitions and of a year's candidates, over exactly what the owner may see,
with the page's filters. Each runs as a background job (jobs.py: `export.tiers`), as
`export.warnings` does in monitoring: the lists grow with the city."""

from django.utils import timezone

from zhuqi.core import tabular
from zhuqi.tiers import assessment, selectors

RECOGNITION_HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "梯度",
    "级别",
    "认定文件",
    "认定日期",
    "有效期至",
    "撤销日期",
    "撤销原因",
]
CANDIDATE_HEADERS = ["统一社会信用代码", "企业名称", "梯度", "结果", "评价得分", "所缺条件", "待补事实"]


def _every(rows, total: int, progress):
    for n, row in enumerate(rows.iterator(chunk_size=1000), start=1):
        if progress and n % 1000 == 0:
            progress(n, total)
        yield row


def recognitions(user, *, tier="", level="", q="", state="", progress=None) -> tuple[bytes, int]:
    rows = selectors.recognition_list(
        user, tier=tier, level=level, q=q, state=state, today=timezone.localdate()
    )
    total = rows.count()
    lines = (
        (
            r.enterprise.uscc,
            r.enterprise.name,
            str(r.get_tier_display()),
            str(r.get_level_display()),
            r.document,
            r.recognised_on,
            r.expires_on,
            r.revoked_on,
            r.revoked_reason,
        )
        for r in _every(rows, total, progress)
    )
    return tabular.write_xlsx("梯度认定", RECOGNITION_HEADERS, lines), total


def requirement_labels() -> dict[str, dict[str, str]]:
    return {
        tier: {n: d.label for n, d in pack.derived.items() if n.startswith("req_")}
        for tier, pack in assessment.all_packs().items()
    }


def fact_label(tier: str, name: str) -> str:
    fact = assessment.pack_of(tier).facts.get(name)
    return fact.label if fact else name


def candidates(user, *, year: int, tier="", outcome="", q="", progress=None) -> tuple[bytes, int]:
    rows = selectors.candidate_list(user, selectors.latest_run(year), tier=tier, outcome=outcome, q=q)
    total = rows.count()
    labels = requirement_labels()
    lines = (
        (
            a.enterprise.uscc,
            a.enterprise.name,
            str(a.get_tier_display()),
            str(a.get_outcome_display()),
            a.score,
            "；".join(labels[a.tier].get(r, r) for r in a.lacking),
            "；".join(fact_label(a.tier, m) for m in a.missing),
        )
        for a in _every(rows, total, progress)
    )
    return tabular.write_xlsx(f"{year}年梯度候选", CANDIDATE_HEADERS, lines), total
