from io import StringIO

import pytest
from django.core.management import call_command

from zhuqi.monitoring.models import Target

from .test_views import busy  # noqa: F401

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("monitoring", *args, stdout=out)
    return out.getvalue()


def test_cli_targets_warnings_sweep_refresh(busy):  # noqa: F811
    assert "revenue" in run("targets", "--year", "2026")
    text = run("targets", "set", "tax_paid", "1200", "--year", "2026", "--method", "even")
    assert "= 100.00, 100.00" in text and Target.objects.filter(measure="tax_paid", year=2026).exists()
    assert "target_missed" in run("sweep", "--date", "2026-11-10", "--kind", "target_missed")
    assert "warnings" in run("warnings", "--state", "all")
    assert "cells of monthly actuals" in run("refresh", "--year", "2026")
