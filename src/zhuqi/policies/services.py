"""Every change of an application, a grant offer or a disbursement batch goes through one function
here. Each, in one transaction: locks what it changes, checks the state and the actor's permission,
writes the change and its audit event, and queues the notifications in the outbox.

Lock order, everywhere: the enterprise row, then the clause row, then the application or offer. The
clause row guards its annual budget (approvals and offers of one clause are serialised, so the budget
is never overspent); the enterprise row guards its exclusive groups (two clauses of one group never
both fund one project, even when two departments approve at the same moment).
"""

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import polars as pl
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import Role, User
from zhuqi.core import attachments as stored_files
from zhuqi.core import audit, outbox, permissions, validators, workdays
from zhuqi.core.errors import Conflict, Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Enterprise
from zhuqi.directory.selectors import enterprise_users_by_enterprise
from zhuqi.policies import facts as facts_table
from zhuqi.policies import lifecycle, matching
from zhuqi.policies.models import (
    Application,
    ApplicationState,
    Clause,
    DisbursementBatch,
    GrantOffer,
    OfferState,
)
from zhuqi.policies.packs import clause_rule
from zhuqi.rules import exact
from zhuqi.rules.expr import BOOL, NUMBER
from zhuqi.rules.model import BUILTIN_FACTS

FEN = exact.FEN
MAX_INPUT = exact.FACT_LIMIT  # the rules engine's bound on every number it reads
PAYMENT_WORKING_DAYS = 2  # seed 001: 免申即享 "资金 1–2 个工作日内即可到账"


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


