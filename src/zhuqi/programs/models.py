"""The doubling programme (倍增计划, seed 000) as a reusable kind of thing: a city runs the city
programme and every town its own with the same machinery (seed 000 一, 四(二)).

Selection (stream A): a Programme has classes (with their responsible department), application Rounds,
Applications with their declared figures, the formal check and the data cross-check, an expert pool,
review groups drawn from it reproducibly, scores, the ranking and proposal, the public notice with its
objections, and finally the Pilots. A `Pilot` is what "pilot enterprise" means on the platform: the
policy packs read it (policies/facts.py, `from: pilot:…`), not a free tag.

Monitoring and the annual evaluation (stream B) add their own models in later migrations of this app.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuqi.directory.models import Department, Enterprise, Source, Town

EnterpriseClass = Enterprise.DoublingClass


class GrowthDriver(models.TextChoices):
    """The seven growth drivers (成长驱动因素) of seed 000 二(三)6 (and 二(一)2)."""

    INNOVATION = "innovation", _("Technological innovation (科技创新)")
    HEADQUARTERS = "headquarters", _("Headquarters economy (总部经济)")
    MERGERS = "mergers", _("Mergers and acquisitions (兼并重组)")
    SERVICE_MANUFACTURING = "service_mfg", _("Service-oriented manufacturing (服务型制造)")
    CHAIN_INTEGRATION = "chain", _("Industrial chain integration (产业链整合)")
    CAPITAL = "capital", _("Capital operation (资本运营)")
    INVESTMENT = "investment", _("Innovative investment attraction (创新招商)")


class ExpertField(models.TextChoices):
    """Fields of the expert pool (seed 000 二(四)4(1): 技术、财务、法律、管理; 金融 for banks and brokers)."""

    TECHNOLOGY = "technology", _("Technology (技术)")
    FINANCE = "finance", _("Finance (财务)")
    LAW = "law", _("Law (法律)")
    MANAGEMENT = "management", _("Management (管理)")
    BANKING = "banking", _("Financial markets (金融)")


class Programme(models.Model):
    class Level(models.TextChoices):
        CITY = "city", _("City programme (市级)")
        TOWN = "town", _("Town programme (镇街级)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default=Level.CITY)
    town = models.ForeignKey(
        Town,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes",
        verbose_name=_("town"),
    )
    document_number = models.CharField(_("document number (文号)"), max_length=100, blank=True)
    base_year = models.PositiveSmallIntegerField(_("base year"), default=2016)
    start_year = models.PositiveSmallIntegerField(_("first year of the action period"), default=2017)
    end_year = models.PositiveSmallIntegerField(_("last year of the action period"), default=2021)
    pilot_quota = models.PositiveIntegerField(_("pilot places"), default=200)
    # 名誉试点 (seed 000 一): 年营业收入达50亿元及以上, admitted directly.
    honorary_revenue = models.DecimalField(
        _("main revenue for an honorary pilot (yuan)"), max_digits=18, decimal_places=2, default=5_000_000_000
    )
    reserve_quota = models.PositiveIntegerField(_("reserve places"), default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("programme")
        ordering = ["level", "code"]
        constraints = [
            models.CheckConstraint(
                name="programme_town_matches_level",
                condition=(Q(level="town") & Q(town__isnull=False))
                | (Q(level="city") & Q(town__isnull=True)),
            ),
            models.CheckConstraint(
                name="programme_years_in_order", condition=Q(start_year__lte=models.F("end_year"))
            ),
        ]

    def __str__(self):
        return self.name


class ProgrammeClass(models.Model):
    """One of the four enterprise classes of a programme and the department responsible for its pilots
    (seed 000 六(一)(二)), with the number each department is to follow (about 50, 四(一), 四(五)1)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="classes")
    enterprise_class = models.CharField(_("class"), max_length=12, choices=EnterpriseClass.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="programme_classes",
        verbose_name=_("responsible department"),
    )
    target = models.PositiveIntegerField(_("pilots to follow (about)"), default=50)

    class Meta:
        verbose_name = _("programme class")
        ordering = ["programme", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "enterprise_class"], name="one_department_per_class")
        ]

    def __str__(self):
        return f"{self.programme}: {self.get_enterprise_class_display()}"


