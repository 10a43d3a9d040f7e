"""Briefings: requested (a job in the worker), generated (Word and PDF from one template), stored with
the data's date, downloaded by those allowed and sent to a list of recipients."""

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from zhuqi.assessment import periods
from zhuqi.briefings import charts, content, render, sections
from zhuqi.briefings.models import Briefing, Kind, Template
from zhuqi.core import audit, formats, jobs, outbox, permissions
from zhuqi.core.errors import Message, NotFound, ZhuqiError
from zhuqi.core.permissions import Capability

# Which periods each kind reports on.
PERIOD_KINDS = {Kind.QUARTERLY: "quarter", Kind.MONTHLY: "month", Kind.HALF_YEARLY: "half"}
TITLES = {
    Kind.QUARTERLY: "关于{label}倍增计划工作进展情况的通报",
    Kind.MONTHLY: "关于{label}经济运行和企业服务情况的通报",
    Kind.HALF_YEARLY: "关于{label}企业服务工作情况和考评结果的通报",
}
PERIOD_HINTS = {
    "quarter": _("a quarter (2026Q3)"),
    "month": _("a month (2026M10)"),
    "half": _("a half year (2026H1)"),
}
MAX_RECIPIENTS = 500
MAX_TEMPLATE = 100_000


def check_request(kind: str, period: str) -> periods.Period:
    if kind not in Kind.values:
        raise ZhuqiError(
            "bad_kind",
            Message(_("The kind is one of: %(kinds)s."), {"kinds": formats.enumeration(Kind.labels)}),
            status=422,
            field="kind",
        )
    p = periods.parse(period)
    if p.kind != PERIOD_KINDS[kind]:
        raise ZhuqiError(
            "bad_period",
            Message(_("This briefing reports on %(kind)s."), {"kind": PERIOD_HINTS[PERIOD_KINDS[kind]]}),
            status=422,
            field="period",
        )
    return p


def _number(prefix: str, year: int) -> str:
    """The 文号: the issuing office's abbreviation, the year in 〔〕 and the year's sequence."""
    sequence = Briefing.objects.filter(created_at__year=year).exclude(number="").count() + 1
    return f"{prefix}〔{year}〕{sequence}号"


PERIOD_WORD = "{期间}"  # where a title names the period


@dataclass(frozen=True)
class Settings:
    """A kind's template as it is used: the office's choices, or the shipped ones where it made none."""

    kind: str
    sections: list
    title: str
    issuer: str
    number_prefix: str
    own_body: bool
    version: int

    def title_for(self, label: str) -> str:
        return self.title.replace(PERIOD_WORD, label)


def template_settings(kind: str) -> Settings:
    own = Template.objects.filter(kind=kind).first()
    return Settings(
        kind=kind,
        sections=list(own.sections) if own and own.sections else list(sections.DEFAULTS[kind]),
        title=(own.title if own and own.title else TITLES[kind].replace("{label}", PERIOD_WORD)),
        issuer=(own.issuer if own and own.issuer else sections.DEFAULT_ISSUER),
        number_prefix=(own.number_prefix if own and own.number_prefix else settings.ZHUQI_BRIEFING_ISSUER),
        own_body=bool(own and own.body),
        version=own.version if own else 0,
    )


@transaction.atomic
def briefing_request(*, kind: str, period: str, acting_user) -> Briefing:
    """Creates the briefing and queues its generation in the worker (answers at once)."""
    permissions.require(acting_user, Capability.MAKE_BRIEFINGS)
    p = check_request(kind, period)
    chosen = template_settings(kind)
    briefing = Briefing.objects.create(
        kind=kind,
        period=p.code,
        title=chosen.title_for(p.label)[:200],
        number=_number(chosen.number_prefix, timezone.localdate().year),
        created_by=acting_user,
    )
    briefing.job = jobs.enqueue(
        kind="briefing.generate", owner=acting_user, parameters={"briefing": briefing.pk}
    )
    briefing.save(update_fields=["job"])
    audit.record(
        actor=acting_user, verb="briefing_request", obj=briefing, data={"kind": kind, "period": p.code}
    )
    return briefing


def folder(briefing: Briefing) -> Path:
    return Path(settings.DATA_DIR) / "briefings" / str(briefing.pk)


def file_name(briefing: Briefing, fmt: str) -> str:
    return f"{briefing.title}.{fmt}"


