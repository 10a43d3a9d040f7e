"""Every change of a survey campaign, its answers and the dated parameters: one function each, checking
its step and permission, auditing and queueing its notifications in one transaction."""

import hashlib
import hmac
import random
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.assessment import lifecycle, periods, questionnaire, selectors
from zhuqi.assessment.models import (
    Answer,
    Campaign,
    CampaignState,
    Invitation,
    Parameter,
    Questionnaire,
    Response,
    SupervisionItem,
)
from zhuqi.core import audit, outbox, permissions, workdays
from zhuqi.core.errors import Conflict, Message, NotFound, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Department, Enterprise

# Seed 004 (二、三是): 「以调查问卷方式向40家企业进行了营商环境调查」.
DEFAULT_SAMPLE = 40
SUPERVISION_WORKING_DAYS = 15


def today() -> date:
    return timezone.localdate()


# --- Parameters ---------------------------------------------------------------------------------


def parameter(key: str, on: date) -> Decimal:
    """The value of a dated parameter in force on a day."""
    found = Parameter.objects.filter(key=key, valid_from__lte=on).order_by("-valid_from").first()
    if found is None:
        raise NotFound("parameter_missing", Message(_("No value of %(key)s in force then."), {"key": key}))
    return found.value


@transaction.atomic
def parameter_set(*, key: str, value: Decimal, valid_from: date, source: str = "", acting_user) -> Parameter:
    permissions.require(acting_user, Capability.RUN_ASSESSMENTS)
    if key not in selectors.PARAMETERS:
        raise ZhuqiError(
            "unknown_parameter", Message(_("Unknown parameter: %(key)s."), {"key": key[:40]}), status=422
        )
    low, high = selectors.PARAMETERS[key][1]
    if not low <= value <= high:
        raise ZhuqiError(
            "parameter_out_of_range",
            Message(
                _("%(key)s must lie between %(low)s and %(high)s."), {"key": key, "low": low, "high": high}
            ),
            status=422,
            field="value",
        )
    found, _created = Parameter.objects.update_or_create(
        key=key, valid_from=valid_from, defaults={"value": value, "source": source[:300]}
    )
    audit.record(
        actor=acting_user,
        verb="assessment_parameter_set",
        obj=found,
        data={"key": key, "value": str(value), "valid_from": valid_from.isoformat()},
    )
    return found


# --- Campaigns ----------------------------------------------------------------------------------


def population():
    """Enterprises that can answer online: those with an active user who may answer surveys."""
    roles = permissions.roles_with(Capability.ANSWER_SURVEYS)
    return Enterprise.objects.filter(users__role__in=roles, users__is_active=True).distinct()


def draw_sample(ids, size: int | None, seed: int) -> list[int]:
    """The enterprises asked: all of them (size None), or `size` of them drawn with the campaign's
    stored seed, so the same seed over the same population draws the same sample again."""
    ordered = sorted(set(ids))
    if size is None or size >= len(ordered):
        return ordered
    return sorted(random.Random(seed).sample(ordered, size))


@transaction.atomic
def campaign_create(
    *,
    title: str,
    period: str,
    deadline: date,
    acting_user,
    questionnaire_obj: Questionnaire | None = None,
    sample_size: int | None = DEFAULT_SAMPLE,
    sample_seed: int | None = None,
    remind_days: int = 3,
) -> Campaign:
    permissions.require(acting_user, Capability.RUN_ASSESSMENTS)
    questionnaire_obj = questionnaire_obj or questionnaire.current()
    if questionnaire_obj is None:
        raise NotFound("no_questionnaire", _("Import a questionnaire first."))
    if sample_size is not None and not 1 <= sample_size <= 100_000:
        raise ZhuqiError(
            "bad_sample", _("The sample is 1 to 100,000 enterprises."), status=422, field="sample_size"
        )
    if not 0 <= remind_days <= 60:
        raise ZhuqiError("bad_reminder", _("Remind 0 to 60 days before the deadline."), status=422)
    campaign = Campaign.objects.create(
        questionnaire=questionnaire_obj,
        title=title.strip()[:200] or str(_("Survey")),
        period=periods.parse(period).code,
        deadline=deadline,
        sample_size=sample_size,
        sample_seed=secrets.randbelow(2**62) if sample_seed is None else sample_seed,
        remind_days=remind_days,
        created_by=acting_user,
    )
    audit.record(
        actor=acting_user,
        verb="survey_campaign_create",
        obj=campaign,
        data={"period": campaign.period, "sample_size": sample_size, "seed": campaign.sample_seed},
    )
    return campaign


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _respondents(enterprise_ids):
    roles = permissions.roles_with(Capability.ANSWER_SURVEYS)
    from zhuqi.accounts.models import User

    return list(User.objects.filter(enterprise_id__in=enterprise_ids, role__in=roles, is_active=True))