class Round(models.Model):
    """An application round: opens and closes on dates, or stays open all year to build the reserve
    (常年开放, seed 000 四(四): `closes_on` empty). Its stage moves forward only."""

    class Stage(models.TextChoices):
        OPEN = "open", _("Open for applications")
        REVIEW = "review", _("Checks and expert review")
        NOTICE = "notice", _("Public notice (公示)")
        PUBLISHED = "published", _("Published")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rounds")
    name = models.CharField(_("name"), max_length=100)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    for_reserve = models.BooleanField(_("open all year for the reserve"), default=False)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.OPEN)
    # The year whose figures the formal check reads (2015 for the 2017 selection, 二(三)4).
    check_year = models.PositiveSmallIntegerField(_("year of the figures checked"))
    # Cross-check (二(四)3): a declared figure further than this from the bureau's value is flagged.
    tolerance_percent = models.DecimalField(
        _("cross-check tolerance (%)"), max_digits=5, decimal_places=2, default=5
    )
    # Desk-review criteria weights (书面审核, 二(四)4(2)), criterion key → weight; see scoring.CRITERIA.
    weights = models.JSONField(_("criteria weights"), default=dict, blank=True)
    # Share of the combined score given to the site check for those checked on site (0–100).
    site_weight_percent = models.PositiveSmallIntegerField(_("weight of the site check (%)"), default=40)
    notice_starts_on = models.DateField(_("notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice until"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("application round")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="round_closes_after_it_opens",
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("opens_on")),
            )
        ]

    def __str__(self):
        return self.name


class Application(models.Model):
    """An enterprise's application to a round, or a town's or department's recommendation (二(四)2)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("programme application state", "Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CHECK_FAILED = "check_failed", _("Failed the formal check")
        IN_REVIEW = "in_review", _("In expert review")
        PROPOSED = "proposed", _("Proposed, on public notice")
        SELECTED = "selected", _("Selected")
        NOT_SELECTED = "not_selected", _("Not selected")

    class Outcome(models.TextChoices):
        PILOT = "pilot", _("Pilot enterprise (试点企业)")
        HONORARY = "honorary", _("Honorary pilot (名誉试点企业)")
        RESERVE = "reserve", _("Reserve (后备库企业)")
        NONE = "none", _("Not selected")

    class CheckResult(models.TextChoices):
        PENDING = "pending", _("Not checked yet")
        PASSED = "passed", _("Passed")
        FLAGGED = "flagged", _("Passed on relaxation, for the committee")
        FAILED = "failed", _("Failed")

    number = models.CharField(_("number"), max_length=20, unique=True)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications")
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="programme_applications"
    )
    enterprise_class = models.CharField(_("class"), max_length=12, choices=EnterpriseClass.choices)
    drivers = models.JSONField(_("growth drivers"), default=list)  # GrowthDriver values, first = primary
    commitment_years = models.PositiveSmallIntegerField(
        _("doubling within (years)"), choices=[(3, "3"), (5, "5")]
    )
    # New enterprises (新设并已投产) that are a town's key introduced project (重点引进项目) may be
    # relaxed (二(三)4); the applicant declares it, the committee decides.
    key_introduced_project = models.BooleanField(_("a town's key introduced project"), default=False)
    summary = models.TextField(_("doubling plan in brief"), max_length=2000, blank=True)
    recommended_by_town = models.ForeignKey(
        Town,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recommended by town"),
    )
    recommended_by_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recommended by department"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=14, choices=State.choices, default=State.SUBMITTED)
    check_result = models.CharField(
        _("formal check"), max_length=8, choices=CheckResult.choices, default=CheckResult.PENDING
    )
    check_findings = models.JSONField(default=list, blank=True)  # [{clause, label, source, met, seen}]
    checked_at = models.DateTimeField(null=True, blank=True)
    # Review results, written by the services (scores are the truth; these are their summary).
    desk_score = models.DecimalField(
        _("desk review score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    site_score = models.DecimalField(
        _("site check score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    score = models.DecimalField(_("combined score"), max_digits=6, decimal_places=2, null=True, blank=True)
    spread = models.DecimalField(
        _("spread between experts"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    shortlisted = models.BooleanField(_("on the site-check shortlist"), default=False)
    positive_factors = models.JSONField(_("positive factors"), default=list, blank=True)
    rank = models.PositiveIntegerField(_("rank within its driver"), null=True, blank=True)
    outcome = models.CharField(_("proposal"), max_length=10, choices=Outcome.choices, blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible department"),
    )
    department_reason = models.CharField(_("reason for another department"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("programme application")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # One live application per enterprise and round (a withdrawn one may be followed by another).
            models.UniqueConstraint(
                fields=["round", "enterprise"],
                condition=~Q(state="withdrawn"),
                name="one_live_application_per_round",
            )
        ]
        indexes = [models.Index(fields=["round", "state"]), models.Index(fields=["round", "outcome"])]

    def __str__(self):
        return self.number

    @property
    def primary_driver(self) -> str:
        return self.drivers[0] if self.drivers else ""


class DeclaredFigure(models.Model):
    """A figure the applicant declares (营业收入, 税收, 利润总额… of a year), checked against the bureaus'."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="figures")
    indicator = models.CharField(_("indicator"), max_length=24)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("declared value"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("declared figure")
        ordering = ["application", "indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["application", "indicator", "year"], name="one_declared_figure")
        ]

    def __str__(self):
        return f"{self.application_id} {self.indicator} {self.year}={self.value}"


class CrossCheck(models.Model):
    """A declared figure that differs from a bureau's value beyond the round's tolerance (二(四)3),
    and how the office settled it."""

    class Settlement(models.TextChoices):
        OPEN = "open", _("Not settled")
        BUREAU = "bureau", _("The bureau's value stands")
        DECLARED = "declared", _("The declared value is explained")
        REJECTED = "rejected", _("The application is refused for it")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="cross_checks")
    indicator = models.CharField(_("indicator"), max_length=24)
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("bureau"), max_length=8, choices=Source.choices)
    declared = models.DecimalField(_("declared value"), max_digits=18, decimal_places=2)
    found = models.DecimalField(_("bureau's value"), max_digits=18, decimal_places=2, null=True, blank=True)
    difference_percent = models.DecimalField(_("difference (%)"), max_digits=9, decimal_places=2, null=True)
    settlement = models.CharField(
        _("settlement"), max_length=10, choices=Settlement.choices, default=Settlement.OPEN
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("cross-check flag")
        ordering = ["application", "indicator", "year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "indicator", "year", "source"], name="one_flag_per_figure"
            )
        ]

    def __str__(self):
        return f"{self.application_id} {self.indicator} {self.year} {self.source}"


