"""The email outbox: every email the portal sends is first a row, written in the transaction
of the change that causes it, then delivered by a Celery worker (see docs/outbox.md)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The staff list's order: failed rows need a person, so they come first, then the newest.
FAILED_FIRST = models.Case(
    models.When(status="failed", then=models.Value(0)),
    default=models.Value(1),
    output_field=models.IntegerField(),
)


class OutboxMessageQuerySet(models.QuerySet):
    def due(self, *, now=None):
        """Queued rows whose time has come."""
        now = now or timezone.now()
        return self.filter(status=OutboxMessage.Status.QUEUED, send_after__lte=now)

    def stuck(self, *, older_than):
        """Rows claimed by a worker that never reported back (killed, lost connection)."""
        return self.filter(status=OutboxMessage.Status.SENDING, claimed_at__lt=older_than)

    def retryable(self):
        return self.filter(status=OutboxMessage.Status.FAILED)

    def cancellable(self):
        return self.filter(status__in=[OutboxMessage.Status.QUEUED, OutboxMessage.Status.FAILED])


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    to_email = models.EmailField(_("recipient email"), max_length=254)
    to_name = models.CharField(_("recipient name"), max_length=255, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    subject = models.CharField(_("subject"), max_length=500)
    text_body = models.TextField(_("plain-text body"))
    html_body = models.TextField(_("HTML body"), blank=True)
    reply_to = models.CharField(_("reply-to"), max_length=254, blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=50,
        db_index=True,
        help_text=_("What the email is, e.g. invitation, reminder, mou_expiry."),
    )
    related_content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("related object type"),
    )
    related_object_id = models.PositiveBigIntegerField(
        _("related object id"), null=True, blank=True
    )
    related = GenericForeignKey("related_content_type", "related_object_id")
    dedup_key = models.CharField(
        _("deduplication key"),
        max_length=255,
        unique=True,
        help_text=_("The same key is never queued twice, so a double click sends one email."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=6)
    last_error = models.TextField(_("last error"), blank=True)
    send_after = models.DateTimeField(_("due at"), default=timezone.now)
    # A fresh token per claim: only the worker holding it may record the outcome.
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    # Set for an email written when it is sent (see placeholders.register_content_writer): the
    # row holds what the writer needs (`writer_args`, never a link or a personal detail) until
    # the sending worker writes the subject, bodies and attachments into it and clears this.
    writer = models.CharField(
        _("written when sent by"),
        max_length=50,
        blank=True,
        help_text=_("Empty once the email is written; else the name of what writes it when sent."),
    )
    writer_args = models.JSONField(_("what the email is written from"), default=dict, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep's "what is due" and "what is stuck" scans.
            models.Index(fields=["status", "send_after"], name="mail_outbox_due_idx"),
            models.Index(fields=["status", "claimed_at"], name="mail_outbox_claimed_idx"),
            models.Index(
                fields=["related_content_type", "related_object_id"],
                name="mail_outbox_related_idx",
            ),
            models.Index(fields=["claim_token"], name="mail_outbox_claim_idx"),
            # The staff list's first page, in its order (admin: FAILED_FIRST, newest first).
            models.Index(
                FAILED_FIRST, F("created_at").desc(), F("id").desc(), name="mail_outbox_list_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sending", "sent", "failed", "cancelled"]),
                name="mail_outbox_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1), name="mail_outbox_max_attempts_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="mail_outbox_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_at__isnull=False),
                name="mail_outbox_sending_is_claimed",
            ),
            models.CheckConstraint(
                condition=Q(attempts__lte=F("max_attempts")),
                name="mail_outbox_attempts_within_max",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.to_email}: {self.subject}"

    def get_kind_display(self) -> str:
        return self.kind.replace("_", " ")

    @property
    def recipient(self) -> str:
        return f"{self.to_name} <{self.to_email}>" if self.to_name else self.to_email

    @property
    def is_final(self) -> bool:
        return self.status in {self.Status.SENT, self.Status.CANCELLED}


class OutboxAttachment(models.Model):
    message = models.ForeignKey(
        OutboxMessage,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("message"),
    )
    filename = models.CharField(_("file name"), max_length=255)
    mimetype = models.CharField(_("MIME type"), max_length=255)
    content = models.BinaryField(_("content"), blank=True)
    # Set for a file made at sending time from the message's related object (see
    # placeholders.register_attachment_builder): `content` stays empty, so a document holding
    # personal data (a visa letter) is never stored in the outbox.
    generator = models.CharField(
        _("made when sent by"),
        max_length=50,
        blank=True,
        help_text=_("Empty for a stored file; else the name of what makes it when sent."),
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self):
        return self.filename

    @property
    def size(self) -> int:
        return len(self.content or b"")