def _answer_link(campaign: Campaign) -> str:
    return reverse("assessment:answer", args=[campaign.pk])


@transaction.atomic
def campaign_open(*, campaign: Campaign, acting_user, on: date | None = None) -> Campaign:
    """Draws the sample, invites each enterprise and tells its users (outbox, with the link)."""
    campaign = _locked(campaign)
    lifecycle.CAMPAIGN_STEPS["open"].check(acting_user, campaign)
    on = on or today()
    if campaign.deadline < on:
        raise Conflict("deadline_passed", _("The deadline has passed: set a later one."))
    chosen = draw_sample(
        population().values_list("pk", flat=True), campaign.sample_size, campaign.sample_seed
    )
    Invitation.objects.bulk_create(
        [Invitation(campaign=campaign, enterprise_id=pk) for pk in chosen], ignore_conflicts=True
    )
    campaign.state, campaign.opened_at = CampaignState.OPEN, timezone.now()
    campaign.save(update_fields=["state", "opened_at"])
    outbox.enqueue(
        event_key=f"survey:{campaign.pk}:invite",
        recipients=_respondents(chosen),
        subject=str(
            Message(
                _("Please rate the departments that served you: %(title)s (by %(deadline)s)"),
                {"title": campaign.title, "deadline": campaign.deadline.strftime("%Y-%m-%d")},
            )
        ),
        body=str(
            _("Your answers are anonymous: departments see only scores of several enterprises together.")
        ),
        link=_answer_link(campaign),
    )
    audit.record(actor=acting_user, verb="survey_campaign_open", obj=campaign, data={"invited": len(chosen)})
    return campaign


@transaction.atomic
def campaign_remind(*, campaign: Campaign, acting_user=None) -> int:
    """Reminds the enterprises that have not answered, once each (the outbox refuses the same key
    twice, so a second call sends nothing). Returns the messages queued."""
    campaign = _locked(campaign)
    lifecycle.CAMPAIGN_STEPS["remind"].check(acting_user, campaign)
    waiting = campaign.invitations.filter(answered_on__isnull=True).values_list("enterprise_id", flat=True)
    queued = outbox.enqueue(
        event_key=f"survey:{campaign.pk}:remind",
        recipients=_respondents(list(waiting)),
        subject=str(
            Message(
                _("Reminder: the survey %(title)s closes on %(deadline)s"),
                {"title": campaign.title, "deadline": campaign.deadline.strftime("%Y-%m-%d")},
            )
        ),
        body="",
        link=_answer_link(campaign),
    )
    if campaign.reminded_at is None:
        campaign.reminded_at = timezone.now()
        campaign.save(update_fields=["reminded_at"])
    audit.record(actor=acting_user, verb="survey_campaign_remind", obj=campaign, data={"messages": queued})
    return queued


@transaction.atomic
def campaign_close(*, campaign: Campaign, acting_user=None) -> Campaign:
    """Closes the campaign and opens a supervision item for every aspect a department scored under
    the floor (with enough answers to be shown)."""
    campaign = _locked(campaign)
    lifecycle.CAMPAIGN_STEPS["close"].check(acting_user, campaign)
    campaign.state, campaign.closed_at = CampaignState.CLOSED, timezone.now()
    campaign.save(update_fields=["state", "closed_at"])
    opened = open_supervision(campaign)
    audit.record(actor=acting_user, verb="survey_campaign_close", obj=campaign, data={"supervision": opened})
    return campaign