def _charts(figures: dict) -> dict:
    made = {}
    months = figures["appeals"]["months"]
    if months:
        made["months"] = charts.data_uri(
            charts.bars(
                "各月诉求受理与办结情况",
                [m["month"] for m in months],
                {"受理": [m["count"] for m in months], "办结": [m["closed"] for m in months]},
                "件",
            )
        )
    assessment = figures.get("assessment")
    ranked = [r for r in (assessment or {}).get("departments", []) if r["total"] != "—"]
    if ranked:
        made["ranking"] = charts.data_uri(
            charts.bars(
                "各单位综合得分",
                [r["name"] for r in ranked],
                {"综合得分": [float(r["total"]) for r in ranked]},
            )
        )
    return made


def generate(briefing: Briefing, *, user, progress=None, data_date: date | None = None) -> dict:
    """Gathers the figures, draws the charts, renders the template and writes both files. Returns the
    figures stated (also kept on the briefing)."""
    progress = progress or (lambda done, total=None: None)
    p = periods.parse(briefing.period)
    progress(0, 4)
    chosen = template_settings(briefing.kind)
    with translation.override("zh-hans"):  # a document in Chinese, whatever the worker's language
        figures = content.gather(
            kind=briefing.kind,
            period=p,
            user=user,
            number=briefing.number,
            data_date=data_date,
            section_codes=chosen.sections,
            issuer=chosen.issuer,
        )
    figures.update(title=briefing.title, target=content.pct(_target(p)))
    progress(1, 4)
    figures["charts"] = _charts(figures)
    progress(2, 4)
    html = render.render_html(briefing.kind, figures)
    docx = render.to_docx(html)
    progress(3, 4)
    pdf = render.to_pdf(html)
    out = folder(briefing)
    out.mkdir(parents=True, exist_ok=True)
    (out / "briefing.docx").write_bytes(docx)
    (out / "briefing.pdf").write_bytes(pdf)
    stated = _stated(figures)
    Briefing.objects.filter(pk=briefing.pk).update(
        state=Briefing.State.READY,
        data_date=figures["data_date"],
        docx_path=f"{briefing.pk}/briefing.docx",
        pdf_path=f"{briefing.pk}/briefing.pdf",
        figures=stated,
        generated_at=timezone.now(),
    )
    audit.record(
        actor=user,
        verb="briefing_generate",
        obj=briefing,
        data={"sha256_pdf": hashlib.sha256(pdf).hexdigest(), "sha256_docx": hashlib.sha256(docx).hexdigest()},
    )
    progress(4, 4)
    return stated


def _target(p: periods.Period):
    from zhuqi.assessment.services import parameter

    try:
        return parameter("resolution_target", p.end)
    except NotFound:
        return None


def _stated(figures: dict) -> dict:
    """The headline numbers, as written in the documents (for the API and the page)."""
    appeals = figures["appeals"]
    return {
        "appeals": appeals["count"],
        "closed": appeals["closed"],
        "resolution_rate": appeals["resolution_rate"],
        "on_time_rate": appeals["on_time_rate"],
        "satisfaction_rate": appeals["satisfaction_rate"],
        "reopen_rate": appeals["reopen_rate"],
        "target": figures["target"],
        "revenue": figures["economy"]["revenue"],
        "tax": figures["economy"]["tax"],
        "warnings": appeals["warnings"],
        "targets": {c: figures["targets"][c] for c in ("green", "yellow", "red")},
        "open_warnings": {c: figures["warnings"][c] for c in ("total", "red", "yellow", "blue")},
        "pilots": sum(p["current"] for p in (figures.get("programme") or {}).get("programmes", [])),
        "best": (figures.get("assessment") or {}).get("best", "—"),
        "worst": (figures.get("assessment") or {}).get("worst", "—"),
    }


def mark_failed(briefing_id: int) -> None:
    Briefing.objects.filter(pk=briefing_id).update(state=Briefing.State.FAILED)


@transaction.atomic
def briefing_send(*, briefing: Briefing, recipients: list, acting_user) -> int:
    """Sends a ready briefing to people (in-app with the link, and the configured channels); each
    recipient may then open and download it. Returns the number of recipients."""
    permissions.require(acting_user, Capability.MAKE_BRIEFINGS)
    if briefing.state != Briefing.State.READY:
        raise ZhuqiError("briefing_not_ready", _("The briefing is not ready yet."), status=409)
    people = [u for u in recipients if u is not None and u.is_active]
    if not people or len(people) > MAX_RECIPIENTS:
        raise ZhuqiError(
            "bad_recipients",
            Message(_("Send to 1 to %(n)d people."), {"n": MAX_RECIPIENTS}),
            status=422,
            field="recipients",
        )
    briefing.recipients.add(*people)
    Briefing.objects.filter(pk=briefing.pk).update(sent_at=timezone.now())
    outbox.enqueue(
        event_key=f"briefing:{briefing.pk}:sent",
        recipients=people,
        subject=str(Message(_("Briefing: %(title)s"), {"title": briefing.title})),
        body=briefing.number,
        link=reverse("briefings:detail", args=[briefing.pk]),
    )
    audit.record(
        actor=acting_user,
        verb="briefing_send",
        obj=briefing,
        data={"recipients": [u.username for u in people]},
    )
    return len(people)


