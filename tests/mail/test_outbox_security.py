"""Personal RSVP links and personal details never rest in the outbox; they go out in the email.

Attacks reproduced through HTTP: a viewer copies a working RSVP link from the outbox admin and
answers for an expert; a viewer or partnerships officer reads passport, diet, accessibility or
travel details in an outbox body; a database dump of the outbox yields working links."""

import datetime as dt
import logging
import re

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from academy_portal.core.models import AccessLog
from academy_portal.core.roles import FORUM_COORDINATORS, PARTNERSHIPS_OFFICERS, VIEWERS
from academy_portal.mail.models import OutboxAttachment, OutboxMessage
from academy_portal.mail.placeholders import LINK_LABEL
from academy_portal.mail.services import retry_message, send_outbox_message
from forums.models import Invitation, InvitationEvent
from forums.services import (
    find_invitation_by_token,
    reissue_token,
    remind_invitation_now,
    submit_rsvp,
    withdraw_invitation,
)
from tests.factories import EditionFactory, UserFactory
from tests.forums.invitation_factories import sent_invitation
from tests.mail.sent import written

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status

# Anything a reader could paste into a browser or a URL: links, paths, long token-like runs.
URLISH = re.compile(r"https?://[^\s\"'<>]+|/rsvp/[^\s\"'<>]+|[A-Za-z0-9_-]{32,}")
PASSPORT_NAME = "SMITH Jane Ottoline"
DIETARY = "Strictly kosher, no shellfish"
ACCESSIBILITY = "Step-free access to the podium"
ACCOMPANYING = "Mr Peregrine Smith"


@pytest.fixture
def coordinator():
    return UserFactory(groups=[FORUM_COORDINATORS])


def staff_client(client, group):
    client.force_login(UserFactory(groups=[group]))
    return client


def accepted_invitation(coordinator):
    """An invitation sent, reminded and accepted with every personal detail: the outbox then
    holds the invitation, a reminder, the confirmation and the staff's answer notice."""
    invitation, token = sent_invitation(
        coordinator,
        edition=EditionFactory(
            answer_notification_email="forums-team@academy.test",
            allows_accompanying_person=True,
        ),
    )
    # Reminded a while after it went out (MANUAL_REMINDER_MIN_GAP refuses a reminder sooner).
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=invitation.sent_at - dt.timedelta(hours=2)
    )
    assert remind_invitation_now(invitation, reminded_by=coordinator)
    edition = invitation.edition
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=invitation.version,
        attendance="in_person",
        privacy_consent=True,
        chatham_house_acknowledged=True,
        dietary_needs=DIETARY,
        accessibility_needs=ACCESSIBILITY,
        accompanying_person=ACCOMPANYING,
        passport_name=PASSPORT_NAME,
        passport_nationality="NZ",
        needs_visa_letter=True,
        arrival_date=edition.start_date - dt.timedelta(days=1),
        departure_date=edition.end_date + dt.timedelta(days=2),
    )
    invitation.refresh_from_db()
    return invitation, token


def assert_no_working_link(client, text: str) -> int:
    """Every URL-ish string of `text`, tried against the RSVP view, is a 404."""
    tried = 0
    for candidate in set(URLISH.findall(text)):
        if "/rsvp/" in candidate:
            token = candidate.split("/rsvp/", 1)[1].split("/")[0]
        else:
            token = candidate.rstrip("/").rsplit("/", 1)[-1]
        if not token:
            continue
        tried += 1
        response = client.get(reverse("forums:rsvp", args=[token]))
        assert response.status_code == 404, f"working RSVP link in the page: {candidate}"
        assert find_invitation_by_token(token) is None
    return tried


