"""No-application grants (免申即享): offers made on verified data, the enterprise's one confirmation,
cancellation by the coordinating office. Each change, in one transaction: locks the clause row (its
budget, see budgets.py) or the offer, checks its step (lifecycle.OFFER_STEPS), writes the change and
its audit event, and queues the notifications in the outbox."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.core import audit, outbox, permissions, validators, workdays
from zhuqi.core.errors import Message, ZhuqiError
from zhuqi.core.permissions import Capability
from zhuqi.directory.models import Enterprise
from zhuqi.directory.selectors import enterprise_users_by_enterprise
from zhuqi.policies import budgets, explain, lifecycle, matching
from zhuqi.policies import facts as facts_table
from zhuqi.policies.models import Clause, GrantOffer, OfferState

PAYMENT_WORKING_DAYS = 2  # seed 001: 免申即享 "资金 1–2 个工作日内即可到账"


@dataclass
class OfferRun:
    year: int
    created: int
    already_offered: int
    unverified: int  # eligible, but on data not yet verified: no offer until it is
    over_budget: int  # eligible and verified, but the clause's budget is spent


def _indicator_facts(pack, clause) -> list[str]:
    read = pack.reads(clause) & set(pack.facts)
    return sorted(n for n in read if (o := facts_table.parse_origin(pack.facts[n])) and o[0] == "indicator")


def offers_run(*, period: date, acting_user=None, enterprise_ids=None, progress=None) -> OfferRun:
    """Turns eligibility on verified data into offers for every 免申即享 clause in force (for every
    enterprise, or those in `enterprise_ids`: a tier recognised offers its reward at once).

    Every enterprise is read, evaluated and offered in chunks of settings.ZHUQI_BATCH_CHUNK
    enterprises by id range (facts.chunks, as a match run does), so that memory stays flat at a
    province's scale; `progress(done, total)` is told after each chunk. Each chunk's offers of a
    clause are committed together (the clause row locked for its budget): a run stopped part-way keeps
    the chunks done, and running it again offers the rest, none twice (an offer already made for the
    clause and year is counted, not made again)."""
    if acting_user is not None:  # None: the platform itself (zhuqi policies offers)
        permissions.require(
            acting_user, Capability.RUN_MATCHING, _("Only the coordinating office runs grants.")
        )
    totals = OfferRun(period.year, 0, 0, 0, 0)
    spans = [enterprise_ids] if enterprise_ids is not None else facts_table.chunks()
    for done, span in enumerate(spans, 1):
        _offer_chunk(period, span, acting_user, totals)
        if progress is not None:
            progress(done, len(spans))
    return totals


def _offer_chunk(period: date, enterprise_ids, acting_user, totals: OfferRun) -> None:
    evaluation = matching.evaluate(period, enterprise_ids=enterprise_ids, auto_grant_only=True)
    frame = evaluation.frame
    for clause_row, clause, pack in evaluation.clauses:
        verified_cols = [f"{n}:verified" for n in _indicator_facts(pack, clause)]
        eligible = frame.filter(
            pl.col(f"{clause.code}:eligible") & (pl.col(f"{clause.code}:amount") > 0)
        )  # fen
        verified = pl.all_horizontal(*(pl.col(c) for c in verified_cols)) if verified_cols else pl.lit(True)
        # By enterprise id: a budget that runs out is spent in the same order whatever the chunks.
        ready = eligible.filter(verified).sort("enterprise_id")
        totals.unverified += eligible.height - ready.height
        if ready.is_empty():
            continue
        created, existing, over = _offer_clause(
            clause_row, clause, pack, ready, totals.year, acting_user, enterprise_ids
        )
        totals.created += created
        totals.already_offered += existing
        totals.over_budget += over


@transaction.atomic
def _offer_clause(
    clause_row: Clause, clause, pack, ready: pl.DataFrame, year: int, acting_user, enterprise_ids
) -> tuple[int, int, int]:
    clause_row = Clause.objects.select_for_update().get(pk=clause_row.pk)
    offers = GrantOffer.objects.filter(clause=clause_row, year=year)
    if enterprise_ids is not None:
        offers = offers.filter(**facts_table.ids_lookup(enterprise_ids))
    offered = set(offers.values_list("enterprise_id", flat=True))
    left = None if clause_row.budget is None else clause_row.budget - budgets.committed(clause_row, year)
    read = sorted(pack.reads(clause) & set(pack.facts))
    snapshot = _snapshot_facts(
        pack, read, year, [e for e in ready["enterprise_id"].to_list() if e not in offered], enterprise_ids
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
                            _("免申即享: %(amount)s under %(clause)s — confirm your account"),
                            {"amount": explain.money_exact(r.amount), "clause": clause_row.title},
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


def _snapshot_facts(
    pack, read: list[str], year: int, enterprise_ids: list[int], within=None
) -> dict[int, dict]:
    """The facts each offer's amount is computed from, kept with it (what an auditor asks first).
    `within`: the chunk of the run (a range of ids), read as a range rather than as a list of ids."""
    if not enterprise_ids:
        return {}
    if facts_table.is_span(within):
        wanted = pl.Series(enterprise_ids, dtype=pl.Int64).implode()
        table = facts_table.build([pack], year, within).filter(pl.col("enterprise_id").is_in(wanted))
    else:
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
        recipients=enterprise_users_by_enterprise([offer.enterprise_id]).get(offer.enterprise_id, []),
        subject=str(Message(_("Grant %(number)s was cancelled"), {"number": offer.number})),
        body=reason.strip(),
        link=f"/policies/offers/{offer.number}/",
    )
    return offer
