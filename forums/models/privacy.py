"""Experts' privacy requests: asking for erasure, and staff completing it.

The request row stays after the erasure (with who completed it and when), so the academy can
show that it honoured the request; it holds no personal data itself.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ErasureRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        COMPLETED = "completed", _("Completed")

    expert = models.ForeignKey(
        "experts.Expert",
        on_delete=models.CASCADE,
        related_name="erasure_requests",
        verbose_name=_("expert"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # Asking twice (a double click, a second tab) is one request.
            models.UniqueConstraint(
                "expert",
                condition=Q(status="pending"),
                name="forums_erasurerequest_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(completed_at__isnull=False),
                name="forums_erasurerequest_completed_has_date",
            ),
        ]

    def __str__(self):
        return _("Erasure request #%(id)s (%(status)s)") % {
            "id": self.pk,
            "status": self.get_status_display(),
        }

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
