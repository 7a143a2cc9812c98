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


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A client's key to the read-only staff API (`/api/v1/staff/`), issued by an administrator.

    The key is shown once, when it is issued; the row keeps its first characters (to tell keys
    apart) and its SHA-256, never the key. Written by `academy_portal.core.services`
    (`issue_api_token`, `revoke_api_token`, `record_api_token_use`).
    """

    class Scope(models.TextChoices):
        INVITATIONS_READ = "invitations:read", _("Invitation counts per edition")
        MOUS_READ = "mous:read", _("MOU list")

    name = models.CharField(
        _("client name"), max_length=100, help_text=_("Who uses the key, e.g. the main website.")
    )
    prefix = models.CharField(_("key starts with"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        # Not "view_...": viewers get every view_* permission (core.roles); administrators only.
        permissions = [("manage_api_tokens", _("Can issue and revoke API tokens"))]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
