import ipaddress
import logging
import smtplib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from academy_portal.core.ratelimit import client_ip

logger = logging.getLogger(__name__)


class PortalAccountAdapter(DefaultAccountAdapter):
    """The sign-in rules for everyone (staff and experts): nobody signs up on their own.

    `experts.adapters.AccountAdapter` (the ACCOUNT_ADAPTER) adds where experts land; core
    imports no domain app.
    """

    # allauth has no Vietnamese: the messages experts can meet are ours, so they get translated.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "incorrect_code": gettext_lazy("That code is not right. Check the email and try again."),
        "too_many_login_attempts": gettext_lazy(
            "Too many failed sign-in attempts. Please try again later."
        ),
        "username_password_mismatch": gettext_lazy(
            "The username and password do not match. Check them and try again."
        ),
        "email_password_mismatch": gettext_lazy(
            "The email address and password do not match. Check them and try again."
        ),
        "invalid_login": gettext_lazy("Check the username or email address you entered."),
        "incorrect_password": gettext_lazy("That password is not right."),
    }

    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix, email, context_data):
        # Sign-in codes are sent at once (not through the outbox: a code must not sit in a
        # table staff can read). A mail server that is down must not become a 500 page.
        try:
            super().send_mail(template_prefix, email, context_data)
        except (smtplib.SMTPException, OSError):
            logger.exception("Could not send %s to %s", template_prefix, email)
            request = context.request
            if request is not None:
                request._portal_mail_failed = True
                messages.error(
                    request,
                    _(
                        "We could not send the email just now. Please try again in a few "
                        "minutes; if it keeps failing, write to the academy."
                    ),
                )

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        # Do not announce "a code is on its way" right after failing to send it.
        if (
            getattr(request, "_portal_mail_failed", False)
            and message_template
            and (message_template.endswith("_sent.txt"))
        ):
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def format_email_subject(self, subject):
        # Our subjects name the portal already; the Sites framework's "[example.com]" would not.
        return str(subject).strip()

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth counts failed passwords per login as typed ("chief", "chief@academy..."):
        # count them per account instead, so each name of one account shares one budget.
        # Logins that name no account keep allauth's key (the same throttling, nothing told).
        login = credentials.get("email") or credentials.get("username") or ""
        user_model = get_user_model()
        user = (
            user_model.objects.filter(Q(username__iexact=login) | Q(email__iexact=login))
            .order_by("pk")
            .first()
            if login
            else None
        )
        if user is not None:
            return f"{get_current_site(request).domain}:account:{user.pk}"
        return super()._get_login_attempts_cache_key(request, **credentials)

    def get_client_ip(self, request):
        # allauth's rate limits per address use the same client address as ours: behind our
        # proxy (USE_X_FORWARDED_FOR) the last X-Forwarded-For entry, else REMOTE_ADDR. Keyed
        # on the proxy's address, 20 code requests a minute would lock every expert out.
        try:
            return str(ipaddress.ip_address(client_ip(request)))
        except ValueError:
            return super().get_client_ip(request)

    def get_login_redirect_url(self, request):
        # Staff land on the staff home (which asks for the second factor first when it is
        # still missing).
        user = request.user
        if user.is_staff or user.is_superuser:
            return reverse("admin:index")
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    """allauth.mfa for staff: our translated messages; staff keep their authenticator."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": gettext_lazy("That code is not right. Check the app and try again."),
        "cannot_delete_authenticator": gettext_lazy(
            "Staff cannot remove their own authenticator; a portal administrator can."
        ),
    }

    def can_delete_authenticator(self, authenticator) -> bool:
        # A hijacked session must not be able to swap the second factor for its own; a
        # portal administrator removes a lost one in the admin.
        user = authenticator.user
        if settings.STAFF_MFA_REQUIRED and (user.is_staff or user.is_superuser):
            return False
        return super().can_delete_authenticator(authenticator)
