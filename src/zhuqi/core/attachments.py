"""Storing uploaded files for any object, inside the caller's transaction.

Only document and image types that government offices exchange are accepted (OFD is China's
standard electronic document format), up to ZHUQI_ATTACHMENT_MAX_MB each. The content is hashed so
a duplicate upload to the same object is recognised and not stored twice."""

import hashlib
import mimetypes
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from zhuqi.core.errors import Message, ZhuqiError
from zhuqi.core.models import Attachment

ALLOWED_SUFFIXES = frozenset(
    {".pdf", ".ofd", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".txt", ".zip"}
)


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
