"""Which signed-in sessions may use the staff side (the admin and /staff/ pages).

Staff sign in with a password and then a second factor (allauth.mfa: an authenticator app
code or a recovery code). allauth records, per session, how the user authenticated
(`password`, `code`, `mfa` ...); this module reads those records. Experts sign in by emailed
code and never reach the staff side: a session that began with a sign-in code is refused
there even if its account has since been made staff.
"""

from enum import Enum
from urllib.parse import quote

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _


class StaffAccess(Enum):
    """What a signed-in staff session still needs before it may use the staff side."""

    GRANTED = "granted"
    SIGNED_IN_BY_CODE = "signed_in_by_code"  # never: sign out and in again with a password
    SET_UP_SECOND_FACTOR = "set_up"  # no authenticator yet: set one up first
    CONFIRM_PASSWORD = "confirm_password"  # e.g. a session that was not signed in by password
    CONFIRM_SECOND_FACTOR = "confirm_second_factor"  # authenticator set up, not used yet


def is_staff_account(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_staff or user.is_superuser))


def staff_access(request) -> StaffAccess:
    """GRANTED unless this staff session lacks a step; GRANTED for non-staff (not our concern).

    With STAFF_MFA_REQUIRED a session needs both a password and a second-factor record;
    without it (demo) a password is enough. A session that was signed in by code and never
    confirmed a password is refused either way.
    """
    user = request.user
    if not is_staff_account(user):
        return StaffAccess.GRANTED
    methods = {record.get("method") for record in get_authentication_records(request, user)}
    if "code" in methods and "password" not in methods:
        return StaffAccess.SIGNED_IN_BY_CODE
    if not settings.STAFF_MFA_REQUIRED:
        return StaffAccess.GRANTED
    if "password" in methods and "mfa" in methods:
        return StaffAccess.GRANTED
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        # allauth's activation page asks for the password again when it is not recent.
        return StaffAccess.SET_UP_SECOND_FACTOR
    if "password" not in methods:
        return StaffAccess.CONFIRM_PASSWORD
    return StaffAccess.CONFIRM_SECOND_FACTOR


_STEP_URLS = {
    StaffAccess.SET_UP_SECOND_FACTOR: "mfa_activate_totp",
    StaffAccess.CONFIRM_PASSWORD: "account_reauthenticate",
    StaffAccess.CONFIRM_SECOND_FACTOR: "mfa_reauthenticate",
}


def redirect_to_staff_step(request, access: StaffAccess) -> HttpResponseRedirect:
    """Where a staff session that lacks `access` goes next, coming back to this page after."""
    next_url = request.get_full_path()
    if access is StaffAccess.SIGNED_IN_BY_CODE:
        logout(request)
        messages.error(
            request,
            _(
                "Staff sign in with their password and an authenticator code, not with an "
                "emailed code. Please sign in again."
            ),
        )
        return HttpResponseRedirect(f"{reverse('account_login')}?next={quote(next_url)}")
    return HttpResponseRedirect(f"{reverse(_STEP_URLS[access])}?next={quote(next_url)}")
