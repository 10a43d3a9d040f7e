"""Excel files of the pools, the lists, the key lists and the gaps (through core/tabular.py); each
runs as a background job (jobs.py) over exactly what its owner may see, with the page's filters."""

import polars as pl
from django.utils import translation
from django.utils.translation import gettext as _

from zhuqi.core import formats
from zhuqi.core.tabular import write_xlsx
from zhuqi.cultivation import proposals, selectors
from zhuqi.cultivation.models import ListKind, PoolKind
from zhuqi.directory.models import Enterprise
from zhuqi.directory.selectors import enterprises_visible_to


def members(
    user, *, kind: str, year: int, state: str = "", town: str = "", q: str = "", progress=None
) -> bytes:
    rows = selectors.memberships(user, kind=kind, year=year, state=state, town=town, q=q)
    total = rows.count()
    with translation.override("zh-hans"):
        headers = [
            _("Enterprise"),
            _("Unified social credit code"),
            _("Town"),
            _("State"),
            _("Rank"),
            _("Entered on"),
            _("Reason of entry"),
            _("Left on"),
            _("Reason of leaving"),
            _("Responsible department"),
            _("Helper (服务专员)"),
            _("Run rate"),
            _("Threshold"),
            _("Help recorded"),
        ]

        def lines():
            for done, m in enumerate(rows.iterator(chunk_size=1000), start=1):
                if progress and done % 1000 == 0:
                    progress(done, total)
                yield [
                    m.enterprise.name,
                    m.enterprise.uscc,
                    m.enterprise.town.name,
                    m.get_state_display(),
                    m.rank,
                    m.entered_on,
                    m.entry_reason,
                    m.exited_on,
                    m.exit_reason,
                    str(m.department or ""),
                    str(m.helper or ""),
                    m.facts.get("run_rate"),
                    m.facts.get("threshold"),
                    m.help_count,
                ]

        return write_xlsx(str(PoolKind(kind).label)[:31], headers, lines())


def key_list(user, *, kind: str, year: int) -> bytes:
    found = selectors.key_list_get(user, kind, year)
    entries = selectors.key_list_entries(user, found)
    if kind == ListKind.PROJECTS:
        return _project_list(entries, year)
    with translation.override("zh-hans"):
        headers = [
            _("Rank"),
            _("Enterprise"),
            _("Unified social credit code"),
            _("Town"),
            _("State"),
            _("Score"),
            _("Reason"),
        ]
        rows = (
            [
                e.rank,
                e.enterprise.name,
                e.enterprise.uscc,
                e.enterprise.town.name,
                e.get_state_display(),
                e.score,
                e.reason,
            ]
            for e in entries
        )
        return write_xlsx(f"{year}", headers, rows)


def _project_list(entries, year: int) -> bytes:
    with translation.override("zh-hans"):
        headers = [
            _("Rank"),
            _("Project number"),
            _("Key project"),
            _("Enterprise"),
            _("Town"),
            _("Total investment (yuan)"),
            _("Stage"),
            _("State"),
            _("Reason"),
        ]
        rows = (
            [
                e.rank,
                e.project.number,
                e.project.name,
                e.project.enterprise.name if e.project.enterprise_id else "",
                e.project.town.name,
                e.project.investment,
                e.project.get_stage_display(),
                e.get_state_display(),
                e.reason,
            ]
            for e in entries.iterator(chunk_size=1000)
        )
        return write_xlsx(f"{year}", headers, rows)


def gaps(user, *, kind: str, year: int) -> bytes:
    """Enterprises a pool's rule cannot decide (a fact is missing), with the facts they lack: the
    candidates who could qualify once the figure is reported."""
    evaluated = proposals.evaluate(year)
    code = proposals.POOL_CLAUSES[kind]
    pack = proposals.facts.pack()
    clause = pack.clause(code)
    names = sorted(n for n in clause.condition.names() if n in pack.facts and n in evaluated.columns)
    undecided = evaluated.filter(pl.col(f"{code}:unknown"))
    visible = set(
        enterprises_visible_to(user)
        .filter(pk__in=undecided["enterprise_id"].to_list())
        .values_list("pk", flat=True)
    )
    undecided = undecided.filter(pl.col("enterprise_id").is_in(list(visible)))
    firms = {e.pk: e for e in Enterprise.objects.filter(pk__in=list(visible)).select_related("town")}
    with translation.override("zh-hans"):
        headers = [_("Enterprise"), _("Unified social credit code"), _("Town"), _("Missing facts")]

        def lines():
            for row in undecided.iter_rows(named=True):
                e = firms[row["enterprise_id"]]
                missing = "、".join(pack.facts[n].label for n in names if row.get(n) is None)
                yield [e.name, e.uscc, e.town.name, missing]

        return write_xlsx(str(PoolKind(kind).label)[:31], headers, lines())


def money(value) -> str:
    return formats.money(value)