class Expert(models.Model):
    """The expert pool (专家库, about 100, seed 000 二(四)4(1)); an expert signs in as its user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="expert"
    )
    name = models.CharField(_("name"), max_length=64)
    field = models.CharField(_("field"), max_length=12, choices=ExpertField.choices)
    organisation = models.CharField(_("organisation"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    # Declared conflicts of interest (beyond the same organisation, which is found by name).
    conflicts = models.ManyToManyField(
        Enterprise, blank=True, related_name="+", verbose_name=_("declared conflicts")
    )

    class Meta:
        verbose_name = _("expert")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class ReviewGroup(models.Model):
    """A group of experts drawn for some applications of a round, for the desk review (书面审核) or the
    site check (现场核查). The draw is reproducible: its seed and the candidate list (the eligible
    experts, in pool order) are stored, and `draw.draw(candidates, seed, size)` gives the same people."""

    class Stage(models.TextChoices):
        DESK = "desk", _("Desk review (书面审核)")
        SITE = "site", _("Site check (现场核查)")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=100)
    stage = models.CharField(_("stage"), max_length=6, choices=Stage.choices)
    size = models.PositiveSmallIntegerField(_("experts to draw"))
    seed = models.CharField(_("seed of the draw"), max_length=64)
    candidates = models.JSONField(_("candidates"), default=list)  # expert ids, in the order drawn from
    excluded = models.JSONField(_("excluded for conflicts"), default=list)  # [{expert, reason}]
    applications = models.ManyToManyField(Application, related_name="groups", verbose_name=_("applications"))
    experts = models.ManyToManyField(Expert, related_name="groups", verbose_name=_("experts drawn"))
    drawn_at = models.DateTimeField(auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("review group")
        ordering = ["round", "id"]

    def __str__(self):
        return self.name


class Score(models.Model):
    """One expert's score of one application at one stage; locked once submitted."""

    group = models.ForeignKey(ReviewGroup, on_delete=models.CASCADE, related_name="scores")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="scores")
    criteria = models.JSONField(_("marks"), default=dict)  # criterion key → 0..100
    total = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("score")
        ordering = ["application", "expert"]
        constraints = [
            models.UniqueConstraint(fields=["group", "application", "expert"], name="one_score_per_expert")
        ]

    def __str__(self):
        return f"{self.application_id}/{self.expert_id}: {self.total}"