def _not_eligible(explanation) -> ZhuqiError:
    failing = [c.text for c in explanation.checks if c.holds is False]
    return ZhuqiError(
        "not_eligible",
        Message(
            _("By the rule of this clause the enterprise does not qualify: %(failing)s."),
            {"failing": "; ".join(failing) or "—"},
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
            Message(_("Clause %(code)s is not in force in %(year)d."), {"code": clause.code, "year": year}),
            status=422,
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
        raise _not_eligible(explanation)
    try:
        with transaction.atomic():
            duplicate = Application.objects.filter(
                enterprise=enterprise,
                clause=clause,
                year=year,
                project=project,
                state__in=[ApplicationState.SUBMITTED, ApplicationState.APPROVED],
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


def committed(clause: Clause, year: int) -> Decimal:
    """What the clause has committed in `year`: approved applications and live grant offers."""
    approved = Application.objects.filter(
        clause=clause, year=year, state=ApplicationState.APPROVED
    ).aggregate(s=Sum("approved_amount"))["s"]
    offered = (
        GrantOffer.objects.filter(clause=clause, year=year)
        .exclude(state=OfferState.CANCELLED)
        .aggregate(s=Sum("amount"))["s"]
    )
    return (approved or Decimal(0)) + (offered or Decimal(0))


def _check_budget(clause: Clause, year: int, amount: Decimal) -> None:
    if clause.budget is None:
        return
    left = clause.budget - committed(clause, year)
    if amount > left:
        raise Conflict(
            "budget_exceeded",
            Message(
                _(
                    "The %(year)d budget of clause %(code)s has %(left)s yuan left; %(amount)s yuan cannot be granted."
                ),
                {"year": year, "code": clause.code, "left": f"{max(left, 0):,}", "amount": f"{amount:,}"},
            ),
        )


def _group_rivals(application: Application, clause: Clause):
    """Other live applications of the enterprise for the same project under the same exclusive group."""
    return (
        Application.objects.filter(
            enterprise_id=application.enterprise_id,
            project=application.project,
            clause__exclusive_group=clause.exclusive_group,
            state__in=[ApplicationState.SUBMITTED, ApplicationState.APPROVED],
        )
        .exclude(pk=application.pk)
        .select_related("clause")
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
        raise _not_eligible(explanation)
    maximum = min(explanation.amount_yuan, application.computed_max)
    if not (Decimal(0) < amount <= maximum):
        raise ZhuqiError(
            "amount_above_rule",
            Message(
                _("The amount must be more than 0 and at most %(maximum)s yuan, the most the rule allows."),
                {"maximum": f"{maximum:,}"},
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
                        "Project %(project)s is already funded under %(code)s (application %(number)s): no double funding."
                    ),
                    {"project": application.project, "code": rival.clause.code, "number": rival.number},
                ),
            )
        if rival.computed_max > maximum:
            raise Conflict(
                "higher_rival",
                Message(
                    _(
                        "Application %(number)s (%(code)s) gives %(amount)s yuan for the same project: the higher one is granted."
                    ),
                    {"number": rival.number, "code": rival.clause.code, "amount": f"{rival.computed_max:,}"},
                ),
            )
    _check_budget(clause, application.year, amount)
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
    for rival in rivals:  # the lower ones of the group for this project
        _decide_rejected(
            rival,
            acting_user,
            str(
                Message(
                    _("Not granted: the same project is funded under %(code)s (就高不就低, 不重复资助)."),
                    {"code": clause.code},
                )
            ),
        )
    _notify_decision(application)
    return application


def _decide_rejected(application: Application, acting_user: User, reason: str) -> None:
    application.state = ApplicationState.REJECTED
    application.decision_reason = reason
    application.decided_by = acting_user
    application.decided_at = timezone.now()
    application.save(update_fields=["state", "decision_reason", "decided_by", "decided_at"])
    audit.record(actor=acting_user, verb="application_reject", obj=application, data={"reason": reason})
    _notify_decision(application)


def _notify_decision(application: Application) -> None:
    subject = (
        Message(
            _("Application %(number)s approved: %(amount)s yuan"),
            {"number": application.number, "amount": f"{application.approved_amount:,}"},
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


# ---------------------------------------------------------------------------------------------
# No-application grants (免申即享)


@dataclass
class OfferRun:
    year: int
    created: int
    already_offered: int
    unverified: int  # eligible, but on data not yet verified: no offer until it is
    over_budget: int  # eligible and verified, but the clause's budget is spent


def _indicator_facts(pack, clause) -> list[str]:
    read = (clause.condition.names() | clause.amount.names()) & set(pack.facts)
    return sorted(n for n in read if (o := facts_table.parse_origin(pack.facts[n])) and o[0] == "indicator")


def offers_run(*, period: date, acting_user=None) -> OfferRun:
    """Turns eligibility on verified data into offers for every 免申即享 clause in force."""
    if acting_user is not None:  # None: the platform itself (zhuqi policies offers)
        permissions.require(
            acting_user, Capability.RUN_MATCHING, _("Only the coordinating office runs grants.")
        )
    evaluation = matching.evaluate(period, auto_grant_only=True)
    frame, year = evaluation.frame, period.year
    totals = OfferRun(year, 0, 0, 0, 0)
    for clause_row, clause, pack in evaluation.clauses:
        verified_cols = [f"{n}:verified" for n in _indicator_facts(pack, clause)]
        eligible = frame.filter(
            pl.col(f"{clause.code}:eligible") & (pl.col(f"{clause.code}:amount") > 0)
        )  # fen
        verified = pl.all_horizontal(*(pl.col(c) for c in verified_cols)) if verified_cols else pl.lit(True)
        ready = eligible.filter(verified)
        totals.unverified += eligible.height - ready.height
        created, existing, over = _offer_clause(clause_row, clause, pack, ready, year, acting_user)
        totals.created += created
        totals.already_offered += existing
        totals.over_budget += over
    return totals


@transaction.atomic
def _offer_clause(
    clause_row: Clause, clause, pack, ready: pl.DataFrame, year: int, acting_user
) -> tuple[int, int, int]:
    clause_row = Clause.objects.select_for_update().get(pk=clause_row.pk)
    offered = set(
        GrantOffer.objects.filter(clause=clause_row, year=year).values_list("enterprise_id", flat=True)
    )
    left = None if clause_row.budget is None else clause_row.budget - committed(clause_row, year)
    read = sorted((clause.condition.names() | clause.amount.names()) & set(pack.facts))
    snapshot = _snapshot_facts(
        pack, read, year, [e for e in ready["enterprise_id"].to_list() if e not in offered]
    )
    rows, over, existing = [], 0, 0
    for record in ready.select("enterprise_id", f"{clause.code}:amount").iter_rows():
        enterprise_id, amount = record
        if enterprise_id in offered:
            existing += 1
            continue
        amount = matching.engine.yuan_of_fen(amount)
        if left is not None:
            if amount > left:
                over += 1
                continue
            left -= amount
        rows.append(
            GrantOffer(
                number=f"MS{year}{clause_row.pk:03d}{enterprise_id:08d}",
                enterprise_id=enterprise_id,
                clause=clause_row,
                year=year,
                amount=amount,
                facts=snapshot.get(enterprise_id, {}),
            )
        )
    GrantOffer.objects.bulk_create(rows, batch_size=1000)
    if rows:
        audit.record_batch(
            actor=acting_user,
            verb="grant_offer_create",
            model=GrantOffer,
            batch_id=f"{clause_row.code}-{year}",
            data={
                "clause": clause_row.code,
                "year": year,
                "offers": len(rows),
                "total": str(sum(r.amount for r in rows)),
            },
        )
        users = enterprise_users_by_enterprise(r.enterprise_id for r in rows)
        outbox.enqueue_many(
            [
                outbox.Pending(
                    event_key=f"grant-offer-{r.number}",
                    recipients=users.get(r.enterprise_id, []),
                    subject=str(
                        Message(
                            _("免申即享: %(amount)s yuan under %(clause)s — confirm your account"),
                            {"amount": f"{r.amount:,}", "clause": clause_row.title},
                        )
                    ),
                    body=str(
                        Message(
                            _("Confirm the receiving account; payment follows within %(days)d working days."),
                            {"days": PAYMENT_WORKING_DAYS},
                        )
                    ),
                    link=f"/policies/offers/{r.number}/",
                )
                for r in rows
                if r.enterprise_id in users
            ]
        )
    return len(rows), existing, over


def _snapshot_facts(pack, read: list[str], year: int, enterprise_ids: list[int]) -> dict[int, dict]:
    """The facts each offer's amount is computed from, kept with it (what an auditor asks first)."""
    if not enterprise_ids:
        return {}
    table = facts_table.build([pack], year, enterprise_ids)
    names = [n for n in read if n in table.columns]
    # Amounts as exact text in the JSON (a float would not be the figure the amount came from).
    return {
        row.pop("enterprise_id"): {k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()}
        for row in table.select("enterprise_id", *names).to_dicts()
    }


def _locked_offer(offer: GrantOffer) -> GrantOffer:
    return (
        GrantOffer.objects.select_for_update(of=("self",))
        .select_related("enterprise", "clause")
        .get(pk=offer.pk)
    )


def _account(
    bank_name: str, account_name: str, account_number: str, enterprise: Enterprise
) -> tuple[str, str, str]:
    bank_name, account_name = (bank_name or "").strip(), (account_name or "").strip()
    number = "".join((account_number or "").split())
    if not bank_name:
        raise ZhuqiError(
            "bank_missing", _("Name the bank of the receiving account."), status=422, field="bank_name"
        )
    if account_name != enterprise.name:
        raise ZhuqiError(
            "account_name_mismatch",
            Message(
                _("The receiving account must be the enterprise's own: its name must read %(name)s."),
                {"name": enterprise.name},
            ),
            status=422,
            field="account_name",
        )
    if not validators.is_digits(number, 8, 32):  # ASCII only: "１２３" is digits to str.isdigit()
        raise ZhuqiError(
            "bad_account_number",
            _("An account number has 8 to 32 digits."),
            status=422,
            field="account_number",
        )
    return bank_name, account_name, number


@transaction.atomic
def offer_confirm(
    *, offer: GrantOffer, bank_name: str, account_name: str, account_number: str, acting_user: User
) -> GrantOffer:
    """The enterprise's one action: it confirms the receiving account; payment is due within
    PAYMENT_WORKING_DAYS working days. Confirming again with the same account changes nothing."""
    offer = _locked_offer(offer)
    step = lifecycle.OFFER_STEPS["confirm"]
    step.require_permission(acting_user, offer)
    bank_name, account_name, number = _account(bank_name, account_name, account_number, offer.enterprise)
    if offer.state not in step.sources:
        if offer.state != OfferState.CANCELLED and (offer.bank_name, offer.account_number) == (
            bank_name,
            number,
        ):
            return offer  # a retried confirmation
        step.require_state(offer)
    now = timezone.now()
    offer.bank_name, offer.account_name, offer.account_number = bank_name, account_name, number
    offer.state = step.target
    offer.confirmed_by, offer.confirmed_at = acting_user, now
    offer.pay_due = workdays.add_working_days(now, PAYMENT_WORKING_DAYS)
    offer.save()
    audit.record(
        actor=acting_user,
        verb="grant_offer_confirm",
        obj=offer,
        data={"bank": bank_name, "account": f"****{number[-4:]}", "pay_due": offer.pay_due.isoformat()},
    )
    return offer


@transaction.atomic
def offer_cancel(*, offer: GrantOffer, reason: str, acting_user: User) -> GrantOffer:
    """The coordinating office withdraws an offer not yet in a batch (data found wrong); its amount
    returns to the budget."""
    offer = _locked_offer(offer)
    step = lifecycle.OFFER_STEPS["cancel"]
    step.check(acting_user, offer)
    if not (reason or "").strip():
        raise ZhuqiError("reason_missing", _("Give a reason."), status=422, field="reason")
    offer.state = step.target
    offer.save(update_fields=["state"])
    audit.record(actor=acting_user, verb="grant_offer_cancel", obj=offer, data={"reason": reason.strip()})
    outbox.enqueue(
        event_key=f"grant-offer-cancel-{offer.pk}",
        recipients=_enterprise_users(offer.enterprise_id),
        subject=str(Message(_("Grant %(number)s was cancelled"), {"number": offer.number})),
        body=reason.strip(),
        link=f"/policies/offers/{offer.number}/",
    )
    return offer


@transaction.atomic
def batch_create(*, acting_user: User) -> DisbursementBatch:
    """Every confirmed offer not yet in a batch becomes one disbursement list for the finance bureau."""
    permissions.require(
        acting_user, Capability.DISBURSE_GRANTS, _("Only the coordinating office makes disbursement batches.")
    )
    offers = list(GrantOffer.objects.select_for_update().filter(state=OfferState.CONFIRMED).order_by("id"))
    if not offers:
        raise Conflict("nothing_to_batch", _("No confirmed grant is waiting for a batch."))
    batch = DisbursementBatch.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:18]}", created_by=acting_user, total=sum(o.amount for o in offers)
    )
    batch.number = f"FF{timezone.localtime():%Y%m%d}{batch.pk:04d}"
    batch.save(update_fields=["number"])
    GrantOffer.objects.filter(pk__in=[o.pk for o in offers]).update(state=OfferState.BATCHED, batch=batch)
    audit.record(
        actor=acting_user,
        verb="disbursement_batch_create",
        obj=batch,
        data={"offers": len(offers), "total": str(batch.total)},
    )
    return batch


@transaction.atomic
def batch_mark_paid(*, batch: DisbursementBatch, acting_user: User) -> DisbursementBatch:
    permissions.require(
        acting_user, Capability.DISBURSE_GRANTS, _("Only the coordinating office records payment.")
    )
    batch = DisbursementBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.paid_at is not None:
        return batch  # recorded already: a retry changes nothing
    now = timezone.now()
    batch.paid_at = now
    batch.save(update_fields=["paid_at"])
    offers = list(GrantOffer.objects.select_for_update().filter(batch=batch))
    GrantOffer.objects.filter(batch=batch).update(state=OfferState.PAID, paid_at=now)
    audit.record(
        actor=acting_user,
        verb="disbursement_batch_paid",
        obj=batch,
        data={"offers": len(offers), "total": str(batch.total)},
    )
    users = enterprise_users_by_enterprise(o.enterprise_id for o in offers)
    outbox.enqueue_many(
        [
            outbox.Pending(
                event_key=f"grant-offer-paid-{o.pk}",
                recipients=users.get(o.enterprise_id, []),
                subject=str(
                    Message(
                        _("Grant %(number)s paid: %(amount)s yuan"),
                        {"number": o.number, "amount": f"{o.amount:,}"},
                    )
                ),
                body=f"{o.bank_name} ****{o.account_number[-4:]}",
                link=f"/policies/offers/{o.number}/",
            )
            for o in offers
        ]
    )
    return batch
