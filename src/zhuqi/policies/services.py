"""Every change of a policy application goes through one function here (grant offers: grants.py;
disbursement batches: disbursement.py). Each, in one transaction: locks what it changes, checks its
step (lifecycle.APPLICATION_STEPS: the actor's permission, then the state), writes the change and its
audit event, and queues the notifications in the outbox.

Lock order, everywhere: the enterprise row, then the clause row, then the application or offer. The
clause row guards its annual budget (approvals and offers of one clause are serialised, so the budget
is never overspent); the enterprise row guards its exclusive groups (two clauses of one group never
both fund one project, even when two departments approve at the same moment).
"""

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import Role, User
from zhuqi.core import attachments as stored_files
from zhuqi.core import audit, formats, outbox
from zhuqi.core.errors import Conflict, Message, ZhuqiError
from zhuqi.directory.models import Enterprise
from zhuqi.policies import budgets, explain, lifecycle, matching
from zhuqi.policies.models import (
    Application,
    ApplicationState,
    Clause,
)
from zhuqi.policies.packs import clause_rule
from zhuqi.rules import exact
from zhuqi.rules.expr import BOOL, NUMBER
from zhuqi.rules.model import BUILTIN_FACTS

FEN = exact.FEN
MAX_INPUT = exact.FACT_LIMIT  # the rules engine's bound on every number it reads
# What the amount columns hold (an application's maximum by the rule, its approved amount). Inputs
# below MAX_INPUT can still give more (1e9 postdocs × 20万元): SQLite stored such an amount and then
# failed to read the enterprise's applications back (a 500 on every page listing them); PostgreSQL
# refuses the insert.
_AMOUNT_COLUMN = Application._meta.get_field("computed_max")
AMOUNT_LIMIT = Decimal(10) ** (_AMOUNT_COLUMN.max_digits - _AMOUNT_COLUMN.decimal_places)


def _enterprise_users(enterprise_id: int) -> list[User]:
    return list(User.objects.filter(role=Role.ENTERPRISE, enterprise_id=enterprise_id, is_active=True))


def _reviewers(clause: Clause) -> list[User]:
    if clause.department_id is None:
        return list(User.objects.filter(role=Role.COORDINATOR, is_active=True))
    return list(
        User.objects.filter(
            Q(department_id=clause.department_id) | Q(pk=clause.department.head_id), is_active=True
        )
    )


def in_force_in(clause: Clause, year: int) -> bool:
    return (clause.effective_from is None or clause.effective_from <= date(year, 12, 31)) and (
        clause.effective_to is None or clause.effective_to >= date(year, 1, 1)
    )


# ---------------------------------------------------------------------------------------------
# Applications


def application_fields(clause: Clause, enterprise_id: int | None, year: int) -> list:
    """What an application to `clause` asks for: the clause's inputs, then every fact its condition
    reads that the platform lacks for this enterprise (declared by the enterprise, checked by the
    reviewer). Each is a rules Fact (name, type, label, unit)."""
    pack, rule = clause_rule(clause)
    fields = list(rule.inputs.values())
    if enterprise_id is not None:
        explanation = matching.explain_one(enterprise_id, clause, year)
        fields += [f for f in explanation.missing if f.name in pack.facts and f.name not in BUILTIN_FACTS]
    return fields


def _parse_inputs(fields, raw: dict) -> dict:
    known = {f.name: f for f in fields}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ZhuqiError(
            "unknown_input",
            Message(_("This clause asks for no %(names)s."), {"names": ", ".join(unknown)}),
            status=422,
            field=unknown[0],
        )
    parsed = {}
    for name, fact in known.items():
        value = raw.get(name)
        if value in (None, ""):
            raise ZhuqiError(
                "input_missing",
                Message(_("Fill in %(label)s."), {"label": fact.label}),
                status=422,
                field=name,
            )
        if fact.type == NUMBER:
            try:
                number = Decimal(str(value).replace(",", ""))
            except InvalidOperation:
                number = Decimal(-1)
            if not number.is_finite() or number < 0 or number != number.quantize(FEN) or number >= MAX_INPUT:
                raise ZhuqiError(
                    "bad_input",
                    Message(
                        _(
                            "%(label)s must be a number from 0 to 100,000,000,000,000, with at most two decimals."
                        ),
                        {"label": fact.label},
                    ),
                    status=422,
                    field=name,
                )
            parsed[name] = str(number.quantize(FEN))  # exact in JSON: text, never a float
        elif fact.type == BOOL:
            if isinstance(value, str):
                value = {
                    "true": True,
                    "1": True,
                    "yes": True,
                    "是": True,
                    "false": False,
                    "0": False,
                    "no": False,
                    "否": False,
                }.get(value.strip().lower())
            if not isinstance(value, bool):
                raise ZhuqiError(
                    "bad_input",
                    Message(_("%(label)s must be yes or no."), {"label": fact.label}),
                    status=422,
                    field=name,
                )
            parsed[name] = value
        else:
            parsed[name] = str(value).strip()[:200]
    return parsed


