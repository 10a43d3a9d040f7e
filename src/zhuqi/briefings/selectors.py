"""Who sees which briefing: staff holding read_briefings see all; anyone else only those sent to them."""

from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhuqi.briefings.models import Briefing
from zhuqi.core import permissions
from zhuqi.core.errors import NotFound, ZhuqiError
from zhuqi.core.permissions import Capability

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def briefings_visible_to(user):
    if not getattr(user, "is_authenticated", False):
        return Briefing.objects.none()
    if permissions.has(user, Capability.READ_BRIEFINGS) or permissions.has(user, Capability.MAKE_BRIEFINGS):
        return Briefing.objects.all()
    return Briefing.objects.filter(Q(recipients=user)).distinct()


def briefing_get(user, briefing_id: int) -> Briefing:
    found = briefings_visible_to(user).filter(pk=briefing_id).first() if 0 < briefing_id < 2**63 else None
    if found is None:
        raise NotFound("briefing_not_found", _("No such briefing."))
    return found


def briefing_file(user, briefing_id: int, fmt: str) -> tuple[Path, str, str]:
    briefing = briefing_get(user, briefing_id)
    if fmt not in FORMATS:
        raise ZhuqiError("bad_format", _("The format is docx or pdf."), status=422, field="format")
    relative = briefing.docx_path if fmt == "docx" else briefing.pdf_path
    if briefing.state != Briefing.State.READY or not relative:
        raise ZhuqiError("briefing_not_ready", _("The briefing is not ready yet."), status=409)
    path = Path(settings.DATA_DIR) / "briefings" / relative
    if not path.exists():
        raise ZhuqiError(
            "briefing_file_missing", _("The file is missing: generate the briefing again."), status=410
        )
    return path, f"{briefing.title}.{fmt}", FORMATS[fmt]
