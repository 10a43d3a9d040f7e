"""A clause's annual budget bounds approvals and grant offers together. Call with the clause row
locked (select_for_update): approvals and offers of one clause are then serialised, so the budget is
never overspent."""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from zhuqi.core.errors import Conflict, Message
from zhuqi.policies.models import Application, ApplicationState, Clause, GrantOffer, OfferState


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


def check(clause: Clause, year: int, amount: Decimal) -> None:
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
