"""`zhuqi programs …`: facts imported like indicators (checked first, nothing written on error), the
formal check, a draw re-run from its seed, and the Excel export of a list."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.programs.selection_world import experts
from zhuqi.core import tabular
from zhuqi.programs.models import EnterpriseFact, ReviewGroup

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("programs", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_facts_import_then_check_draw_and_export(sel, tmp_path):
    w = sel
    application = w.apply(w.a)
    w.apply(w.b)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "统一社会信用代码,事项,值,来源,日期\n"
        f"{w.a.uscc},环境信用评价等级,紫牌,市生态环境局,2016-12-31\n"
        f"{w.b.uscc},环境信用评价等级,黄牌,市生态环境局,2016-12-31\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        run("import-facts", str(bad))
    assert not EnterpriseFact.objects.exists()
    good = tmp_path / "good.csv"
    good.write_text(
        f"统一社会信用代码,事项,值,来源,日期\n{w.b.uscc},环境信用评价等级,黄牌,市生态环境局,2016-12-31\n",
        encoding="utf-8",
    )
    assert "1 facts recorded" in run("import-facts", str(good))
    run("import-facts", str(good))  # again: nothing changes
    assert EnterpriseFact.objects.count() == 1
    assert run("close", "--round", str(w.round.pk)).strip() == "review"
    run("check", "--round", str(w.round.pk))
    application.refresh_from_db()
    assert application.state == "in_review"
    experts(5)
    printed = run("draw", "--round", str(w.round.pk), "--size", "3", "--seed", "42")
    group = ReviewGroup.objects.get()
    assert "seed 42" in printed
    assert "the same" in run("redraw", "--group", str(group.pk))
    out = tmp_path / "checks.xlsx"
    run("export", "checks", "--round", str(w.round.pk), "-o", str(out))
    table = tabular.read_rows("checks.xlsx", out.read_bytes())
    assert len(table.rows) == 2 and "环境信用评价等级不为黄牌或红牌" in "".join(
        r["未满足的条件"] for _n, r in table.rows
    )
