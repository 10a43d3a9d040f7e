"""Storing uploaded files for any object, inside the caller's transaction.

Only document and image types that government offices exchange are accepted (OFD is China's
standard electronic document format), up to ZHUQI_ATTACHMENT_MAX_MB each and
ZHUQI_ATTACHMENTS_PER_OBJECT files per appeal or application. A file is judged by its content, not
its name: its first bytes must be those of the type its name claims (a PDF starts with %PDF-, an
OOXML, OFD or zip file is a zip, a .doc/.xls/.wps an OLE2 compound file), and an executable, HTML or
SVG is refused whatever it is called, since a browser or a desktop would run it. An empty file is
refused. The content is hashed so a duplicate upload to the same object is recognised and not
stored twice."""

import hashlib
import mimetypes
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from zhuqi.core.errors import Message, NotFound, ZhuqiError
from zhuqi.core.models import Attachment

ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with entries; an empty zip
OLE2 = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
# The first bytes each allowed type starts with; .txt has none and is checked as text.
MAGIC = {
    ".pdf": (b"%PDF-",),
    ".ofd": ZIP,
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".doc": OLE2,
    ".xls": OLE2,
    ".wps": OLE2,
    ".docx": ZIP,
    ".xlsx": ZIP,
    ".zip": ZIP,
    ".txt": None,
}
ALLOWED_SUFFIXES = frozenset(MAGIC)
# Refused whatever the name: Windows and Linux executables, Mach-O, scripts, HTML, SVG, XML.
EXECUTABLE = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
MARKUP = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe", b"<meta")
HEAD_BYTES = 1024  # a PDF's header may follow a little junk within its first 1024 bytes


def check(upload) -> None:
    """Refuses a file by type or size before anything is written."""
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ZhuqiError(
            "attachment_type",
            Message(
                _("Files of type %(suffix)s cannot be attached; allowed: %(allowed)s."),
                {"suffix": suffix or "?", "allowed": " ".join(sorted(ALLOWED_SUFFIXES))},
            ),
            status=415,
            field="file",
        )
    limit = settings.ZHUQI_ATTACHMENT_MAX_MB * 1024 * 1024
    if upload.size > limit:
        raise ZhuqiError(
            "attachment_too_large",
            Message(_("The file is larger than %(mb)d MB."), {"mb": settings.ZHUQI_ATTACHMENT_MAX_MB}),
            status=413,
            field="file",
        )
    if not upload.size:
        raise ZhuqiError("attachment_empty", _("The file is empty."), status=422, field="file")
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if not _content_matches(suffix, head):
        raise ZhuqiError(
            "attachment_content",
            Message(
                _("The content of %(name)s is not a %(suffix)s file; files are judged by their content."),
                {"name": PurePath(upload.name).name[-100:], "suffix": suffix},
            ),
            status=415,
            field="file",
        )


def _content_matches(suffix: str, head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(EXECUTABLE) or start.startswith(MARKUP):
        return False
    magic = MAGIC[suffix]
    if suffix == ".pdf":
        return b"%PDF-" in head
    if magic is not None:
        return head.startswith(magic)
    # Text: no NUL, decodes as UTF-8 or GB18030 (the cut at HEAD_BYTES may split a character).
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:
                return True
    return False


def check_count(object_type: str, object_id, adding: int = 1) -> None:
    """Refuses more than ZHUQI_ATTACHMENTS_PER_OBJECT files on one appeal or application."""
    limit = settings.ZHUQI_ATTACHMENTS_PER_OBJECT
    existing = (
        Attachment.objects.filter(object_type=object_type, object_id=str(object_id)).count()
        if object_id is not None
        else 0
    )
    if existing + adding > limit:
        raise ZhuqiError(
            "too_many_attachments",
            Message(_("At most %(n)d files can be attached to one item."), {"n": limit}),
            status=422,
            field="file",
        )


def store(upload, *, object_type: str, object_id, acting_user) -> tuple[Attachment, bool]:
    """Saves the file, then its row; (attachment, created). Call inside the transaction of the change
    the file belongs to. The file is on disk before the row commits, so an accepted upload is never
    lost; if the transaction rolls back, the file stays on disk unreferenced and is never served."""
    check(upload)
    content = upload.read()
    digest = hashlib.sha256(content).hexdigest()
    existing = Attachment.objects.filter(
        object_type=object_type, object_id=str(object_id), sha256=digest
    ).first()
    if existing is not None:
        return existing, False
    check_count(object_type, object_id)
    name = PurePath(upload.name).name[-200:]
    attachment = Attachment(
        object_type=object_type,
        object_id=str(object_id),
        filename=name,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
        size=len(content),
        sha256=digest,
        uploaded_by=acting_user,
    )
    attachment.file.save(f"{digest[:16]}{PurePath(name).suffix.lower()}", ContentFile(content), save=False)
    attachment.save()
    return attachment, True


def for_object(object_type: str, object_id) -> list[Attachment]:
    return list(Attachment.objects.filter(object_type=object_type, object_id=str(object_id)))


def get(object_type: str, object_id, attachment_id) -> Attachment:
    """One file of one object, for whichever owner (appeal, application…): the caller has found the
    object through its scoped selector, so a file is read only by those who may see its owner.
    NotFound for anything else, as if it did not exist."""
    found = Attachment.objects.filter(
        object_type=object_type, object_id=str(object_id), pk=attachment_id
    ).first()
    if found is None:
        raise NotFound("attachment_not_found", _("No such file."))
    return found
