"""Disbursement batches: the coordinating office gathers confirmed grant offers into one list for the
finance bureau, exports it as .xlsx in the layout the bureau pays from, and records it as paid."""

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuqi.accounts.models import User
from zhuqi.core import audit, outbox, permissions, tabular
from zhuqi.core.errors import Conflict, Message
from zhuqi.core.permissions import Capability
from zhuqi.directory.selectors import enterprise_users_by_enterprise
from zhuqi.policies import explain
from zhuqi.policies.models import DisbursementBatch, GrantOffer, OfferState


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
                        _("Grant %(number)s paid: %(amount)s"),
                        {"number": o.number, "amount": explain.money_exact(o.amount)},
                    )
                ),
                body=f"{o.bank_name} ****{o.account_number[-4:]}",
                link=f"/policies/offers/{o.number}/",
            )
            for o in offers
        ]
    )
    return batch


HEADERS = [
    "序号",
    "批次号",
    "兑现编号",
    "企业名称",
    "统一社会信用代码",
    "政策条款",
    "年度",
    "金额(元)",
    "开户银行",
    "账户名称",
    "账号",
    "确认时间",
    "应付日期",
]


WIDTHS = [6, 16, 20, 36, 22, 36, 6, 14, 20, 36, 24, 18, 12]
AMOUNT = HEADERS.index("金额(元)")


def export_batch(batch: DisbursementBatch) -> bytes:
    """Text from enterprises (names, bank names, account names) is written as text, never as a
    formula: this file is opened at the finance bureau (tabular.write_xlsx)."""
    offers = batch.offers.select_related("enterprise", "clause").order_by("id")
    rows = [
        [
            i,
            batch.number,
            o.number,
            o.enterprise.name,
            o.enterprise.uscc,
            f"{o.clause.code} {o.clause.title}",
            o.year,
            o.amount,
            o.bank_name,
            o.account_name,
            o.account_number,  # text: an account number is not a number to Excel
            timezone.localtime(o.confirmed_at).strftime("%Y-%m-%d %H:%M") if o.confirmed_at else "",
            timezone.localtime(o.pay_due).strftime("%Y-%m-%d") if o.pay_due else "",
        ]
        for i, o in enumerate(offers, start=1)
    ]
    rows += [[], ["合计", "", "", "", "", "", "", batch.total]]
    return tabular.write_xlsx(batch.number, HEADERS, rows, widths=WIDTHS, number_formats={AMOUNT: "#,##0.00"})
