import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise user (企业)")
    HANDLER = "handler", _("Department handler (职能部门经办人)")
    TOWN_OFFICER = "town_officer", _("Town officer (镇街)")
    COORDINATOR = "coordinator", _("Coordinating office (倍增办/助企办)")
    LEADER = "leader", _("Liaison leader (挂点领导/链长)")
    EXPERT = "expert", _("Expert (专家)")
    ADMIN = "admin", _("System administrator")
    SYSTEM = "system", _("System client (12345 hotline, tax and statistics feeds)")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    display_name = models.CharField(_("name"), max_length=64, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    enterprise = models.ForeignKey(
        "directory.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    department = models.ForeignKey(
        "directory.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    town = models.ForeignKey(
        "directory.Town", null=True, blank=True, on_delete=models.PROTECT, related_name="officers"
    )

    REQUIRED_FIELDS = ["role"]

    class Meta:
        verbose_name = _("user")
        constraints = [
            # Membership is part of the role: the database refuses a user that breaks it.
            models.CheckConstraint(
                name="enterprise_user_has_enterprise",
                condition=~Q(role="enterprise") | Q(enterprise__isnull=False),
            ),
            models.CheckConstraint(
                name="handler_has_department", condition=~Q(role="handler") | Q(department__isnull=False)
            ),
            models.CheckConstraint(
                name="town_officer_has_town", condition=~Q(role="town_officer") | Q(town__isnull=False)
            ),
        ]

    def __str__(self):
        return self.display_name or self.username


def hash_token(raw: str) -> str:
    # Tokens are 256-bit random strings, so one fast hash is enough; no salt or stretching needed.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a system client. Only its hash is stored; the raw token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    # Names of `core.scopes.Scope`: what this token may do (least privilege; empty = nothing scoped).
    scopes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # Set when `zhuqi token rotate` issued a successor; the token then lives only the grace period.
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Touched at most once a minute per process (see accounts.auth), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_from = models.GenericIPAddressField(null=True, blank=True)
    use_count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("API token")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def feed(self) -> str | None:
        """The indicator source this token writes as (税务局 for the tax feed), or None."""
        from zhuqi.core.scopes import feeds

        found = feeds(self.scopes)
        return next(iter(found)) if len(found) == 1 else None

    def is_active_at(self, when) -> bool:
        return self.revoked_at is None and self.expires_at > when


class SignInBackoff(models.Model):
    """Wrong passwords for one user name from any address (accounts.throttle): past the limit, each
    further one pauses sign-in for that user twice as long. Cleared by a successful sign-in."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.username}: {self.failures}"
