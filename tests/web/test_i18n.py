import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

import zhuqi

LOCALE = Path(zhuqi.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"
needs_msgfmt = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")


@needs_msgfmt
def test_every_message_is_translated_to_chinese():
    out = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(LOCALE / "django.po")],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert "untranslated" not in out and "fuzzy" not in out, out


@needs_msgfmt
def test_shipped_catalogue_is_compiled_from_the_po_file(tmp_path):
    subprocess.run(["msgfmt", "-o", str(tmp_path / "django.mo"), str(LOCALE / "django.po")], check=True)
    assert (tmp_path / "django.mo").read_bytes() == (LOCALE / "django.mo").read_bytes(), (
        "run: zhuqi compilemessages"
    )


def test_chinese_is_the_default_and_english_is_selectable(client, db):
    assert "登录" in client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert "Sign in" in client.get(reverse("web:login")).content.decode()


def test_uscc_message_in_both_languages():
    from zhuqi.core import uscc

    message = uscc.problem("914403001922038217").message
    with translation.override("zh-hans"):
        assert "校验码错误" in str(message)
    with translation.override("en"):
        assert "check character" in str(message)


def test_the_language_menu_names_each_language_in_its_own_language(client, db):
    for language in ("zh-hans", "en"):
        client.post(reverse("set_language"), {"language": language, "next": "/login/"})
        body = client.get(reverse("web:login")).content.decode()
        assert ">English</option>" in body and ">简体中文</option>" in body, language
