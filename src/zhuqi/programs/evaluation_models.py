"""The annual evaluation of pilots (年度评价机制, seed 000 四(四)) and the half-yearly growth reports
(成长监测, 四(四)): models of stream B, in the `programs` app (imported by programs/models.py).

An `Evaluation` is one programme's evaluation of one year's figures (run early the next year); each
pilot gets an `EvaluationItem` with the figures it was judged on, the platform's proposal and the
committee's decision. Nothing changes on a pilot until the committee's proposal and the city
government's approval are both recorded (evaluation_lifecycle.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhuqi.directory.models import Enterprise


class Evaluation(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Proposed by the platform, under review")
        PROPOSED = "proposed", _("Proposed by the selection committee, awaiting the city government")
        APPROVED = "approved", _("Approved by the city government and carried out")

    programme = models.ForeignKey("programs.Programme", on_delete=models.PROTECT, related_name="evaluations")
    year = models.PositiveSmallIntegerField(_("year evaluated"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    run_at = models.DateTimeField(_("run at"))
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    committee_note = models.CharField(_("the committee's proposal"), max_length=500, blank=True)
    proposed_on = models.DateField(_("proposed on"), null=True, blank=True)
    approval_document = models.CharField(
        _("the city government's approval (文号)"), max_length=100, blank=True
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("annual evaluation")
        ordering = ["-year", "programme_id"]
        constraints = [models.UniqueConstraint(fields=["programme", "year"], name="one_evaluation_per_year")]

    def __str__(self):
        return f"{self.programme} {self.year}"


class Proposal(models.TextChoices):
    KEEP = "keep", _("Keep (on its doubling path)")
    PROBATION = "probation", _("Keep one more year on probation")
    REPLACE = "replace", _("Replace")
    DOUBLED = "doubled", _("Doubled")


class Reason(models.TextChoices):
    ON_PATH = "on_path", _("Main revenue or tax is on its doubling path")
    DOUBLED = "doubled", _("Main revenue has doubled")
    SLOW = "slow", _("Growing too slowly; a third-party assessment must say whether doubling is feasible")
    FEASIBLE = "feasible", _("Growing too slowly; the third-party assessment says doubling is still feasible")
    NOT_FEASIBLE = "not_feasible", _("The third-party assessment says doubling is no longer feasible")
    SLOW_AGAIN = "slow_again", _("Growing too slowly for a second year")
    DISHONEST = "dishonest", _("Serious dishonesty (明显失信行为)")
    NO_FIGURES = "no_figures", _("Figures missing: for the committee to judge")


class EvaluationItem(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="items")
    pilot = models.ForeignKey("programs.Pilot", on_delete=models.PROTECT, related_name="evaluation_items")
    base_year = models.PositiveSmallIntegerField(_("base year"))
    years = models.PositiveSmallIntegerField(_("years since the base year"))
    commitment_years = models.PositiveSmallIntegerField(_("doubling within (years)"))
    was_on_probation = models.BooleanField(_("on probation when evaluated"), default=False)
    base_revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    revenue = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    base_tax = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    tax = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    revenue_ratio = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    tax_ratio = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    needed_ratio = models.DecimalField(_("needed by now"), max_digits=12, decimal_places=4)
    proposal = models.CharField(_("platform's proposal"), max_length=10, choices=Proposal.choices)
    reason = models.CharField(_("reason"), max_length=14, choices=Reason.choices)
    decision = models.CharField(_("the committee's decision"), max_length=10, choices=Proposal.choices)
    decision_note = models.CharField(_("why the committee decided otherwise"), max_length=300, blank=True)
    # Third-party assessment (第三方评估), with its file (core.Attachment, object type "evaluation_item").
    assessment_feasible = models.BooleanField(_("assessment: doubling still feasible"), null=True, blank=True)
    assessment_note = models.CharField(_("assessment"), max_length=300, blank=True)
    dishonest = models.BooleanField(_("serious dishonesty"), default=False)
    dishonesty_note = models.CharField(_("dishonesty found"), max_length=300, blank=True)
    reenter = models.BooleanField(_("doubled and re-enters for new years of support"), default=False)
    candidate = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("replacement"),
    )
    candidate_from = models.CharField(_("replacement from"), max_length=10, blank=True)  # reserve | town
    candidate_class = models.CharField(max_length=12, blank=True)
    candidate_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    successor = models.ForeignKey(
        "programs.Pilot", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("evaluation of a pilot")
        ordering = ["evaluation", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "pilot"], name="one_item_per_pilot"),
            models.CheckConstraint(
                name="assessment_only_with_a_note",
                condition=Q(assessment_feasible__isnull=True) | ~Q(assessment_note=""),
            ),
        ]

    def __str__(self):
        return f"{self.evaluation} {self.pilot_id}: {self.decision}"


class ReportingTask(models.Model):
    """A half-yearly report a pilot owes the office (四(四): 「每半年向倍增办提供企业基础数据、财务信息、
    生产经营状况」): the first half's figures by the end of July, the full year's by the end of January
    (what the annual evaluation reads)."""

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for the report")
        SUBMITTED = "submitted", _("Reported")
        CANCELLED = "cancelled", _("Cancelled")

    pilot = models.ForeignKey("programs.Pilot", on_delete=models.CASCADE, related_name="reporting_tasks")
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half"), choices=[(1, _("first half")), (2, _("whole year"))])
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    reminded_on = models.DateField(_("reminded on"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("time reported"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True)  # key → yuan as text
    operating_status = models.TextField(_("operating status"), max_length=2000, blank=True)
    flags = models.JSONField(_("cross-check"), default=list, blank=True)

    class Meta:
        verbose_name = _("reporting task")
        ordering = ["-year", "-half", "pilot_id"]
        constraints = [models.UniqueConstraint(fields=["pilot", "year", "half"], name="one_task_per_half")]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self):
        return f"{self.pilot_id} {self.year}H{self.half}"


class PolicyListEntry(models.Model):
    """A clause of the policy list a responsible department keeps for one of its pilots (四(五)2:
    「汇总并确定各自跟进的试点企业发展所需的政策清单,做好跟踪落实」)."""

    class Status(models.TextChoices):
        TRACKING = "tracking", _("Tracking")
        DONE = "done", _("Carried out")

    pilot = models.ForeignKey("programs.Pilot", on_delete=models.CASCADE, related_name="policy_list")
    clause = models.ForeignKey("policies.Clause", on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.TRACKING)
    added_on = models.DateField(_("added on"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("policy list entry")
        ordering = ["pilot_id", "id"]
        constraints = [models.UniqueConstraint(fields=["pilot", "clause"], name="one_entry_per_clause")]

    def __str__(self):
        return f"{self.pilot_id}: {self.clause_id}"