def _not_eligible(explanation, clause: Clause) -> ZhuqiError:
    """Each failed condition once, in the words of the clause's fact labels, never an identifier."""
    pack, rule = clause_rule(clause)
    labels = pack.labels(rule)
    failing = list(
        dict.fromkeys(
            explain.sentence(c, labels, pack.parameters) for c in explanation.checks if c.holds is False
        )
    )
    return ZhuqiError(
        "not_eligible",
        Message(
            _("By the rule of this clause the enterprise does not qualify: %(failing)s."),
            {"failing": "；".join(failing) or "—"},
        ),
        status=422,
    )


def application_submit(
    *,
    enterprise: Enterprise,
    clause: Clause,
    year: int,
    inputs: dict,
    acting_user: User,
    project: str = "",
    idempotency_key: str | None = None,
    attachments=(),
) -> tuple[Application, bool]:
    """(application, created). The enterprise applies with the inputs the clause asks for; the rule
    gives the largest amount it may be granted (computed_max). A retried submission with the same
    idempotency key returns the first application."""
    if idempotency_key:
        existing = Application.objects.filter(
            submitted_by=acting_user, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing, False
    lifecycle.APPLICANT.require(
        acting_user, enterprise, _("Only the enterprise itself applies for a policy.")
    )
    if clause.retired or not in_force_in(clause, year):
        raise ZhuqiError(
            "clause_not_in_force",
            Message(_("《%(clause)s》 is not in force in %(year)d."), {"clause": clause.title, "year": year}),
            status=422,
        )
    if not clause_rule(clause)[1].is_money:
        raise Conflict(
            "entitlement",
            _(
                "Places and quotas are allocated by the department each year; there is nothing to apply for here."
            ),
        )
    if clause.auto_grant:
        raise Conflict(
            "auto_grant",
            _("This clause is granted without application (免申即享): confirm the offer instead."),
        )
    project = (project or "").strip()
    if clause.exclusive_group and not project:
        raise ZhuqiError(
            "project_missing",
            _("Name the project: one project is funded by only one clause of this group (不重复资助)."),
            status=422,
            field="project",
        )
    values = _parse_inputs(application_fields(clause, enterprise.pk, year), inputs)
    stored_files.check_count("application", None, len(attachments))
    for upload in attachments:
        stored_files.check(upload)
    explanation = matching.explain_one(enterprise.pk, clause, year, values)
    if explanation.nothing_to_grant or (explanation.eligible and explanation.amount_yuan is None):
        raise ZhuqiError("nothing_to_grant", _("By the rule, these inputs give no amount."), status=422)
    if not explanation.eligible:
        raise _not_eligible(explanation, clause)
    if explanation.amount_yuan >= AMOUNT_LIMIT:
        raise ZhuqiError(
            "amount_too_large",
            Message(
                _("By the rule these inputs give %(amount)s, more than any grant can be: check the figures."),
                {"amount": formats.money(explanation.amount_yuan)},
            ),
            status=422,
        )
    try:
        with transaction.atomic():
            duplicate = Application.objects.filter(
                enterprise=enterprise,
                clause=clause,
                year=year,
                project=project,
                state__in=lifecycle.LIVE_APPLICATION_STATES,
            ).first()
            if duplicate is not None:
                raise Conflict(
                    "already_applied",
                    Message(
                        _("Application %(number)s for this clause, year and project already exists."),
                        {"number": duplicate.number},
                    ),
                )
            application = Application.objects.create(
                number=f"tmp-{uuid.uuid4().hex[:18]}",
                enterprise=enterprise,
                clause=clause,
                year=year,
                project=project[:200],
                inputs=values,
                computed_max=explanation.amount_yuan,
                submitted_by=acting_user,
                idempotency_key=idempotency_key,
            )
            application.number = f"ZC{timezone.localtime():%Y%m%d}{application.pk:06d}"
            application.save(update_fields=["number"])
            for upload in attachments:
                stored_files.store(
                    upload, object_type="application", object_id=application.pk, acting_user=acting_user
                )
            audit.record(
                actor=acting_user,
                verb="application_submit",
                obj=application,
                data={"clause": clause.code, "year": year, "computed_max": str(application.computed_max)},
            )
            outbox.enqueue(
                event_key=f"application-submit-{application.pk}",
                recipients=_reviewers(clause),
                subject=str(
                    Message(
                        _("New policy application %(number)s: %(clause)s"),
                        {"number": application.number, "clause": clause.title},
                    )
                ),
                body=f"{enterprise.name} · {clause.code} · {application.computed_max} 元",
                link=f"/policies/applications/{application.number}/",
            )
    except IntegrityError:
        existing = Application.objects.filter(
            submitted_by=acting_user, idempotency_key=idempotency_key
        ).first()
        if existing is None or not idempotency_key:
            raise
        return existing, False
    return application, True


def _locked_application(application: Application) -> tuple[Application, Clause]:
    """Locks enterprise, clause and application, in that order (see the module's docstring)."""
    Enterprise.objects.select_for_update().filter(pk=application.enterprise_id).first()
    clause = (
        Clause.objects.select_for_update(of=("self",))
        .select_related("policy__pack", "department")
        .get(pk=application.clause_id)
    )
    current = (
        Application.objects.select_for_update(of=("self",))
        .select_related("enterprise")
        .get(pk=application.pk)
    )
    current.clause = clause
    return current, clause


def _group_rivals(application: Application, clause: Clause):
    """Other live applications of the enterprise for the same project under the same exclusive group."""
    return (
        Application.objects.filter(
            enterprise_id=application.enterprise_id,
            project=application.project,
            clause__exclusive_group=clause.exclusive_group,
            state__in=lifecycle.LIVE_APPLICATION_STATES,
        )
        .exclude(pk=application.pk)
        .select_related("clause")
    )


def approval_would_refuse(application: Application) -> list[Application]:
    """The other applications approving this one refuses by the rule (就高不就低, 不重复资助): the
    approve form names them beforehand. Empty when approving is blocked by a rival anyway."""
    clause = application.clause
    if not clause.exclusive_group or application.state not in lifecycle.LIVE_APPLICATION_STATES:
        return []
    return [
        rival
        for rival in _group_rivals(application, clause).select_related("clause__policy")
        if rival.state != ApplicationState.APPROVED
    ]


def _refusal_reason(approved: Application) -> str:
    return str(
        Message(
            _(
                "Not granted: the same project is funded under 《%(clause)s》 (application %(number)s) (就高不就低, 不重复资助)."
            ),
            {"clause": approved.clause.title, "number": approved.number},
        )
    )


@transaction.atomic
def application_approve(
    *, application: Application, amount, acting_user: User, comment: str = ""
) -> Application:
    """Approves at most what the rule allows now (what the clause granted the enterprise this year
    since the application was made counts), within the clause's budget, and only the higher of two
    clauses of one exclusive group for one project (就高不就低, 不重复资助)."""
    application, clause = _locked_application(application)
    lifecycle.APPLICATION_STEPS["approve"].check(acting_user, application)
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except InvalidOperation:
        amount = Decimal(-1)
    explanation = matching.explain_one(
        application.enterprise_id, clause, application.year, application.inputs
    )
    if not explanation.eligible or explanation.amount_yuan is None:
        raise _not_eligible(explanation, clause)
    maximum = min(explanation.amount_yuan, application.computed_max)
    if not (Decimal(0) < amount <= maximum):
        raise ZhuqiError(
            "amount_above_rule",
            Message(
                _("The amount must be more than 0 and at most %(maximum)s, the most the rule allows."),
                {"maximum": explain.money_exact(maximum)},
            ),
            status=422,
            field="amount",
        )
    rivals = list(_group_rivals(application, clause)) if clause.exclusive_group else []
    for rival in rivals:
        if rival.state == ApplicationState.APPROVED:
            raise Conflict(
                "already_funded",
                Message(
                    _(
                        "Project %(project)s is already funded under 《%(clause)s》 (application %(number)s): no double funding."
                    ),
                    {"project": application.project, "clause": rival.clause.title, "number": rival.number},
                ),
            )
        if rival.computed_max > maximum:
            raise Conflict(
                "higher_rival",
                Message(
                    _(
                        "Application %(number)s (《%(clause)s》) gives %(amount)s for the same project: the higher one is granted."
                    ),
                    {
                        "number": rival.number,
                        "clause": rival.clause.title,
                        "amount": explain.money_exact(rival.computed_max),
                    },
                ),
            )
    budgets.check(clause, application.year, amount)
    application.state = ApplicationState.APPROVED
    application.approved_amount = amount
    application.computed_max = maximum
    application.decided_by = acting_user
    application.decided_at = timezone.now()
    application.decision_reason = comment.strip()
    application.save()
    audit.record(
        actor=acting_user,
        verb="application_approve",
        obj=application,
        data={"amount": str(amount), "maximum": str(maximum), "comment": application.decision_reason},
    )
    application.clause = clause
    for (
        rival
    ) in rivals:  # the lower ones of the group for this project: the platform's rule, not the handler's act
        _decide_rejected(rival, None, _refusal_reason(application), verb="application_refuse_by_rule")
    _notify_decision(application)
    return application


def _decide_rejected(
    application: Application, acting_user: User | None, reason: str, verb: str = "application_reject"
) -> None:
    application.state = ApplicationState.REJECTED
    application.decision_reason = reason
    application.decided_by = acting_user
    application.decided_at = timezone.now()
    application.save(update_fields=["state", "decision_reason", "decided_by", "decided_at"])
    audit.record(actor=acting_user, verb=verb, obj=application, data={"reason": reason})
    _notify_decision(application)


def _notify_decision(application: Application) -> None:
    subject = (
        Message(
            _("Application %(number)s approved: %(amount)s"),
            {
                "number": application.number,
                "amount": f"{formats.money(application.approved_amount)}（{formats.yuan(application.approved_amount)}）",
            },
        )
        if application.state == ApplicationState.APPROVED
        else Message(_("Application %(number)s was not approved"), {"number": application.number})
    )
    outbox.enqueue(
        event_key=f"application-{application.state}-{application.pk}",
        recipients=_enterprise_users(application.enterprise_id),
        subject=str(subject),
        body=application.decision_reason or str(subject),
        link=f"/policies/applications/{application.number}/",
    )


@transaction.atomic
def application_reject(*, application: Application, reason: str, acting_user: User) -> Application:
    application, _clause = _locked_application(application)
    lifecycle.APPLICATION_STEPS["reject"].check(acting_user, application)
    if not (reason or "").strip():
        raise ZhuqiError("reason_missing", _("Give a reason."), status=422, field="reason")
    _decide_rejected(application, acting_user, reason.strip())
    return application


@transaction.atomic
def application_attach(*, application: Application, upload, acting_user: User):
    """Adds a supporting file to an application under review: the enterprise itself (the reviewers
    are told). A decided application takes no more files."""
    application, clause = _locked_application(application)
    lifecycle.APPLICATION_STEPS["attach"].check(acting_user, application)
    attachment, created = stored_files.store(
        upload, object_type="application", object_id=application.pk, acting_user=acting_user
    )
    if created:
        audit.record(
            actor=acting_user, verb="application_attach", obj=application, data={"file": attachment.filename}
        )
        outbox.enqueue(
            event_key=f"application-attach-{attachment.pk}",
            recipients=_reviewers(clause),
            subject=str(Message(_("New file on application %(number)s"), {"number": application.number})),
            body=attachment.filename,
            link=f"/policies/applications/{application.number}/",
        )
    return attachment


@transaction.atomic
def application_withdraw(*, application: Application, acting_user: User) -> Application:
    application, _clause = _locked_application(application)
    step = lifecycle.APPLICATION_STEPS["withdraw"]
    step.check(acting_user, application)
    application.state = step.target
    application.save(update_fields=["state"])
    audit.record(actor=acting_user, verb="application_withdraw", obj=application)
    return application
