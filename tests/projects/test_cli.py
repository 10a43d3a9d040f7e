import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def test_projects_list_status_and_export(world, make_project, tmp_path):
    late = make_project()
    out = io.StringIO()
    call_command("projects", "list", "--late", stdout=out)
    assert late.number in out.getvalue() and "\tred\t" in out.getvalue()
    out = io.StringIO()
    call_command("projects", "status", stdout=out)
    assert "谋划\t1" in out.getvalue()
    target = tmp_path / "projects.xlsx"
    call_command("projects", "export", str(target), stdout=io.StringIO())
    rows = list(load_workbook(target).active.values)
    assert rows[1][0] == late.number and rows[1][4] == 150000000
