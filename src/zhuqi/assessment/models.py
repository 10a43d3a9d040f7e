"""Enterprises rate departments (seed 004), and each period's assessment of departments and towns
(seed 002 三(三), seed 003 三(一)3).

A questionnaire is data (aspects and items, `questionnaires/*.yaml`). A campaign asks a sample of
enterprises (or all) by a deadline. An answer (Response) names the department rated and nothing of who
answered: it has no link to the enterprise, the user or the invitation. The invitation only records
that the enterprise answered; a keyed digest (`respondent_key`) stops one enterprise rating the same
department twice in a campaign without naming it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from zhuqi.directory.models import Department, Enterprise, Town


class Questionnaire(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=300, blank=True)
    document = models.TextField(_("YAML document"))
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("questionnaire")
        ordering = ["code"]

    def __str__(self):
        return self.title


class TextSource(models.TextChoices):
    SEED = "seed", _("Words of the seed document")
    OURS = "ours", _("Written for the platform")


class Aspect(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="aspects")
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=100)
    text_source = models.CharField(max_length=8, choices=TextSource.choices, default=TextSource.OURS)
    sort = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("aspect")
        ordering = ["questionnaire", "sort"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="aspect_code_per_questionnaire")
        ]

    def __str__(self):
        return self.name


class Item(models.Model):
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=64)
    text = models.CharField(_("text"), max_length=300)
    text_source = models.CharField(max_length=8, choices=TextSource.choices, default=TextSource.OURS)
    sort = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("item")
        ordering = ["aspect__sort", "sort"]
        constraints = [models.UniqueConstraint(fields=["aspect", "code"], name="item_code_per_aspect")]

    def __str__(self):
        return self.text


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Campaign(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="campaigns")
    title = models.CharField(_("title"), max_length=200)
    period = models.CharField(_("period"), max_length=8)  # 2026Q3, 2026H1, 2026
    # NULL: every enterprise with a platform user; else this many, drawn with `sample_seed`.
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    sample_seed = models.BigIntegerField(_("sample seed"))
    deadline = models.DateField(_("deadline"))
    remind_days = models.PositiveSmallIntegerField(_("reminder, days before the deadline"), default=3)
    state = models.CharField(_("state"), max_length=8, choices=CampaignState.choices, default="draft")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey campaign")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def number(self) -> str:
        return str(self.pk)


class Invitation(models.Model):
    """An enterprise asked to answer. It keeps whether and when the enterprise answered, never what."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="survey_invitations")
    answered_on = models.DateField(null=True, blank=True)
    departments_rated = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("survey invitation")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "enterprise"], name="one_invitation_per_enterprise")
        ]

    def __str__(self):
        return f"{self.campaign_id}:{self.enterprise_id}"


