"""The core app's one table: the access log of personal data (who saw or exported what, when).

The core app also exists so that post_migrate is sent for it (roles are synced then).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    """One read of personal data by a staff member: a page that showed it, or an export.

    Rows are written by `academy_portal.core.services.record_access` and never changed; only
    administrators (permission `core.review_access_log`) read them.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        EXPORT = "export", _("Exported")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # app_label.model of the records, e.g. "forums.invitation".
    model_label = models.CharField(_("records of"), max_length=100)
    what = models.CharField(_("what"), max_length=200, help_text=_("The page or export."))
    record_count = models.PositiveIntegerField(_("number of records"))
    # Primary keys of every record read, in the order read.
    object_ids = models.JSONField(_("record ids"), default=list, blank=True)
    personal_details = models.BooleanField(
        _("included passport or other personal details"), default=False
    )

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-at", "-id"]
        default_permissions = ()
        # Not "view_...": the viewer role gets every view_* permission (core.roles).
        permissions = [("review_access_log", _("Can review who saw or exported personal data"))]
        indexes = [models.Index(fields=["model_label", "at"], name="core_accesslog_model_at")]

    def __str__(self):
        return f"{self.user} {self.get_action_display()} {self.what} ({self.record_count})"
