import io
from datetime import date

import pytest
from django.core.management import call_command

from tests.chains.conftest import add_members
from zhuqi.chains.models import Quota

pytestmark = pytest.mark.django_db


def test_chains_list_show_quotas_and_progress(world, chain):
    add_members(world, chain, 2)
    out = io.StringIO()
    call_command("chains", "list", stdout=out)
    assert "tea\t新式茶饮" in out.getvalue()
    out = io.StringIO()
    call_command("chains", "show", "tea", stdout=out)
    assert "figures of 2025" in out.getvalue() and "20.0%" in out.getvalue()
    call_command(
        "chains",
        "quotas",
        "install",
        "--year",
        "2026",
        "--industry-department",
        "miit",
        "--as",
        "coordinator",
        stdout=io.StringIO(),
    )
    assert Quota.objects.filter(year=2026).count() == 5
    out = io.StringIO()
    call_command("chains", "progress", "--year", str(date.today().year), stdout=out)
    assert "0/10" in out.getvalue() or date.today().year != 2026
