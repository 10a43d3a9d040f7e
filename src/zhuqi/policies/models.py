"""Policies as data, on the Django side.

A policy pack (YAML, `zhuqi.rules`) is the source of truth: `PolicyPack.document` holds it, and every
save is checked by the same loader that `zhuqi rules check` uses. Policy and Clause rows mirror the
pack so that matches, applications, offers and budgets can refer to a clause by key; a clause that
leaves the pack is retired, never deleted, because applications and grants keep pointing at it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhuqi.directory.models import Department, Enterprise


class PolicyPack(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    document = models.TextField(_("YAML document"))
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("policy pack")
        ordering = ["code"]

    def __str__(self):
        return self.title


class Policy(models.Model):
    pack = models.ForeignKey(PolicyPack, on_delete=models.CASCADE, related_name="policies")
    code = models.CharField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number (文号)"), max_length=100, blank=True)
    issuers = models.CharField(_("issued by"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    retired = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["pack", "code"]

    def __str__(self):
        return self.title


class Clause(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="clauses")
    code = models.CharField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source paragraph"), max_length=300)
    department_name = models.CharField(_("responsible department (as written)"), max_length=100, blank=True)
    # Who reviews applications: the department the pack names, else the coordinating office (NULL).
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="clauses"
    )
    auto_grant = models.BooleanField(_("granted without application (免申即享)"), default=False)
    exclusive_group = models.CharField(_("exclusive group (就高不就低)"), max_length=64, blank=True)
    # Yuan a year that approvals and grant offers of this clause may commit; NULL: no budget set.
    budget = models.DecimalField(_("annual budget"), max_digits=16, decimal_places=2, null=True, blank=True)
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    sort = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(_("no longer in the pack"), default=False)

    class Meta:
        verbose_name = _("clause")
        ordering = ["policy__pack", "sort", "code"]

    def __str__(self):
        return f"{self.code} {self.title}"


class MatchRun(models.Model):
    """One evaluation of every enterprise against every clause in force on `period`."""

    period = models.DateField(_("period"))
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enterprises = models.PositiveIntegerField(default=0)
    clauses = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(_("eligible pairs"), default=0)
    unknown = models.PositiveIntegerField(_("pairs with missing facts"), default=0)
    newly_eligible = models.PositiveIntegerField(_("newly eligible pairs"), default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("match run")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.period}: {self.eligible}"


class Match(models.Model):
    """Where an enterprise stands against a clause for a year: eligible (with the estimated amount
    when the clause needs no application inputs) or undecided for want of a fact. Ineligible pairs
    are not stored."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="policy_matches")
    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="matches")
    year = models.PositiveSmallIntegerField(_("year"))
    eligible = models.BooleanField(_("eligible"))
    amount = models.DecimalField(_("estimated amount"), max_digits=16, decimal_places=2, null=True)
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("match")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "clause", "year"], name="one_match_per_year")
        ]
        indexes = [models.Index(fields=["year", "clause", "eligible"])]

    def __str__(self):
        return f"{self.enterprise_id} {self.clause_id} {self.year}"


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    number = models.CharField(_("number"), max_length=24, unique=True)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="policy_applications")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="applications")
    year = models.PositiveSmallIntegerField(_("year"))
    # The project an amount is for: two clauses of one exclusive group never both fund one project.
    project = models.CharField(_("project"), max_length=200, blank=True)
    inputs = models.JSONField(_("inputs"), default=dict)
    state = models.CharField(
        _("state"), max_length=10, choices=ApplicationState.choices, default=ApplicationState.SUBMITTED
    )
    computed_max = models.DecimalField(
        _("maximum by the rule"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    approved_amount = models.DecimalField(
        _("approved amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # NULL, not "", means "no key": the partial unique constraint below must ignore keyless rows.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("policy application")
        ordering = ["-created_at", "-id"]
        # The list's order: its id walk (core/pagination.py) reads this index.
        indexes = [models.Index(fields=["-created_at", "-id"], name="application_list_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="one_application_per_idempotency_key",
            ),
            models.CheckConstraint(
                name="approved_amount_not_above_rule",
                condition=Q(approved_amount__isnull=True) | Q(approved_amount__lte=models.F("computed_max")),
            ),
        ]

    def __str__(self):
        return self.number


class OfferState(models.TextChoices):
    OFFERED = "offered", _("Offered, waiting for the enterprise to confirm its account")
    CONFIRMED = "confirmed", _("Confirmed, waiting for payment")
    BATCHED = "batched", _("In a disbursement batch")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class GrantOffer(models.Model):
    """A no-application grant (免申即享): eligibility on verified data turned into an offer that the
    enterprise only confirms with its receiving account."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="grant_offers")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="grant_offers")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    facts = models.JSONField(_("facts the amount was computed from"), default=dict)
    state = models.CharField(
        _("state"), max_length=10, choices=OfferState.choices, default=OfferState.OFFERED
    )
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    account_name = models.CharField(_("account name"), max_length=200, blank=True)
    account_number = models.CharField(_("account number"), max_length=40, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    pay_due = models.DateTimeField(_("to be paid by"), null=True, blank=True)
    batch = models.ForeignKey(
        "DisbursementBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="offers"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("grant offer")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list's order: its id walk (core/pagination.py) reads this index.
            models.Index(fields=["-created_at", "-id"], name="offer_list_order"),
            # The offers waiting for a batch, counted on the offers page and taken by a new batch: as
            # many index entries as are waiting, not a scan of every offer ever made.
            models.Index(fields=["id"], name="offer_waiting_for_batch", condition=Q(state="confirmed")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "clause", "year"], name="one_offer_per_clause_and_year"
            )
        ]

    def __str__(self):
        return self.number


class DisbursementBatch(models.Model):
    """Confirmed offers handed to the finance bureau as one .xlsx list, then marked paid."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(_("total"), max_digits=18, decimal_places=2, default=0)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("disbursement batch")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.number