def outbox_pages(client, message: OutboxMessage) -> list[str]:
    """The changelist, the message's change page and its attachments, as that user gets them."""
    pages = []
    for url in (
        reverse("admin:mail_outboxmessage_changelist"),
        reverse("admin:mail_outboxmessage_change", args=[message.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        pages.append(response.content.decode())
    for attachment in message.attachments.all():
        response = client.get(
            reverse("admin:mail_outboxmessage_attachment", args=[message.pk, attachment.pk])
        )
        if attachment.generator:
            # Made only when the email is sent (the check-in QR code, a visa letter): no
            # stored bytes, nothing to download from the outbox.
            assert response.status_code == 404
            continue
        assert response.status_code == 200
        pages.append(response.content.decode("utf-8", errors="replace"))
    return pages


# --- item 2: personal RSVP links -----------------------------------------------------------


@pytest.mark.parametrize("group", [VIEWERS, PARTNERSHIPS_OFFICERS, FORUM_COORDINATORS])
def test_no_staff_role_can_copy_a_working_rsvp_link_from_the_outbox(client, coordinator, group):
    invitation, token = accepted_invitation(coordinator)
    client = staff_client(client, group)
    messages = list(OutboxMessage.objects.filter(related_object_id=invitation.pk))
    assert {m.kind for m in messages} >= {
        "invitation",
        "reminder_unanswered",
        "confirmation",
        "rsvp_answer_notice",
    }
    tried = 0
    for message in messages:
        for page in outbox_pages(client, message):
            assert token not in page
            tried += assert_no_working_link(client, page)
    # The invitation's own admin page, linked from the outbox row ("about").
    page = client.get(reverse("admin:forums_invitation_change", args=[invitation.pk]))
    if page.status_code == 200:
        assert token not in page.content.decode()
        tried += assert_no_working_link(client, page.content.decode())
    assert tried  # the pages did carry URLs (admin links, the marker's neighbours ...)
    invitation_page = client.get(
        reverse(
            "admin:mail_outboxmessage_change",
            args=[OutboxMessage.objects.get(kind="invitation").pk],
        )
    ).content.decode()
    assert str(LINK_LABEL) in invitation_page  # staff see where the link goes


def test_the_delivered_email_carries_the_working_link(client, coordinator, caplog):
    _invitation, token = sent_invitation(coordinator)
    message = OutboxMessage.objects.get(kind="invitation")
    mail.outbox = []
    with caplog.at_level(logging.DEBUG):
        assert send_outbox_message(message_id=message.pk)
    [email] = mail.outbox
    link = re.search(r"https?://\S+/rsvp/[\w-]+/", email.body).group(0)
    assert token in link
    html = email.alternatives[0][0]
    assert f'<a href="{link}">{link}</a>' in html
    assert "[[outbox" not in email.body + html + email.subject
    # The link works: the expert's page opens.
    path = link.split("127.0.0.1:8000", 1)[1]
    assert client.get(path).status_code == 200
    # It was filled in for the email only: the row, and the log, still hold no token.
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert token not in message.text_body + message.html_body
    assert token not in caplog.text


def test_a_dump_of_the_outbox_holds_no_working_token(client, coordinator):
    invitation, token = accepted_invitation(coordinator)
    # The same link, re-issued and emailed again: two tokens were live at some point.
    second = reissue_token(invitation, issued_by=coordinator, notify=True)
    dump = []
    with connection.cursor() as cursor:
        for table in (
            OutboxMessage._meta.db_table,
            OutboxAttachment._meta.db_table,
            InvitationEvent._meta.db_table,  # the invitation's history
        ):
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", errors="replace")
                    dump.append(str(value))
    text = "\n".join(dump)
    assert OutboxMessage.objects.filter(kind="invitation").count() == 2
    assert token not in text and second not in text
    assert "/rsvp/" not in text
    assert_no_working_link(client, text)


@pytest.mark.parametrize("how", ["withdrawn", "secret_key_rotated"])
def test_a_link_that_cannot_be_made_stops_the_email_with_a_clear_error(
    client, coordinator, settings, how
):
    invitation, _token = sent_invitation(coordinator)
    message = OutboxMessage.objects.get(kind="invitation")  # queued, not yet sent
    if how == "withdrawn":
        withdraw_invitation(invitation, withdrawn_by=coordinator)
    else:
        settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    mail.outbox = []
    assert not send_outbox_message(message_id=message.pk)
    assert mail.outbox == []  # no email with a placeholder, no email without its link
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert "rsvp_link could not be filled in" in message.last_error
    assert f"#{invitation.pk}" in message.last_error
    # Shown to staff, failed messages first, in words.
    client = staff_client(client, FORUM_COORDINATORS)
    page = client.get(reverse("admin:mail_outboxmessage_changelist")).content.decode()
    assert "could not be filled in" in page

    if how == "secret_key_rotated":
        # A new link from the invitation, then Retry: the email goes out with the new link.
        new_token = reissue_token(invitation, issued_by=coordinator)
        assert retry_message(message=message)
        assert send_outbox_message(message_id=message.pk)
        [email] = mail.outbox
        assert f"/rsvp/{new_token}/" in email.body
        assert client.get(reverse("forums:rsvp", args=[new_token])).status_code == 200


def test_with_the_old_key_as_a_fallback_a_rotation_keeps_the_links_already_sent(
    client, coordinator, settings
):
    """deploy/README.md's rotation: new SECRET_KEY, old one in SECRET_KEY_FALLBACKS. The
    queued email goes out with the very link the expert already has, which still opens."""
    _invitation, token = sent_invitation(coordinator)
    message = OutboxMessage.objects.get(kind="invitation")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    mail.outbox = []

    assert send_outbox_message(message_id=message.pk)

    [email] = mail.outbox
    assert f"/rsvp/{token}/" in email.body
    assert client.get(reverse("forums:rsvp", args=[token])).status_code == 200


def test_an_expert_cannot_make_the_staff_note_carry_their_link(coordinator):
    """Text typed by an expert that looks like a marker stays text."""
    invitation, token = sent_invitation(
        coordinator, edition=EditionFactory(answer_notification_email="forums-team@academy.test")
    )
    submit_rsvp(
        invitation,
        answer="declined",
        expected_version=invitation.version,
        decline_reason="Sorry [[outbox:link:rsvp_link]]",
    )
    notice = OutboxMessage.objects.get(kind="rsvp_answer_notice")
    mail.outbox = []
    assert send_outbox_message(message_id=notice.pk)
    [email] = mail.outbox
    assert token not in email.body
    assert "/rsvp/" not in email.body


# --- item 3: personal details ----------------------------------------------------------------


def personal_strings(invitation) -> list[str]:
    return [
        PASSPORT_NAME,
        "New Zealand",
        DIETARY,
        ACCESSIBILITY,
        ACCOMPANYING,
        invitation.arrival_date.strftime("%-d %B %Y"),
        invitation.departure_date.strftime("%-d %B %Y"),
    ]


@pytest.mark.parametrize("group", [VIEWERS, PARTNERSHIPS_OFFICERS])
def test_viewers_and_partnerships_officers_read_no_personal_details_in_the_outbox(
    client, coordinator, group
):
    invitation, _token = accepted_invitation(coordinator)
    client = staff_client(client, group)
    # As staff read it once written (when sent; before, it holds no text at all).
    confirmation = written(OutboxMessage.objects.get(kind="confirmation"))
    notice = OutboxMessage.objects.get(kind="rsvp_answer_notice")
    for message in (confirmation, notice):
        pages = outbox_pages(client, message)
        for page in pages:
            for secret in personal_strings(invitation):
                assert secret not in page, f"{group} reads {secret!r} in {message.kind}"
        assert "[given (restricted)]" in pages[1]  # they see that a detail was given
    change = pages[1]
    assert "Visa support letter" in outbox_pages(client, confirmation)[1]  # not a detail
    assert "Needs a visa support letter" in change
    assert not AccessLog.objects.exists()


def test_a_coordinator_reads_the_details_and_the_access_is_logged(client, coordinator):
    invitation, token = accepted_invitation(coordinator)
    reader = UserFactory(groups=[FORUM_COORDINATORS])
    client.force_login(reader)
    confirmation = written(OutboxMessage.objects.get(kind="confirmation"))
    page = client.get(
        reverse("admin:mail_outboxmessage_change", args=[confirmation.pk])
    ).content.decode()
    assert f"- Passport: {PASSPORT_NAME}, New Zealand" in page
    assert DIETARY in page and ACCESSIBILITY in page
    assert token not in page  # the link stays a marker, even for coordinators
    log = AccessLog.objects.get()
    assert log.user == reader
    assert log.personal_details is True
    assert log.model_label == "forums.invitation"
    assert log.object_ids == [invitation.pk]
    assert f"Outbox message {confirmation.pk}" in log.what
    # The list shows no bodies and logs nothing.
    client.get(reverse("admin:mail_outboxmessage_changelist"))
    assert AccessLog.objects.count() == 1


def test_personal_details_are_not_stored_but_are_sent(coordinator):
    invitation, _token = accepted_invitation(coordinator)
    rows = OutboxMessage.objects.filter(related_object_id=invitation.pk)
    stored = "\n".join(r.subject + r.text_body + r.html_body + str(r.writer_args) for r in rows)
    for secret in personal_strings(invitation):
        assert secret not in stored
    confirmation = rows.get(kind="confirmation")
    notice = rows.get(kind="rsvp_answer_notice")
    mail.outbox = []
    assert send_outbox_message(message_id=confirmation.pk)
    assert send_outbox_message(message_id=notice.pk)
    to_expert, to_staff = mail.outbox
    assert f"- Passport: {PASSPORT_NAME}, New Zealand" in to_expert.body
    assert f"- Dietary needs: {DIETARY}" in to_expert.body
    assert f"- Arrival: {invitation.arrival_date:%-d %B %Y}" in to_expert.body
    assert DIETARY in to_expert.alternatives[0][0]
    assert f"Dietary needs: {DIETARY}" in to_staff.body
    assert f"<td>{ACCESSIBILITY}</td>" in to_staff.alternatives[0][0]
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.ACCEPTED
    # The confirmation, written into its row when sent, still holds none of them.
    confirmation.refresh_from_db()
    assert not confirmation.writer and "What you told us" in confirmation.text_body
    kept = confirmation.subject + confirmation.text_body + confirmation.html_body
    for secret in [*personal_strings(invitation), _token]:
        assert secret not in kept
