"""Briefings (通报): documents generated from the platform's figures, kept with their data's date."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly programme briefing")
    MONTHLY = "monthly", _("Monthly economic and service briefing")
    HALF_YEARLY = "half_yearly", _("Half-yearly service briefing")


class Template(models.Model):
    """The office's own settings of a kind's template: the sections and their order, the title, the
    issuing office and the 文号's abbreviation (page 通报 › 模板), and optionally a whole HTML Django
    template of its own (API only). Blank fields fall back to the shipped ones."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, unique=True)
    body = models.TextField(_("template"), blank=True)
    sections = models.JSONField(_("sections"), default=list, blank=True)  # codes, in order
    title = models.CharField(_("title"), max_length=100, blank=True)  # {期间} stands for the period
    issuer = models.CharField(_("issuing office"), max_length=60, blank=True)
    number_prefix = models.CharField(_("document number abbreviation"), max_length=20, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return self.kind


class Briefing(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Being generated")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=8)
    number = models.CharField(_("document number (文号)"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    data_date = models.DateField(_("data as of"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default="queued")
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    docx_path = models.CharField(max_length=300, blank=True)
    pdf_path = models.CharField(max_length=300, blank=True)
    figures = models.JSONField(default=dict, blank=True)  # the numbers the document states
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="briefings_received"
    )

    class Meta:
        verbose_name = _("briefing")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title or f"{self.get_kind_display()} {self.period}"
