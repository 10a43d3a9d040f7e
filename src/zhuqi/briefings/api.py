"""Briefing endpoints: request (202 with the job), read, download, send, edit the template."""

from datetime import date, datetime

from django.http import FileResponse
from ninja import Field, Router, Schema, Status

from zhuqi.accounts.models import User
from zhuqi.briefings import render, selectors, services
from zhuqi.briefings.models import Kind
from zhuqi.core.schemas import Id, JobOut, Key, text

router = Router(tags=["briefings"])


class BriefingIn(Schema):
    kind: Kind
    period: text(8, min_length=4, pattern=r"^[0-9]{4}([QqHhMm-][0-9]{1,2})?$")


class BriefingOut(Schema):
    id: int
    kind: str
    period: str
    number: str
    title: str
    state: str
    data_date: date | None
    generated_at: datetime | None
    sent_at: datetime | None
    figures: dict
    docx_url: str | None
    pdf_url: str | None

    @staticmethod
    def resolve_docx_url(obj) -> str | None:
        return f"/api/v1/briefings/{obj.id}/file?format=docx" if obj.docx_path else None

    @staticmethod
    def resolve_pdf_url(obj) -> str | None:
        return f"/api/v1/briefings/{obj.id}/file?format=pdf" if obj.pdf_path else None


class BriefingQueuedOut(Schema):
    briefing: BriefingOut
    job: JobOut


@router.get("/briefings", response=list[BriefingOut])
def briefing_list(request):
    return list(selectors.briefings_visible_to(request.user)[:200])


@router.post("/briefings", response={202: BriefingQueuedOut})
def briefing_request(request, payload: BriefingIn):
    """Queues the generation of a briefing (Word and PDF) in the worker; poll the job."""
    briefing = services.briefing_request(kind=payload.kind, period=payload.period, acting_user=request.user)
    return Status(202, {"briefing": briefing, "job": briefing.job})


@router.get("/briefings/{briefing_id}", response=BriefingOut)
def briefing_detail(request, briefing_id: Id):
    return selectors.briefing_get(request.user, briefing_id)


@router.get("/briefings/{briefing_id}/file", response={200: None})
def briefing_file(request, briefing_id: Id, format: Key = "pdf"):  # noqa: A002 - the query's name
    path, name, content_type = selectors.briefing_file(request.user, briefing_id, format)
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=content_type)


class BriefingSendIn(Schema):
    usernames: list[text(150, min_length=1)] = Field(..., min_length=1, max_length=services.MAX_RECIPIENTS)


class BriefingSentOut(Schema):
    recipients: int


@router.post("/briefings/{briefing_id}/send", response=BriefingSentOut)
def briefing_send(request, briefing_id: Id, payload: BriefingSendIn):
    """Sends the briefing to these users (in-app with the link, and the configured channels)."""
    briefing = selectors.briefing_get(request.user, briefing_id)
    people = list(User.objects.filter(username__in=payload.usernames, is_active=True))
    return {
        "recipients": services.briefing_send(briefing=briefing, recipients=people, acting_user=request.user)
    }


class BriefingTemplateIn(Schema):
    body: text(services.MAX_TEMPLATE) | None = None


class BriefingTemplateOut(Schema):
    kind: str
    body: str
    shipped: bool


@router.get("/briefing-templates/{kind}", response=BriefingTemplateOut)
def template_get(request, kind: Kind):
    services.permissions.require(request.user, services.Capability.MAKE_BRIEFINGS)
    own = render.template_source(kind)
    return {
        "kind": kind,
        "body": own if own is not None else render.shipped_source(kind),
        "shipped": own is None,
    }


@router.put("/briefing-templates/{kind}", response=BriefingTemplateOut)
def template_put(request, kind: Kind, payload: BriefingTemplateIn):
    """The office's own template (HTML, Django template language); a null body restores the shipped one."""
    services.template_set(kind=kind, body=payload.body, acting_user=request.user)
    return template_get(request, kind)


class BriefingTemplateSettingsIn(Schema):
    sections: list[Key] = Field(..., max_length=20)
    title: text(services.MAX_TITLE + 1) = ""
    issuer: text(services.MAX_ISSUER + 1) = ""
    number_prefix: text(services.MAX_PREFIX + 1) = ""


class BriefingTemplateSettingsOut(Schema):
    kind: str
    sections: list[str]
    title: str
    issuer: str
    number_prefix: str
    own_body: bool
    version: int


def _settings_out(found: services.Settings) -> dict:
    return {
        "kind": found.kind,
        "sections": found.sections,
        "title": found.title,
        "issuer": found.issuer,
        "number_prefix": found.number_prefix,
        "own_body": found.own_body,
        "version": found.version,
    }


@router.get("/briefing-templates/{kind}/settings", response=BriefingTemplateSettingsOut)
def template_settings_get(request, kind: Kind):
    """The kind's sections in order, title ({期间} for the period), issuing office and 文号 abbreviation."""
    services.permissions.require(request.user, services.Capability.MAKE_BRIEFINGS)
    return _settings_out(services.template_settings(kind))


@router.put("/briefing-templates/{kind}/settings", response=BriefingTemplateSettingsOut)
def template_settings_put(request, kind: Kind, payload: BriefingTemplateSettingsIn):
    """Sets the kind's sections (codes of `briefings/sections.py`, in order), title, issuing office and
    文号 abbreviation; blank texts mean the shipped ones."""
    return _settings_out(
        services.template_configure(
            kind=kind,
            section_codes=payload.sections,
            title=payload.title,
            issuer=payload.issuer,
            number_prefix=payload.number_prefix,
            acting_user=request.user,
        )
    )
