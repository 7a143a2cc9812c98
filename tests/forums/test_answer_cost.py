"""The RSVP answer (POST) does little: a bounded number of queries, and its confirmation email
is written by the outbox worker when it is sent, not rendered in the request.

What the email says is the answer as it was when given, even if the expert changed it before
the worker got to it; the row exists when the answer commits, so an outage of Redis (cache and
broker) delays the email and never loses it; each email is sent once."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.services import send_outbox_message, sweep_outbox
from forums.ics import build_expert_calendar
from forums.models import EmailTemplate, Invitation, SessionRole
from forums.services import current_raw_token, submit_rsvp
from forums.services.emails import render_email
from tests.core.test_outage import DEAD_REDIS, RESILIENT, use_broker
from tests.factories import EditionFactory, SessionFactory
from tests.forums.invitation_factories import sent_invitation
from tests.mail.sent import written

pytestmark = pytest.mark.django_db

# Queries of one answer through the personal link, the link's lookup included: accepting a
# place offered with a session role (the demo's case) and declining it again (SQLite and
# PostgreSQL alike). Before: 28 and 18 (the confirmation's template and sessions, a re-read
# of the invitation, full_clean's unique and constraint checks, get_or_create's savepoint).
MAX_QUERIES_ACCEPT = 14
MAX_QUERIES_DECLINE = 11


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the limiter's counters
    yield
    cache.clear()


def speaker_invitation(edition=None):
    edition = edition or EditionFactory(capacity=20)
    session = SessionFactory(edition=edition)
    invitation, token = sent_invitation(
        edition=edition, offered_session=session, offered_role=SessionRole.Role.SPEAKER
    )
    OutboxMessage.objects.all().delete()  # the invitation email: not what is tested here
    return invitation, token


def post_answer(client, token, invitation, answer: str):
    data = {
        "answer": answer,
        "version": invitation.version,
        "attendance": "in_person",
        "privacy_consent": "on",
        "chatham_house_acknowledged": "on",
    }
    return client.post(reverse("forums:rsvp", args=[token]), data)


def test_an_answer_makes_a_bounded_number_of_queries(client):
    edition = EditionFactory(capacity=20)
    warm_up, warm_token = speaker_invitation(edition)
    post_answer(client, warm_token, warm_up, "accepted")  # per-process caches (content types)
    invitation, token = speaker_invitation(edition)

    with CaptureQueriesContext(connection) as accepting:
        response = post_answer(client, token, invitation, "accepted")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert SessionRole.objects.filter(expert=invitation.expert).exists()
    assert OutboxMessage.objects.filter(kind="confirmation").count() == 1
    assert len(accepting) <= MAX_QUERIES_ACCEPT, [q["sql"] for q in accepting]

    with CaptureQueriesContext(connection) as declining:
        response = post_answer(client, token, invitation, "declined")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    assert not SessionRole.objects.filter(expert=invitation.expert).exists()
    assert len(declining) <= MAX_QUERIES_DECLINE, [q["sql"] for q in declining]


def without_stamps(ics: bytes) -> str:
    # DTSTAMP is when the file was made: the one line that differs from a file made earlier.
    return re.sub(r"DTSTAMP:\S+\r\n", "", ics.decode())


def test_the_confirmation_is_written_when_sent_as_the_answer_was_even_if_changed_since():
    edition = EditionFactory(capacity=20)
    first, second = SessionFactory(edition=edition), SessionFactory(edition=edition)
    invitation, _token = sent_invitation(edition=edition)
    OutboxMessage.objects.all().delete()
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=invitation.version,
        attendance="in_person",
        sessions=[first],
        needs_hotel=True,
        dietary_needs="Vegetarian",
        privacy_consent=True,
        chatham_house_acknowledged=True,
    )
    # What the answer's request rendered before this change, for the same answer.
    expected = render_email(
        EmailTemplate.Kind.CONFIRMATION,
        invitation,
        raw_token=current_raw_token(invitation),
        for_outbox=True,
    )
    expected_calendar, _method = build_expert_calendar(invitation)
    row = OutboxMessage.objects.get(kind="confirmation")
    assert row.writer and row.text_body == ""  # nothing rendered in the request

    # The expert changes the answer before the worker got to the first email.
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=invitation.version,
        attendance="in_person",
        sessions=[second],
        needs_hotel=False,
        privacy_consent=True,
        chatham_house_acknowledged=True,
    )
    first_row, second_row = OutboxMessage.objects.filter(kind="confirmation").order_by("pk")
    assert first_row.pk == row.pk

    first_row = written(first_row)
    assert (first_row.subject, first_row.text_body, first_row.html_body) == (
        expected.subject,
        expected.text_body,
        expected.html_body,
    )
    calendar, qr = first_row.attachments.order_by("pk")
    assert without_stamps(bytes(calendar.content)) == without_stamps(expected_calendar)
    assert calendar.mimetype == "text/calendar; method=PUBLISH"
    assert (qr.filename, qr.generator, bytes(qr.content)) == (
        "check-in-qr.png",
        "forums.checkin_qr",
        b"",
    )

    mail.outbox = []
    assert send_outbox_message(message_id=first_row.pk)
    assert send_outbox_message(message_id=second_row.pk)
    assert not send_outbox_message(message_id=first_row.pk)  # once only
    assert not send_outbox_message(message_id=second_row.pk)
    as_given, as_changed = mail.outbox
    assert first.title in as_given.body and second.title not in as_given.body
    assert "- Hotel room needed: yes" in as_given.body
    # A personal detail is filled in when sent, as for every email: removed since, it says so.
    assert "- Dietary needs: -" in as_given.body
    assert second.title in as_changed.body and first.title not in as_changed.body
    assert "- Hotel room needed: no" in as_changed.body
    assert "Dietary needs" not in as_changed.body
    for row in OutboxMessage.objects.filter(kind="confirmation"):
        assert row.status == OutboxMessage.Status.SENT and not row.writer
        assert "Vegetarian" not in row.text_body + row.html_body + str(row.writer_args)


def test_the_confirmation_of_a_deleted_invitation_fails_instead_of_being_sent():
    invitation, _token = sent_invitation(edition=EditionFactory())
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=invitation.version,
        attendance="in_person",
        privacy_consent=True,
        chatham_house_acknowledged=True,
    )
    row = OutboxMessage.objects.get(kind="confirmation")
    Invitation.objects.filter(pk=invitation.pk).delete()
    mail.outbox = []
    assert not send_outbox_message(message_id=row.pk)
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.FAILED and row.writer
    assert "written when it is sent" in row.last_error
    assert mail.outbox == []


def test_with_redis_down_the_answer_commits_with_its_email_row_sent_later(
    client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = speaker_invitation()
    mail.outbox = []
    settings.CACHES = {"default": {"BACKEND": RESILIENT, "LOCATION": DEAD_REDIS}}
    undo = use_broker(DEAD_REDIS, {"socket_connect_timeout": 1, "socket_timeout": 5})
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("forums:rsvp", args=[token]),
                {
                    "answer": "accepted",
                    "version": invitation.version,
                    "privacy_consent": "on",
                    "chatham_house_acknowledged": "on",
                },
            )
    finally:
        undo()
    assert response.status_code == 302
    # Committed with the answer: the row, to be written when sent; nothing went out.
    row = OutboxMessage.objects.get(kind="confirmation")
    assert row.status == OutboxMessage.Status.QUEUED and row.writer
    assert row.dedup_key == f"confirmation:{invitation.pk}:{invitation.version + 1}"
    assert mail.outbox == []

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    sweep_outbox()  # the per-minute sweep, once Redis is back
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.SENT and not row.writer
    assert "What you told us" in row.text_body
    [email] = mail.outbox
    assert invitation.expert.email in email.to[0]
    assert [a.get_filename() for a in email.attachments] == ["invitation.ics", "check-in-qr.png"]
    sweep_outbox()
    assert len(mail.outbox) == 1  # sent once


def test_the_answered_invitation_holds_what_the_database_holds_without_a_re_read():
    invitation, _token = speaker_invitation()
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=invitation.version,
        attendance="in_person",
        needs_hotel=True,
        privacy_consent=True,
        chatham_house_acknowledged=True,
    )
    stored = Invitation.objects.get(pk=invitation.pk)
    fields = [f.attname for f in Invitation._meta.concrete_fields]
    assert [getattr(invitation, f) for f in fields] == [getattr(stored, f) for f in fields]
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.needs_hotel
    assert invitation.expert == stored.expert and invitation.edition == stored.edition