class Response(models.Model):
    """One enterprise's rating of one department in one campaign, without the enterprise. Random ids
    (not a sequence) so that the order of answers does not follow the order of the invitations."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="survey_responses")
    # HMAC(secret key, campaign:enterprise:department): refuses a second rating, names nobody.
    respondent_key = models.CharField(max_length=64)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("survey answer")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "respondent_key"], name="one_answer_per_respondent")
        ]
        indexes = [models.Index(fields=["campaign", "department"])]

    def __str__(self):
        return f"{self.campaign_id}:{self.department_id}"


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField()  # 1..5

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="one_score_per_item"),
            models.CheckConstraint(name="score_1_to_5", condition=Q(score__gte=1) & Q(score__lte=5)),
        ]

    def __str__(self):
        return str(self.score)


class Parameter(models.Model):
    """A dated parameter of the assessment (the resolution target, default weights, the aspect floor):
    the value in force on a day is the row with the latest `valid_from` on or before it."""

    key = models.CharField(_("parameter"), max_length=40)
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=4)
    valid_from = models.DateField(_("valid from"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("assessment parameter")
        ordering = ["key", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["key", "valid_from"], name="one_value_per_day")]

    def __str__(self):
        return f"{self.key}={self.value} ({self.valid_from})"


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Assessment(models.Model):
    """One period's assessment: the weights (percent, summing to 100) and the ranking they give."""

    period = models.CharField(_("period"), max_length=8, unique=True)  # 2026Q3, 2026H1
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    w_survey = models.DecimalField(_("weight of the survey"), max_digits=5, decimal_places=2)
    w_resolution = models.DecimalField(_("weight of the resolution rate"), max_digits=5, decimal_places=2)
    w_on_time = models.DecimalField(_("weight of the on-time rate"), max_digits=5, decimal_places=2)
    w_satisfaction = models.DecimalField(_("weight of the satisfaction rate"), max_digits=5, decimal_places=2)
    w_reopen = models.DecimalField(_("weight of the reopen rate"), max_digits=5, decimal_places=2)
    resolution_target = models.DecimalField(_("resolution target"), max_digits=5, decimal_places=4)
    best_count = models.PositiveSmallIntegerField(_("marked best (评优)"), default=3)
    worst_count = models.PositiveSmallIntegerField(_("marked worst (评差)"), default=3)
    state = models.CharField(_("state"), max_length=10, choices=AssessmentState.choices, default="draft")
    computed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("department assessment")
        ordering = ["-end", "-id"]
        constraints = [
            models.CheckConstraint(
                name="weights_not_negative",
                condition=Q(
                    w_survey__gte=0,
                    w_resolution__gte=0,
                    w_on_time__gte=0,
                    w_satisfaction__gte=0,
                    w_reopen__gte=0,
                ),
            ),
            models.CheckConstraint(
                name="weights_sum_to_100",
                condition=Exact(
                    F("w_survey") + F("w_resolution") + F("w_on_time") + F("w_satisfaction") + F("w_reopen"),
                    100,
                ),
            ),
        ]

    def __str__(self):
        return self.period

    @property
    def number(self) -> str:
        return self.period

    def weights(self) -> dict:
        return {
            "survey": self.w_survey,
            "resolution": self.w_resolution,
            "on_time": self.w_on_time,
            "satisfaction": self.w_satisfaction,
            "reopen": self.w_reopen,
        }


class Mark(models.TextChoices):
    BEST = "best", _("Best (优)")
    WORST = "worst", _("Worst (差)")
    NONE = "", _("—")


class Row(models.Model):
    """A department's or a town's line of an assessment: its figures, component scores, total, rank."""

    class Subject(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        TOWN = "town", _("Town")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="rows")
    subject = models.CharField(max_length=10, choices=Subject.choices)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE)
    town = models.ForeignKey(Town, null=True, blank=True, on_delete=models.CASCADE)
    appeals = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)
    survey_score = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    resolution_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True)
    on_time_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True)
    satisfaction_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True)
    reopen_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True)
    total = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    rank = models.PositiveIntegerField(null=True)
    mark = models.CharField(max_length=8, choices=Mark.choices, blank=True, default="")

    class Meta:
        ordering = ["subject", "rank", "id"]
        constraints = [
            models.CheckConstraint(
                name="row_subject_matches",
                condition=(Q(subject="department") & Q(department__isnull=False) & Q(town__isnull=True))
                | (Q(subject="town") & Q(town__isnull=False) & Q(department__isnull=True)),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return str(self.department or self.town)


class SupervisionItem(models.Model):
    """督办: an aspect a department scored low on. Kept here until engagement.Task is on main; then a
    Task is opened through engagement's service and `task_id` names it."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done (销号)")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="supervision_items")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="survey_supervision")
    aspect = models.ForeignKey(Aspect, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=6, decimal_places=2)
    answers = models.PositiveIntegerField()
    due = models.DateField(_("due"))
    state = models.CharField(max_length=8, choices=State.choices, default="open")
    note = models.TextField(blank=True)
    task_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supervision item")
        ordering = ["state", "due", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "department", "aspect"], name="one_supervision_per_aspect"
            )
        ]

    def __str__(self):
        return f"{self.department} · {self.aspect}"
