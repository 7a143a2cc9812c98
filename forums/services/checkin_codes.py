"""Check-in codes: what the badge's QR code and the confirmation email carry to the desk.

A code is "<invitation id>.<signature>", the signature an HMAC (django.core.signing, keyed with
SECRET_KEY, salted for this use) of the id and the invitation's random `checkin_seed`. It is
not the RSVP link and opens nothing for the expert: only a signed-in registration desk sees
whom it names (forums.views_checkin). The database stores the seed, never a code, so a dump
without the key gives none; a new seed (`reissue_checkin_code`) revokes the printed one.
"""

import io

import segno
from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from academy_portal.core.services import log_admin_action
from forums.models import Invitation, InvitationEvent
from forums.models.invitations import new_checkin_seed

from .events import lock_invitation, record_event, refresh_invitation

SALT = "forums.checkin"
MAX_CODE_LENGTH = 80


def _signature(invitation_id: int, seed: str) -> str:
    return signing.Signer(salt=SALT).signature(f"{invitation_id}:{seed}")


def checkin_code(invitation: Invitation) -> str | None:
    """The invitation's current check-in code; None when it has none (revoked)."""
    if not invitation.checkin_seed:
        return None
    return f"{invitation.pk}.{_signature(invitation.pk, invitation.checkin_seed)}"


def checkin_url(invitation: Invitation) -> str | None:
    """The absolute address the QR code encodes: /checkin/<code>/ under SITE_URL."""
    code = checkin_code(invitation)
    if code is None:
        return None
    return f"{settings.SITE_URL}{reverse('forums:checkin', args=[code])}"


def find_invitation_by_checkin_code(code: str) -> Invitation | None:
    """The invitation this code was issued for, if it is still valid; else None (forged,
    mistyped, revoked or issued under another SECRET_KEY: all look the same)."""
    if not code or len(code) > MAX_CODE_LENGTH or "." not in code:
        return None
    pk_text, signature = code.split(".", 1)
    if not pk_text.isdigit() or len(pk_text) > 12:
        return None
    invitation = (
        Invitation.objects.select_related("edition__forum", "expert__affiliation")
        .filter(pk=int(pk_text))
        .first()
    )
    if invitation is None or not invitation.checkin_seed:
        return None
    expected = _signature(invitation.pk, invitation.checkin_seed)
    return invitation if constant_time_compare(expected, signature) else None


@transaction.atomic
def reissue_checkin_code(*, invitation: Invitation, actor) -> str:
    """A new check-in code for a lost or misused badge: the old code stops working at once.

    Returns the new code (print a new badge)."""
    _edition, locked = lock_invitation(invitation)
    locked.checkin_seed = new_checkin_seed()
    locked.save(update_fields=["checkin_seed", "updated_at"])
    record_event(locked, InvitationEvent.Kind.CHECKIN_REISSUED, actor=actor)
    log_admin_action(
        user=actor, obj=locked, action_flag=CHANGE, message=_("Check-in code reissued")
    )
    refresh_invitation(invitation, locked)
    return checkin_code(invitation)


QR_ATTACHMENT_GENERATOR = "forums.checkin_qr"
QR_FILE_NAME = "check-in-qr.png"


def checkin_qr_attachment(*, object_id: int, language: str) -> bytes | None:
    """The confirmation email's QR code (PNG) of the invitation's check-in address, made when
    the email is sent: the outbox stores no working code. None when the invitation is gone or
    its code revoked (the email then fails with that reason instead of carrying a dead code)."""
    invitation = Invitation.objects.filter(pk=object_id).first()
    url = checkin_url(invitation) if invitation else None
    if url is None:
        return None
    buffer = io.BytesIO()
    # Scale 8 with the standard quiet zone: a phone reads it from a screen at arm's length.
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
