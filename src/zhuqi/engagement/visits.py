"""Recording a visit or contact (走访/联系), with the problems found: each problem becomes an appeal on
the visit channel, in the same transaction, through the appeals' own submission service (so it is
routed, given deadlines and announced like any other), and is linked to the visit both ways
(`visit.appeals`, `appeal.visits`)."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.core import attachments as stored_files
from zhuqi.core import audit, permissions
from zhuqi.core.errors import Message, NotFound, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import LiaisonAssignment
from zhuqi.engagement.models import Visit, VisitKind

TEXT_FIELDS = {
    "ask_status": 2000,
    "ask_needs": 2000,
    "ask_environment": 2000,
    "brought_service": 500,
    "help_ideas": 2000,
    "help_transform": 2000,
    "help_solve": 2000,
    "help_longterm": 2000,
    "summary": 2000,
    "participants": 200,
}
MAX_PROBLEMS = 10
EARLIEST = date(2000, 1, 1)


@dataclass
class Problem:
    """A problem found on the visit, to become an appeal."""

    title: str
    description: str
    category: object  # directory.ServiceCategory (a leaf)
    urgency: str = "ordinary"


@dataclass
class Recorded:
    visit: Visit
    appeals: list = field(default_factory=list)


def _leader_for(acting_user, enterprise, leader):
    """The liaison the visit counts for: the recorder when it is a liaison of the enterprise, else
    the named one (who must be a liaison in force), else the enterprise's liaison in force, else the
    recorder."""
    liaisons = LiaisonAssignment.objects.active().filter(enterprise=enterprise)
    if leader is None and liaisons.filter(leader=acting_user).exists():
        return acting_user
    if leader is not None:
        if not liaisons.filter(leader=leader).exists():
            raise ZhuqiError(
                "not_liaison",
                _("This leader is not liaison for this enterprise."),
                status=422,
                field="leader",
            )
        return leader
    first = liaisons.select_related("leader").order_by("since", "id").first()
    return first.leader if first is not None else acting_user


def _clean(texts: dict) -> dict:
    cleaned = {}
    for name, limit in TEXT_FIELDS.items():
        value = (texts.get(name) or "").strip()
        if len(value) > limit or "\x00" in value:
            raise ZhuqiError(
                "too_long", Message(_("At most %(n)d characters."), {"n": limit}), status=422, field=name
            )
        cleaned[name] = value
    return cleaned


def record_visit(
    *,
    enterprise,
    kind: str,
    visited_on: date,
    acting_user,
    leader=None,
    unit=None,
    departments=(),
    brought_conduct: bool = True,
    problems=(),
    attachments=(),
    **texts,
) -> Recorded:
    from zhuqi.appeals import services as appeal_services
    from zhuqi.appeals.models import Channel
    from zhuqi.directory.selectors import enterprises_visible_to

    permissions.require(acting_user, Capability.RECORD_VISITS)
    if not enterprises_visible_to(acting_user).filter(pk=enterprise.pk).exists():
        raise NotFound("enterprise_not_found", _("No such enterprise."))
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise ZhuqiError("bad_field", _("Unknown field."), status=422, field=sorted(unknown)[0])
    if kind not in VisitKind.values:
        raise ZhuqiError("bad_kind", _("Unknown kind of visit."), status=422, field="kind")
    if not isinstance(visited_on, date) or not (EARLIEST <= visited_on <= timezone.localdate()):
        raise ZhuqiError(
            "bad_date", _("The date must be from 1 January 2000 to today."), status=422, field="visited_on"
        )
    if len(problems) > MAX_PROBLEMS:
        raise ZhuqiError(
            "too_many_problems",
            Message(_("At most %(n)d problems."), {"n": MAX_PROBLEMS}),
            status=422,
            field="problems",
        )
    cleaned = _clean(texts)
    stored_files.check_count("visit", None, len(attachments))
    for upload in attachments:
        stored_files.check(upload)
    with transaction.atomic():
        visit = Visit.objects.create(
            enterprise=enterprise,
            leader=_leader_for(acting_user, enterprise, leader),
            unit=unit,
            kind=kind,
            visited_on=visited_on,
            brought_conduct=bool(brought_conduct),
            recorded_by=acting_user,
            **cleaned,
        )
        if departments:
            visit.departments.set(departments)
        made = []
        for problem in problems:
            submission = appeal_services.appeal_submit(
                enterprise=enterprise,
                title=problem.title,
                description=problem.description,
                category=problem.category,
                urgency=problem.urgency,
                acting_user=acting_user,
                channel=Channel.VISIT,
                # The photos go with the problem: the department handling it may not open visits.
                attachments=attachments,
            )
            made.append(submission.appeal)
        if made:
            visit.appeals.add(*made)
        for upload in attachments:
            stored_files.store(upload, object_type="visit", object_id=visit.pk, acting_user=acting_user)
        audit.record(
            actor=acting_user,
            verb="visit_record",
            obj=visit,
            data={
                "comment": f"{enterprise.name} {visit.get_kind_display()}",
                "appeals": [a.number for a in made],
            },
        )
    return Recorded(visit, made)


def appeal_backlinks(user, appeal_id) -> list[tuple[str, str]]:
    """The visits an appeal was found on, that this user may open (core/backlinks.py)."""
    from zhuqi.core import formats
    from zhuqi.engagement.selectors import visits_visible_to

    if not permissions.has(user, Capability.FOLLOW_ENGAGEMENT):
        return []
    return [
        (
            str(
                Message(
                    _("Found on a visit: %(day)s, %(kind)s"),
                    {"day": formats.day(v.visited_on), "kind": v.get_kind_display()},
                )
            ),
            f"/engagement/visits/{v.pk}/",
        )
        for v in visits_visible_to(user).filter(appeals=appeal_id).order_by("-visited_on")[:10]
    ]
