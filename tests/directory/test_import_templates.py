"""Downloadable templates for every import kind: the columns and one example row that imports
cleanly as downloaded (checked with `zhuqi import KIND FILE --check`: zero errors)."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from zhuqi.directory import importers
from zhuqi.directory.models import Enterprise, ImportBatch, ServiceCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories(world):
    financing = ServiceCategory.objects.create(code="financing", name="融资")
    ServiceCategory.objects.create(code="financing.loan", name="贷款与贴息", parent=financing)
    world.city_dept.categories.add(financing)
    return world


def sheet(content: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


@pytest.mark.parametrize("kind", ImportBatch.Kind.values)
@pytest.mark.parametrize("role", ["coordinator", "town_a"])
def test_every_template_imports_cleanly_as_downloaded(client, categories, tmp_path, kind, role):
    user = categories.users[role]
    client.force_login(user)
    response = client.get(reverse("directory:import_template", args=[kind]))
    if kind not in dict(importers.kinds_for(user)):
        assert response.status_code == 404  # a town officer imports ledgers, not the directory
        return
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    rows = sheet(response.content)
    assert rows[0] == list(importers.KINDS[kind].headers) and len(rows) == 2
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(response.content)
    out = io.StringIO()
    call_command("import_file", kind, str(path), "--check", "--as", user.username, stdout=out)
    assert "1 rows, 1 valid, 0 errors." in out.getvalue(), out.getvalue()
    if kind == "appeals":
        assert (
            rows[1][0] in {e.uscc for e in Enterprise.objects.filter(town=user.town)} or role == "coordinator"
        )


def test_the_import_page_links_a_template_per_kind(client, categories):
    client.force_login(categories.users["coordinator"])
    page = client.get(reverse("directory:import_upload")).content.decode()
    for kind in ImportBatch.Kind.values:
        assert reverse("directory:import_template", args=[kind]) in page


def test_the_column_notes_read_as_chinese_with_full_width_punctuation(client, categories):
    """The walk of 2026-12-06: 「企业: 统一社会信用代码、镇街 (必填)」 and 「(必填; 代码…)」."""
    client.force_login(categories.users["coordinator"])
    page = client.get(reverse("directory:import_upload"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    notes = page[page.index("<details>") : page.index("</details>")]
    assert "<strong>企业：</strong>" in notes and "镇街（必填）" in notes and "（必填；代码" in notes
    cjk = r"[\u4e00-\u9fff]"
    assert not re.search(rf"{cjk}[:;]|{cjk} ?\(|[;)] ?{cjk}", re.sub(r"用地面积\(亩\)", "", notes)), notes


def test_templates_through_the_api_and_the_cli(client, categories, tmp_path):
    client.force_login(categories.users["coordinator"])
    response = client.get("/api/v1/imports/templates/indicators.xlsx")
    assert response.status_code == 200 and sheet(response.content)[0][:4] == [
        "统一社会信用代码",
        "期间",
        "来源",
        "已核实",
    ]
    unknown = client.get("/api/v1/imports/templates/nothing.xlsx")
    assert unknown.status_code == 422 and unknown.json()["code"] == "import_kind"
    client.force_login(categories.users["enterprise_a"])
    assert client.get("/api/v1/imports/templates/enterprises.xlsx").status_code == 403
    call_command(
        "import_template",
        "enterprises",
        str(tmp_path / "e.xlsx"),
        "--as",
        "coordinator",
        stdout=io.StringIO(),
    )
    assert sheet((tmp_path / "e.xlsx").read_bytes())[0] == importers.ENTERPRISE_HEADERS
