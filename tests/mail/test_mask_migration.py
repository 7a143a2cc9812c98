"""The data migration that masks links and personal details in rows stored before markers."""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import translation

from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.services import queue_email, send_outbox_message
from forums.services import invite_expert, send_invitation, submit_rsvp
from forums.services.emails import render_email
from tests.factories import EditionFactory, ExpertFactory, UserFactory

pytestmark = pytest.mark.django_db
migration = importlib.import_module(
    "academy_portal.mail.migrations.0002_mask_personal_links_and_details"
)


class _SchemaEditor:
    connection = connection


def run_migration():
    migration.mask_existing_rows(apps, _SchemaEditor())


def legacy_row(invitation, token, *, kind, related=True):
    """A row as the outbox stored it before markers: the working link and details in clear."""
    email = render_email(kind, invitation, raw_token=token)
    message, _ = queue_email(
        to_email=invitation.expert.email,
        subject=email.subject,
        text_body=email.text_body,
        html_body=email.html_body,
        language=email.language,
        kind=f"legacy_{kind}",
        dedup_key=f"legacy:{kind}:{invitation.pk}:{related}",
        related=invitation if related else None,
    )
    return message


@pytest.fixture
def answered(settings):
    staff = UserFactory(groups=["Forum coordinators"])
    edition = EditionFactory(answer_notification_email="team@academy.test")
    invitation, _ = invite_expert(
        edition, expert=ExpertFactory(preferred_language="vi"), invited_by=staff
    )
    token = send_invitation(invitation, sent_by=staff)
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=invitation.version,
        attendance="in_person",
        privacy_consent=True,
        chatham_house_acknowledged=True,
        dietary_needs="No pork <please>",
        accessibility_needs="Wheelchair",
        passport_name="NGUYEN Van An",
        passport_nationality="VN",
        arrival_date=edition.start_date - dt.timedelta(days=1),
    )
    invitation.refresh_from_db()
    return invitation, token


def test_links_and_details_of_old_rows_are_masked_and_filled_in_when_sent(client, answered):
    invitation, token = answered
    rows = [
        legacy_row(invitation, token, kind="invitation"),
        legacy_row(invitation, token, kind="confirmation", related=False),
    ]
    # The staff's answer notice as it used to be rendered (details from the invitation).
    with translation.override("en"):
        notice = OutboxMessage.objects.get(kind="rsvp_answer_notice")
        notice.text_body = notice.text_body.replace(
            "[[outbox:detail:dietary_needs]]", "No pork <please>"
        ).replace("[[outbox:detail:accessibility_needs]]", "Wheelchair")
        notice.html_body = notice.html_body.replace(
            "[[outbox:detail:dietary_needs]]", "No pork &lt;please&gt;"
        ).replace("[[outbox:detail:accessibility_needs]]", "Wheelchair")
        notice.save()
    rows.append(notice)
    assert token in rows[0].text_body and "NGUYEN Van An" in rows[1].text_body

    run_migration()

    secrets = [token, "NGUYEN Van An", "No pork", "Wheelchair", "Việt Nam", "Viet Nam"]
    for row in rows:
        row.refresh_from_db()
        stored = row.subject + row.text_body + row.html_body
        assert not [s for s in secrets if s in stored], row.kind
        assert "/rsvp/" not in stored
    invitation_row, confirmation_row, notice_row = rows
    assert "[[outbox:link:rsvp_link]]" in invitation_row.html_body
    assert '<a href="[[outbox' not in invitation_row.html_body  # the whole <a> was replaced
    assert "- Hộ chiếu: [[outbox:detail:passport]]" in confirmation_row.text_body
    assert "- Ngày đến: [[outbox:detail:arrival_date]]" in confirmation_row.text_body
    assert "Dietary needs: [[outbox:detail:dietary_needs]]" in notice_row.text_body
    # A row without its related object is tied to the invitation by the token's hash.
    assert confirmation_row.related == invitation

    # Still queued: sent with the working link and the details, filled in now.
    mail.outbox = []
    for row in rows:
        assert send_outbox_message(message_id=row.pk)
    invitation_email, confirmation_email, notice_email = mail.outbox
    link = re.search(r"https?://\S+/rsvp/[\w-]+/", invitation_email.body).group(0)
    assert client.get(reverse("forums:rsvp", args=[token])).status_code == 200
    assert token in link
    assert f'<a href="{link}">' in invitation_email.alternatives[0][0]
    assert "- Hộ chiếu: NGUYEN Van An, Việt Nam" in confirmation_email.body
    assert "Dietary needs: No pork <please>" in notice_email.body
    assert "No pork &lt;please&gt;" in notice_email.alternatives[0][0]


def test_rows_without_links_or_details_are_left_alone(answered):
    untouched = OutboxMessage.objects.filter(kind="invitation").get()
    before = (untouched.subject, untouched.text_body, untouched.html_body)
    run_migration()
    untouched.refresh_from_db()
    assert (untouched.subject, untouched.text_body, untouched.html_body) == before