@transaction.atomic
def template_set(*, kind: str, body: str | None, acting_user) -> Template | None:
    """The office's own template of a kind (checked by rendering it); None goes back to the shipped one."""
    permissions.require(acting_user, Capability.MAKE_BRIEFINGS)
    if kind not in Kind.values:
        raise ZhuqiError("bad_kind", _("Unknown kind of briefing."), status=422, field="kind")
    if body is None:
        Template.objects.filter(kind=kind).update(body="")
        audit.record_batch(
            actor=acting_user, verb="briefing_template_reset", model=Template, batch_id=kind, data={}
        )
        return None
    if len(body) > MAX_TEMPLATE or "\x00" in body:
        raise ZhuqiError("template_too_long", _("A template has at most 100,000 characters."), status=422)
    from django.template import TemplateSyntaxError, engines

    try:
        engines["django"].from_string(body)
    except TemplateSyntaxError as exc:
        raise ZhuqiError(
            "template_error",
            Message(_("The template cannot be read: %(error)s"), {"error": str(exc)[:200]}),
            status=422,
        ) from exc
    found, created = Template.objects.get_or_create(
        kind=kind, defaults={"body": body, "updated_by": acting_user}
    )
    if not created:
        found.body, found.updated_by, found.version = body, acting_user, found.version + 1
        found.save()
    audit.record(
        actor=acting_user,
        verb="briefing_template_set",
        obj=found,
        data={"kind": kind, "version": found.version},
    )
    return found


MAX_TITLE, MAX_ISSUER, MAX_PREFIX = 100, 60, 20


def _plain(value, field: str, limit: int, label, placeholder: str = "") -> str:
    """A line of the document the office types: trimmed, bounded, no markup or control characters
    (a title may name the period as {期间})."""
    text = " ".join(str(value or "").split())
    rest = text.replace(placeholder, "") if placeholder else text
    if len(text) > limit or any(c in rest for c in "<>{}") or not rest.isprintable():
        raise ZhuqiError(
            "bad_template_field",
            Message(_("%(field)s: at most %(n)d characters, without < > { }."), {"field": label, "n": limit}),
            status=422,
            field=field,
        )
    return text


@transaction.atomic
def template_configure(
    *, kind: str, section_codes: list, title: str, issuer: str, number_prefix: str, acting_user
) -> Settings:
    """The office's choice of a kind's sections (and their order), title, issuing office and 文号
    abbreviation. Blank title, issuer or abbreviation mean the shipped one."""
    permissions.require(acting_user, Capability.MAKE_BRIEFINGS)
    if kind not in Kind.values:
        raise ZhuqiError("bad_kind", _("Unknown kind of briefing."), status=422, field="kind")
    codes = [str(c)[:20] for c in (section_codes or [])][: len(sections.SECTIONS) + 1]
    unknown = [c for c in codes if c not in sections.SECTIONS]
    if not codes or unknown or len(set(codes)) != len(codes):
        raise ZhuqiError(
            "bad_sections",
            Message(
                _("Choose one or more sections, each once, from: %(codes)s."),
                {"codes": "、".join(sections.SECTIONS.values())},
            ),
            status=422,
            field="sections",
        )
    title = _plain(title, "title", MAX_TITLE, _("Title"), PERIOD_WORD)
    issuer = _plain(issuer, "issuer", MAX_ISSUER, _("Issuing office"))
    number_prefix = _plain(number_prefix, "number_prefix", MAX_PREFIX, _("Document number abbreviation"))
    found, created = Template.objects.select_for_update().get_or_create(
        kind=kind, defaults={"body": "", "version": 0}
    )
    before = {"sections": found.sections, "title": found.title, "issuer": found.issuer}
    found.sections, found.title, found.issuer, found.number_prefix = codes, title, issuer, number_prefix
    found.updated_by = acting_user
    found.version += 1
    found.save()
    audit.record(
        actor=acting_user,
        verb="briefing_template_set",
        obj=found,
        data={
            "kind": kind,
            "version": found.version,
            "sections": codes,
            "title": title,
            "issuer": issuer,
            "number_prefix": number_prefix,
            **({} if created else {"before": before}),
        },
    )
    return template_settings(kind)
