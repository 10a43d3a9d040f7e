from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuqi.core import uscc
from zhuqi.directory import indicators, industries


def validate_uscc(value: str) -> None:
    if found := uscc.problem(value):
        raise ValidationError(found.message, code=found.code)


def validate_industry(value: str) -> None:
    if value and (message := industries.problem(value)):
        raise ValidationError(message, code="industry_code")


class Town(models.Model):
    class Kind(models.TextChoices):
        TOWN = "town", _("Town (镇)")
        STREET = "street", _("Street (街道)")
        PARK = "park", _("Park (园区)")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = _("town")
        ordering = ["code"]

    def __str__(self):
        return self.name


class ServiceCategory(models.Model):
    """Two-level taxonomy of enterprise matters (融资 › 贷款贴息); departments say which they handle."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("service category")
        ordering = ["sort", "code"]

    def __str__(self):
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name


class Department(models.Model):
    class Level(models.TextChoices):
        CITY = "city", _("City (市级)")
        TOWN = "town", _("Town (镇级)")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    town = models.ForeignKey(
        Town, null=True, blank=True, on_delete=models.PROTECT, related_name="departments"
    )
    categories = models.ManyToManyField(ServiceCategory, blank=True, related_name="departments")
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )

    class Meta:
        verbose_name = _("department")
        ordering = ["level", "code"]
        constraints = [
            models.CheckConstraint(
                name="department_town_matches_level",
                condition=(Q(level="town") & Q(town__isnull=False))
                | (Q(level="city") & Q(town__isnull=True)),
            )
        ]

    def __str__(self):
        return self.short_name or self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("tag")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Enterprise(models.Model):
    class Ownership(models.TextChoices):
        PRIVATE = "private", _("Private (民营)")
        FOREIGN = "foreign", _("Foreign-invested (外资)")
        STATE = "state", _("State-owned (国有)")
        OTHER = "other", _("Other (其他)")

    class Listing(models.TextChoices):
        LISTED = "listed", _("Listed (上市)")
        NEEQ = "neeq", _("NEEQ (新三板)")
        PRE_IPO = "pre_ipo", _("Pre-IPO reserve (上市后备)")
        NONE = "none", _("Not listed (未上市)")

    class Size(models.TextChoices):
        LARGE = "large", _("Large (大型)")
        MEDIUM = "medium", _("Medium (中型)")
        SMALL = "small", _("Small (小型)")
        MICRO = "micro", _("Micro (微型)")

    class DoublingClass(models.TextChoices):
        """The four classes of the doubling program (seed 000, 二(二))."""

        PRIVATE_MANUFACTURING = "private_mfg", _("Private manufacturing (民营制造企业)")
        FOREIGN_INVESTED = "foreign", _("Foreign-invested (外商投资企业)")
        HIGH_TECH = "high_tech", _("High-tech (高新技术企业)")
        LISTED_OR_RESERVE = "listed", _("Listed, NEEQ or pre-IPO reserve (已上市/新三板/上市后备)")

    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    name = models.CharField(_("name"), max_length=200, db_index=True)
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("town")
    )
    industry_code = models.CharField(
        _("industry (GB/T 4754)"), max_length=5, blank=True, validators=[validate_industry]
    )
    ownership = models.CharField(
        _("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.PRIVATE
    )
    listing = models.CharField(
        _("listing status"), max_length=10, choices=Listing.choices, default=Listing.NONE
    )
    size = models.CharField(_("size class"), max_length=10, choices=Size.choices, default=Size.SMALL)
    doubling_class = models.CharField(
        _("doubling program class"), max_length=12, choices=DoublingClass.choices, blank=True
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="enterprises", verbose_name=_("tags"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("enterprise")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["town", "name"]),
            models.Index(fields=["industry_code"]),
            # The list's order (name, id): its id walk (core/pagination.py) reads this index.
            models.Index(fields=["name", "id"], name="enterprise_list_order"),
        ]

    def __str__(self):
        return self.name

    @property
    def industry_label(self) -> str:
        return industries.label(self.industry_code)


class Contact(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=64)
    # "title" alone is an appeal's or a policy's 标题; a person's is 职务.
    title = models.CharField(pgettext_lazy("a person's position", "title"), max_length=64, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        ordering = ["-is_primary", "name"]

    def __str__(self):
        return self.name


class PeriodType(models.TextChoices):
    YEAR = "year", _("Year")
    HALF = "half", _("Half-year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


class Source(models.TextChoices):
    SELF = "self", _("Self-reported (企业自报)")
    TAX = "tax", _("Tax bureau (税务局)")
    STATS = "stats", _("Statistics bureau (统计局)")


class IndicatorValue(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.CharField(_("indicator"), max_length=24, choices=indicators.CHOICES)
    period_type = models.CharField(_("period type"), max_length=8, choices=PeriodType.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    period_no = models.PositiveSmallIntegerField(_("period"), default=1)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    verified = models.BooleanField(_("verified"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("indicator value")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "indicator", "period_type", "year", "period_no", "source"],
                name="one_value_per_source_and_period",
            )
        ]
        indexes = [models.Index(fields=["indicator", "period_type", "year"])]

    def __str__(self):
        return f"{self.enterprise_id} {self.indicator} {self.year}/{self.period_type}{self.period_no}={self.value}"


class LiaisonQuerySet(models.QuerySet):
    def active(self, on=None):
        """Assignments in force (on a day: begun by then and not ended before it)."""
        if on is None:
            return self.filter(ended_on__isnull=True)
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on), since__lte=on)


class LiaisonAssignment(models.Model):
    """挂点/包联: a leader (and its 包联责任单位) assigned to an enterprise, or to one of its projects,
    from `since` until `ended_on` (seed 000, 三(四): tier by main-business revenue; seed 004 二).
    Changed only through `engagement.liaison` (assign, end, hand over)."""

    class Tier(models.TextChoices):
        CITY_LEADER = "city", _("City government leader (市政府领导, ≥ 10亿元)")
        TOWN_PRINCIPAL = "town_principal", _("Town principal leader (镇街主要领导, 2亿–10亿元)")
        TOWN_MEMBER = "town_member", _("Town leadership member (镇街领导班子成员, 2000万–2亿元)")

    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="liaisons")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="liaisons")
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    since = models.DateField(_("since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    unit = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaison_units",
        verbose_name=_("responsible unit (包联责任单位)"),
    )
    # A project of the enterprise the assignment is for (projects.Project, issue 11 item 6), as a
    # nullable generic reference so that the directory does not depend on the projects app.
    project_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project_id = models.PositiveBigIntegerField(null=True, blank=True)
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors"
    )
    end_reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = LiaisonQuerySet.as_manager()

    class Meta:
        verbose_name = _("liaison assignment")
        constraints = [
            models.UniqueConstraint(
                fields=["leader", "enterprise"],
                name="one_active_liaison_per_pair",
                condition=Q(ended_on__isnull=True),
            )
        ]
        indexes = [models.Index(fields=["enterprise", "leader"])]

    def __str__(self):
        return f"{self.leader} → {self.enterprise}"


class ImportBatch(models.Model):
    """An uploaded file, its row report, and whether (and how) its rows were applied."""

    class Kind(models.TextChoices):
        ENTERPRISES = "enterprises", _("Enterprises")
        INDICATORS = "indicators", _("Indicators")
        APPEALS = "appeals", _("Appeals (销号台账 ledger)")
        TIER_FACTS = "tier_facts", _("Tier facts (梯度培育)")
        PROGRAMME_FACTS = "programme_facts", _("Enterprise facts for the doubling selection (倍增遴选)")

    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked, waiting for a decision")
        APPLIED = "applied", _("Applied")
        DISCARDED = "discarded", _("Discarded")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    filename = models.CharField(_("file"), max_length=200)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CHECKED)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("import batch")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind}: {self.filename}"