class Objection(models.Model):
    """An objection raised during the public notice (公示), and the office's decision on it."""

    class Decision(models.TextChoices):
        OPEN = "open", _("Not decided")
        UPHELD = "upheld", _("Upheld: removed from the list")
        DISMISSED = "dismissed", _("Dismissed")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections")
    raised_by = models.CharField(_("raised by"), max_length=100)
    content = models.TextField(_("objection"), max_length=2000)
    received_on = models.DateField(_("received on"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.OPEN)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        ordering = ["received_on", "id"]

    def __str__(self):
        return f"{self.application_id}: {self.raised_by}"


class Pilot(models.Model):
    """A pilot enterprise of a programme (试点企业, or 名誉试点 when `honorary`): what "pilot" means on
    the platform. Created when a round is published; later changed only by the annual evaluation."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Pilot")
        PROBATION = "probation", _("Pilot on probation (保留一年)")
        REPLACED = "replaced", _("Replaced")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DOUBLED = "doubled", _("Doubled")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="pilots")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="pilots")
    enterprise_class = models.CharField(_("class"), max_length=12, choices=EnterpriseClass.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="pilots", verbose_name=_("responsible department")
    )
    commitment_years = models.PositiveSmallIntegerField(_("doubling within (years)"))
    start_year = models.PositiveSmallIntegerField(_("first year"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    honorary = models.BooleanField(_("honorary pilot"), default=False)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="pilots"
    )
    since = models.DateField(_("pilot since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("pilot enterprise")
        ordering = ["programme", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "enterprise"],
                condition=Q(state__in=["active", "probation"]),
                name="one_current_pilot_per_programme",
            )
        ]
        indexes = [models.Index(fields=["programme", "state"]), models.Index(fields=["enterprise", "state"])]

    def __str__(self):
        return f"{self.programme}: {self.enterprise}"

    CURRENT_STATES = ("active", "probation")

    @property
    def is_current(self) -> bool:
        return self.state in self.CURRENT_STATES


class ReserveEntry(models.Model):
    """An enterprise in a programme's reserve (后备库), from a round's proposal or the all-year round
    (四(四)); replacements are chosen from here (and from town-level pilots), best score first."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="reserve")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    enterprise_class = models.CharField(_("class"), max_length=12, choices=EnterpriseClass.choices)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.DecimalField(_("combined score"), max_digits=6, decimal_places=2, null=True, blank=True)
    since = models.DateField(_("in the reserve since"))
    active = models.BooleanField(_("still in the reserve"), default=True)

    class Meta:
        verbose_name = _("reserve enterprise")
        ordering = ["programme", "-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "enterprise"], condition=Q(active=True), name="one_live_reserve_entry"
            )
        ]

    def __str__(self):
        return f"{self.programme}: {self.enterprise}"


class EnterpriseFact(models.Model):
    """A fact about an enterprise the directory lacks (seed 000 二(三)2), with its source and date:
    the environmental credit rating (环境信用评价等级) and whether it is a key energy user (重点用能单位)
    with its annual assessment. Imported like indicators (`zhuqi programs import-facts`); the latest
    `as_of` per key is the one read."""

    class Key(models.TextChoices):
        ENV_CREDIT = "env_credit", _("Environmental credit rating (环境信用评价等级)")
        KEY_ENERGY_USER = "key_energy_user", _("Key energy user (重点用能单位)")
        ENERGY_ASSESSMENT = "energy_assessment", _("Energy-saving assessment (重点用能单位年度考核)")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="facts")
    key = models.CharField(_("fact"), max_length=20, choices=Key.choices)
    value = models.CharField(_("value"), max_length=40)
    source = models.CharField(_("source"), max_length=100)
    as_of = models.DateField(_("as of"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enterprise fact")
        ordering = ["enterprise", "key", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "key", "as_of"], name="one_fact_per_date")
        ]

    def __str__(self):
        return f"{self.enterprise_id} {self.key}={self.value} ({self.as_of})"


# Stream B's models (annual evaluation, growth reports, policy lists) live in their own module.
from zhuqi.programs.evaluation_models import (  # noqa: E402, F401
    Evaluation,
    EvaluationItem,
    PolicyListEntry,
    ReportingTask,
)
