"""The batch send's shortcut (one template and one event span looked up per edition, language
and session, not per invitation) writes exactly the emails a plain render writes."""

import re

import pytest

from academy_portal.mail.models import OutboxMessage
from forums.ics import build_invitation_ics
from forums.models import EmailTemplate
from forums.services import invite_expert, render_email, send_invitations
from tests.factories import EditionFactory, ExpertFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _without_timestamp(ics: bytes) -> str:
    return re.sub(r"DTSTAMP:[^\r\n]*", "DTSTAMP", ics.decode())


def test_a_batch_send_writes_what_a_plain_render_writes():
    staff = UserFactory(groups=["Forum coordinators"])
    first, second = EditionFactory(), EditionFactory()
    session = SessionFactory(edition=first)
    invitations = [
        invite_expert(
            edition,
            expert=ExpertFactory(preferred_language=language),
            invited_by=staff,
            offered_session=session if offered and edition == first else None,
        )[0]
        for edition in (first, second)
        for language in ("en", "vi")
        for offered in (False, True)
    ]

    sent, problems = send_invitations(invitations, sent_by=staff)

    assert (sent, problems) == (len(invitations), [])
    for invitation in invitations:
        invitation.refresh_from_db()
        row = OutboxMessage.objects.get(kind="invitation", related_object_id=invitation.pk)
        # for_outbox: the link is a marker whatever the token, so any token renders the same.
        plain = render_email(
            EmailTemplate.Kind.INVITATION, invitation, raw_token="any", for_outbox=True
        )
        assert (row.subject, row.text_body, row.html_body, row.language) == (
            plain.subject,
            plain.text_body,
            plain.html_body,
            plain.language,
        )
        attachment = row.attachments.get()
        method = attachment.mimetype.rsplit("method=", 1)[1]
        assert _without_timestamp(bytes(attachment.content)) == _without_timestamp(
            build_invitation_ics(invitation, method=method)
        )
