import io

import pytest
from django.core.management import call_command

from zhuqi import cli
from zhuqi.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


def test_friendly_names_map_to_management_commands(monkeypatch):
    seen = {}
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: seen.setdefault("argv", argv)
    )
    cli.main(["zhuqi", "demo-data", "--enterprises", "5"])
    assert seen["argv"] == ["zhuqi", "demo_data", "--enterprises", "5"]
    seen.clear()
    cli.main(["zhuqi", "import", "enterprises", "x.xlsx"])
    assert seen["argv"][1] == "import_file"


def test_create_user_and_token_commands(world):
    call_command(
        "create_user",
        "clerk",
        role="handler",
        department="miit",
        password="Strong-pass-2026",
        stdout=io.StringIO(),
    )
    assert User.objects.get(username="clerk").department == world.city_dept
    out = io.StringIO()
    call_command(
        "api_token", "create", user="hotline", name="12345", scopes="appeals:submit,appeals:read", stdout=out
    )
    raw = out.getvalue().strip().splitlines()[-1]
    assert raw.startswith("zq_") and ApiToken.objects.get().key_hash != raw
    call_command("api_token", "revoke", ApiToken.objects.get().prefix, stdout=io.StringIO())
    assert ApiToken.objects.get().revoked_at is not None


def test_import_command_refuses_a_file_with_errors(world, tmp_path):
    from django.core.management.base import CommandError

    from tests.directory.test_importers import MIXED, xlsx

    path = tmp_path / "e.xlsx"
    path.write_bytes(xlsx(MIXED))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_file", "enterprises", str(path), username="coordinator", stdout=out)
    assert "row 3, 统一社会信用代码" in out.getvalue()
    call_command("import_file", "enterprises", str(path), username="coordinator", valid_only=True, stdout=out)
    assert "1 created" in out.getvalue()


def test_no_model_change_lacks_a_migration():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())