def rateable_departments(enterprise: Enterprise):
    """An enterprise rates the city's departments and those of its own town."""
    from django.db.models import Q

    return Department.objects.filter(Q(level=Department.Level.CITY) | Q(town_id=enterprise.town_id))


def respondent_key(campaign: Campaign, enterprise_id: int, department_id: int) -> str:
    message = f"survey:{campaign.pk}:{enterprise_id}:{department_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@transaction.atomic
def survey_answer(
    *, campaign: Campaign, acting_user, department: Department, scores: dict[str, int], comment: str = ""
) -> None:
    """An enterprise's rating of one department: a score 1–5 per item (items left out are 不了解).
    Stored without the enterprise; the invitation only records that it answered."""
    lifecycle.CAMPAIGN_STEPS["answer"].check(acting_user, campaign)
    if campaign.deadline < today():
        raise Conflict("deadline_passed", _("The survey's deadline has passed."))
    enterprise = acting_user.enterprise
    if not rateable_departments(enterprise).filter(pk=department.pk).exists():
        raise ZhuqiError(
            "department_not_rateable",
            _("Rate a city department or one of your town's."),
            status=422,
            field="department",
        )
    items = {i.code: i for i in questionnaire.active_items(campaign.questionnaire)}
    unknown = sorted(set(scores) - set(items))
    if unknown:
        raise ZhuqiError(
            "unknown_item",
            Message(_("Unknown item: %(code)s."), {"code": unknown[0][:64]}),
            status=422,
            field="scores",
        )
    if not scores:
        raise ZhuqiError("no_scores", _("Score at least one item."), status=422, field="scores")
    if any(not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 5 for v in scores.values()):
        raise ZhuqiError(
            "bad_score", _("Each score is a whole number from 1 to 5."), status=422, field="scores"
        )
    if len(comment) > 2000 or "\x00" in comment:
        raise ZhuqiError(
            "bad_comment", _("The comment has at most 2,000 characters."), status=422, field="comment"
        )
    try:
        with transaction.atomic():
            response = Response.objects.create(
                campaign=campaign,
                department=department,
                respondent_key=respondent_key(campaign, enterprise.pk, department.pk),
                comment=comment.strip(),
            )
    except IntegrityError as exc:
        raise Conflict(
            "already_answered", _("Your enterprise has already rated this department in this survey.")
        ) from exc
    Answer.objects.bulk_create([Answer(response=response, item=items[c], score=v) for c, v in scores.items()])
    Invitation.objects.filter(campaign=campaign, enterprise=enterprise).update(
        answered_on=today(), departments_rated=F("departments_rated") + 1
    )
    # The trail says that the enterprise answered, never whom it rated or how.
    audit.record(actor=acting_user, verb="survey_answer", obj=campaign, data={})


def open_supervision(campaign: Campaign) -> int:
    """A supervision item (督办) for each aspect a department scored under the floor; once each. It is
    an engagement.Task when stream E's service is installed (`supervision.open_task`), else a row here."""
    from zhuqi.assessment import supervision

    floor = parameter("aspect_floor", campaign.deadline)
    due = workdays.add_working_days(timezone.now(), SUPERVISION_WORKING_DAYS).date()
    opened = 0
    for row in selectors.aspect_scores(campaign):
        if row["hidden"] or row["score"] >= floor:
            continue
        item, created = SupervisionItem.objects.get_or_create(
            campaign=campaign,
            department_id=row["department_id"],
            aspect_id=row["aspect_id"],
            defaults={"score": row["score"], "answers": row["answers"], "due": due},
        )
        if created:
            supervision.open_task(item)
            opened += 1
    return opened


def sweep(now=None) -> dict[str, int]:
    """Periodic (the worker): reminds open campaigns `remind_days` before their deadline, once, and
    closes those whose deadline has passed."""
    on = timezone.localdate(now) if now else today()
    reminded = closed = 0
    for campaign in Campaign.objects.filter(state=CampaignState.OPEN):
        if campaign.deadline < on:
            campaign_close(campaign=campaign)
            closed += 1
        elif campaign.reminded_at is None and on >= campaign.deadline - timedelta(days=campaign.remind_days):
            campaign_remind(campaign=campaign)
            reminded += 1
    return {"reminded": reminded, "closed": closed}
