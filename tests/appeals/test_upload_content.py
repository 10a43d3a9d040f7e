"""Files are judged by their content: the first bytes must be those of the type the name claims;
executables, HTML and SVG are refused whatever their name; empty files are refused; an appeal has
a bounded description and a bounded number of files. Nothing is written on a refusal."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.appeals.test_lifecycle import submit
from zhuqi.appeals import services
from zhuqi.appeals.models import Appeal
from zhuqi.core import attachments
from zhuqi.core.errors import ZhuqiError
from zhuqi.core.models import Attachment

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 32
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 32


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize(
    "name,content",
    [
        ("申请表.pdf", PDF),
        ("申请表.pdf", b"\r\n" + PDF),  # a header within the first kilobyte is still a PDF
        ("照片.png", PNG),
        ("照片.JPG", JPEG),
        ("旧版.doc", OLE2),
        ("报表.xls", OLE2),
        ("公文.wps", OLE2),
        ("说明.docx", docx()),
        ("电子公文.ofd", docx()),
        ("材料.zip", docx()),
        ("说明.txt", "贷款贴息说明，共三页。".encode()),
        ("说明.txt", "贷款贴息说明".encode("gb18030")),
    ],
)
def test_files_whose_content_is_their_type_are_accepted(name, content):
    attachments.check(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    "name,content",
    [
        ("发票.pdf", b"MZ\x90\x00" + b"\0" * 60),  # a Windows program named .pdf
        ("发票.docx", b"MZ\x90\x00" + b"\0" * 60),
        ("照片.png", b"\x7fELF\x02\x01\x01" + b"\0" * 40),
        ("说明.txt", b"#!/bin/sh\nrm -rf /\n"),
        ("说明.txt", b"<!DOCTYPE html><script>alert(1)</script>"),
        ("说明.txt", b"\xef\xbb\xbf  <html><body onload=alert(1)>"),
        ("照片.jpg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
        ("照片.png", JPEG),  # a real image, but not what its name says
        ("申请表.pdf", b"just text, no header"),
        ("说明.txt", b"binary\x00data"),
    ],
)
def test_files_are_judged_by_content_not_name(name, content):
    with pytest.raises(ZhuqiError) as exc:
        attachments.check(SimpleUploadedFile(name, content))
    assert (exc.value.code, exc.value.status, exc.value.field) == ("attachment_content", 415, "file")


def test_an_empty_file_is_refused():
    with pytest.raises(ZhuqiError) as exc:
        attachments.check(SimpleUploadedFile("空.pdf", b""))
    assert (exc.value.code, exc.value.status) == ("attachment_empty", 422)


def test_an_executable_with_an_allowed_name_is_refused_by_the_api_and_nothing_is_written(client, loop):
    appeal = submit(loop)
    client.force_login(loop.users["enterprise_a"])
    r = client.post(
        f"/api/v1/appeals/{appeal.number}/attachments",
        {"file": SimpleUploadedFile("补充材料.pdf", b"MZ\x90\x00" + b"\0" * 60)},
    )
    assert r.status_code == 415 and r.json()["code"] == "attachment_content"
    assert r.json()["message"] and r.json()["message_en"]
    assert not Attachment.objects.exists()


def test_files_per_appeal_are_bounded(loop, settings):
    settings.ZHUQI_ATTACHMENTS_PER_OBJECT = 2
    files = [SimpleUploadedFile(f"材料{i}.pdf", PDF + bytes([i])) for i in range(3)]
    with pytest.raises(ZhuqiError) as exc:
        submit(loop, attachments=files)
    assert (exc.value.code, exc.value.status) == ("too_many_attachments", 422)
    assert not Appeal.objects.exists() and not Attachment.objects.exists()
    appeal = submit(loop, attachments=files[:2])
    with pytest.raises(ZhuqiError) as exc:
        services.appeal_attach(appeal=appeal, upload=files[2], acting_user=loop.users["enterprise_a"])
    assert exc.value.code == "too_many_attachments"
    assert Attachment.objects.count() == 2


def test_an_overlong_description_is_refused(loop):
    with pytest.raises(ZhuqiError) as exc:
        services.appeal_submit(
            enterprise=loop.a,
            title="贷款贴息未到账",
            description="很" * (services.DESCRIPTION_MAX_CHARS + 1),
            category=loop.cats.loan,
            acting_user=loop.users["enterprise_a"],
        )
    assert (exc.value.code, exc.value.status, exc.value.field) == ("description_too_long", 422, "description")
    assert not Appeal.objects.exists()
