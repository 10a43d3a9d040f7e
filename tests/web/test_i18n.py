import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
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
def test_every_message_of_the_source_is_in_the_catalogue(tmp_path):
    """The catalogue as makemessages would make it from today's source, merged with the shipped
    translations: a msgid written in code or a template but never added to django.po comes out
    untranslated (or fuzzy, guessed from a similar one) — and would show in English on a page.
    The test above only sees the entries the file already has."""
    tree = tmp_path / "zhuqi"
    shutil.copytree(Path(zhuqi.__file__).parent, tree, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=tree,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "zhuqi.settings"},
        capture_output=True,
        check=True,
    )
    out = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(tree / "locale/zh_Hans/LC_MESSAGES/django.po")],
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


class _VisibleText(HTMLParser):
    """The text a reader sees: no scripts or styles, no attribute values, nothing marked
    translate="no" (codes, file names, user names, rule expressions shown to staff)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        hidden = tag in ("script", "style") or dict(attrs).get("translate") == "no"
        self.stack.append(hidden or bool(self.stack and self.stack[-1]))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


# Words a Chinese page may show in Latin letters: the brand, units and file kinds.
ALLOWED = {
    "Zhuqi",
    "xlsx",
    "csv",
    "pdf",
    "ofd",
    "zip",
    "PDF",
    "OFD",
    "Excel",
    "Word",  # Microsoft Word, as Excel: the briefing's .docx is offered as 「Word」
    "CSV",
    "KB",
    "MB",
    "GB",
    "bytes",
}
WORD = re.compile(r"(?<![A-Za-z0-9_.])[A-Za-z][A-Za-z_.]*[A-Za-z](?![A-Za-z0-9_])")


@pytest.mark.django_db  # the walk's world lives in the test database
def test_no_english_or_raw_value_on_any_page_of_the_chinese_ui(walks):
    """Issue 13, item 5: every page every demo role reaches, rendered in Chinese, shows no English
    word, identifier or "None"."""
    found = {}
    for name, walk in walks.items():
        for page in walk.html_pages():
            text = visible_text(page.html)
            for word in set(WORD.findall(text)) - ALLOWED:
                found.setdefault(word, f"{name} {page.url}")
    assert not found, "\n".join(f"{word!r} on {where}" for word, where in sorted(found.items()))


def test_one_word_with_two_meanings_has_a_context_for_each():
    """Issue 13, item 7: the appeal form's first field read 职务 (a person's title) for 标题."""
    from zhuqi.appeals.forms import AppealForm
    from zhuqi.directory.models import Contact

    with translation.override("zh-hans"):
        assert str(AppealForm.base_fields["title"].label) == "标题"
        assert str(Contact._meta.get_field("title").verbose_name) == "职务"


def test_no_chinese_message_shows_a_format_pattern_in_latin_letters():
    """The walk of 2026-12-06: 「日期格式应为 YYYY-MM-DD。」 on a Chinese page; a reader is shown an
    example date (如2026-11-25) instead."""
    bad = [
        line
        for line in (LOCALE / "django.po").read_text().splitlines()
        if line.startswith("msgstr") and re.search(r"YYYY|MM-DD|HH:MM", line)
    ]
    assert not bad, "\n".join(bad)


def test_chinese_sentences_use_full_width_punctuation():
    """Issue 13, item 6: 已提交，待派单, not 已提交,待派单 (ASCII punctuation next to Chinese)."""
    cjk = r"[\u4e00-\u9fff]"
    ascii_next_to_chinese = re.compile(rf"{cjk}[,;!?]|[,;]{cjk}|{cjk}:(?!//)|{cjk}\(|\({cjk}")
    # Between two placeholders of a Chinese sentence (新诉求 %(number)s:%(title)s) as well.
    between_placeholders = re.compile(r"\)[sd][,:;]\s?%\(")
    bad = [
        line
        for line in (LOCALE / "django.po").read_text().splitlines()
        if line.startswith("msgstr ")
        and (
            ascii_next_to_chinese.search(line) or (re.search(cjk, line) and between_placeholders.search(line))
        )
    ]
    # Django's form labels end in gettext(":"): full-width in Chinese (「项目：」, not 「项目:」).
    with translation.override("zh-hans"):
        assert translation.gettext(":") == "："
    assert not bad, "\n".join(bad)
