from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One row for every change of state, written by the service function in the same transaction."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    # The prefix of the API token the actor used, when a system client made the change.
    via_token = models.CharField(max_length=8, blank=True, default="")
    # Who acted, as written then (kept if the user is renamed or deleted; covered by the hash).
    actor_name = models.CharField(max_length=150, blank=True, default="")
    # The hash chain (core/audit_chain.py): position, the previous event's hash, this one's.
    # Set when the writing transaction commits; null until then.
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("audit event")
        indexes = [models.Index(fields=["object_type", "object_id", "created_at"])]
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.verb} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The one row (pk 1) that serialises sealing: the last sealed event's position and hash, and
    the base the chain verifies from (the last purged event's, or the genesis)."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    base_seq = models.BigIntegerField(default=0)
    base_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return f"audit chain at {self.seq}"


class ReferenceVersion(models.Model):
    """One counter, raised in the transaction of every change to reference data (core.reference):
    each process compares it with the one its cached copies were read at."""

    version = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return str(self.version)


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a public holiday on a weekday, or a make-up working day
    (调休) on a weekend. Published each year by the State Council; editable by the coordinating office."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Make-up working day (调休)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.kind} {self.name}"


class WorkdayOrdinal(models.Model):
    """The number of working days from workdays.FIRST_DAY up to and including `date`, for every date to
    workdays.LAST_DAY: a duration in working days is then a subtraction in SQL (KPIs, handling time).
    Derived from CalendarDay and the weekday rule; shifted by the calendar services when a day changes."""

    date = models.DateField(primary_key=True)
    ordinal = models.IntegerField()

    def __str__(self):
        return f"{self.date} {self.ordinal}"


class OutboxMessage(models.Model):
    """A side effect (a notification to one recipient on one channel), written in the same transaction
    as the change that causes it and delivered by `zhuqi worker`, at least once, deduplicated by key."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(max_length=160, unique=True)  # event + recipient + channel
    channel = models.CharField(max_length=16)
    # A "fanout" row names its audience instead of a recipient: {"name": ..., "args": {...}}; the
    # worker works the recipients out and queues one row each (core.outbox.enqueue_fanout).
    audience = models.JSONField(null=True, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    address = models.CharField(max_length=200, blank=True)  # mobile or e-mail for external channels
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return self.key


class Notification(models.Model):
    """An in-app notification; its key makes delivery idempotent."""

    key = models.CharField(max_length=160, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # A user's notifications newest first: the list's id walk (core/pagination.py) reads this index.
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="notification_user_order")]

    def __str__(self):
        return self.subject


class Attachment(models.Model):
    """A file attached to an object (an appeal, later an application), stored under
    $ZHUQI_DATA_DIR/media and served only through a view that checks the reader may see the object."""

    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    file = models.FileField(upload_to="attachments/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        indexes = [models.Index(fields=["object_type", "object_id"])]
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.filename


class Job(models.Model):
    """Long work (an export, a large import, a matching or offer run) done by `zhuqi worker` for its
    owner, with progress; a file it produces is kept for download until `expires_at`."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=40)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    parameters = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)  # 0 while unknown
    message = models.CharField(max_length=500, blank=True)  # what it did, or why it failed (zh)
    message_en = models.CharField(max_length=500, blank=True)
    result = models.JSONField(default=dict, blank=True)  # counts of what it did
    result_path = models.CharField(max_length=300, blank=True)  # under $ZHUQI_DATA_DIR/jobs; "" once swept
    result_name = models.CharField(max_length=100, blank=True)  # the file name offered on download
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # a running job whose worker died goes stale
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # the result file is deleted after this

    class Meta:
        verbose_name = _("job")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"]), models.Index(fields=["owner", "created_at"])]

    def __str__(self):
        return f"{self.kind} #{self.pk} {self.state}"
