"""Key projects (重点项目) followed from 谋划 to 投产 (seed 003 三(三)): the project, the planned and
actual date of each stage, the planned and actual investment of each month, and the problems raised
on it (each one an appeal of the closed loop)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhuqi.directory.models import Department, Enterprise, Town
from zhuqi.projects.lifecycle import STAGES, Stage


class Project(models.Model):
    number = models.CharField(_("number"), max_length=24, unique=True)
    name = models.CharField(_("project name"), max_length=200)
    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("enterprise"),
    )
    # Total planned investment in yuan (seed 003: 超亿元项目, 投资一千万元以上重点项目库).
    investment = models.DecimalField(_("total investment (yuan)"), max_digits=16, decimal_places=2)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="projects", verbose_name=_("town"))
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("responsible department"),
    )
    liaison_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="liaison_projects",
        verbose_name=_("liaison leader"),
    )
    liaison_unit = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaison_projects",
        verbose_name=_("liaison unit"),
    )
    description = models.TextField(_("description"), blank=True)
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.CONCEIVED, db_index=True
    )
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    stop_reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("key project")
        ordering = ["-investment", "number"]
        indexes = [models.Index(fields=["town", "stage"]), models.Index(fields=["department", "stage"])]
        constraints = [
            models.CheckConstraint(name="project_investment_not_negative", condition=Q(investment__gte=0))
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    @property
    def state(self) -> str:
        """The state the lifecycle reads: the stage, or "stopped" (终止) whatever the stage."""
        return "stopped" if self.stopped_on else self.stage

    @property
    def stage_index(self) -> int:
        return STAGES.index(self.stage)


class Milestone(models.Model):
    """One stage of a project: when it was planned to be reached, when it was."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    planned_on = models.DateField(_("planned date"), null=True, blank=True)
    actual_on = models.DateField(_("actual date"), null=True, blank=True)

    class Meta:
        verbose_name = _("project milestone")
        constraints = [models.UniqueConstraint(fields=["project", "stage"], name="one_milestone_per_stage")]

    def __str__(self):
        return f"{self.project_id} {self.stage}"


class MonthFigure(models.Model):
    """The investment planned for a month and, once reported (monthly progress report, seed 003
    三(一)6 重点项目月报制度), the investment made in it and what was done."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="months")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    planned = models.DecimalField(_("planned investment (yuan)"), max_digits=16, decimal_places=2, default=0)
    actual = models.DecimalField(
        _("actual investment (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    progress = models.TextField(_("progress"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("monthly figure")
        ordering = ["year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "month"], name="one_figure_per_project_month"),
            models.CheckConstraint(name="project_month_in_range", condition=Q(month__gte=1, month__lte=12)),
        ]

    def __str__(self):
        return f"{self.project_id} {self.year}-{self.month:02d}"


class Problem(models.Model):
    """A problem raised on a project: it is an appeal (submitted through the appeals service, routed
    like any other), and this row links the two both ways."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="problems")
    appeal = models.OneToOneField("appeals.Appeal", on_delete=models.PROTECT, related_name="project_problem")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("project problem")
        ordering = ["-raised_at", "-id"]

    def __str__(self):
        return f"{self.project_id} → {self.appeal_id}"
