"""Saving an edition: the service (save_edition) does what a signal used to, and only it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from academy_portal.mail.models import OutboxMessage
from forums.models import Edition, Invitation, InvitationEvent, ReminderRule
from forums.services import invite_expert, send_invitation, submit_rsvp
from tests.factories import EditionFactory, ExpertFactory, ForumFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    return UserFactory(groups=["Forum coordinators"])


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def accepted(edition, staff):
    invitation, _ = invite_expert(edition, expert=ExpertFactory(), invited_by=staff)
    send_invitation(invitation, sent_by=staff)
    return submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=invitation.version,
        attendance="in_person",
        privacy_consent=True,
        chatham_house_acknowledged=True,
    )


def full_edition_with_waitlist(staff):
    edition = EditionFactory(capacity=1)
    first, waiting = accepted(edition, staff), accepted(edition, staff)
    assert waiting.status == Invitation.Status.WAITLISTED
    return edition, first, waiting


def edition_form(edition, **changes):
    """The edition admin's change form as posted, with its (empty) sessions inline."""
    data = {
        "forum": edition.forum_id,
        "number": edition.number,
        "title": edition.title,
        "theme": edition.theme,
        "status": edition.status,
        "start_date": edition.start_date.isoformat(),
        "end_date": edition.end_date.isoformat(),
        "city": edition.city,
        "venue": edition.venue,
        "format": edition.format,
        "capacity": edition.capacity,
        "rsvp_deadline": edition.rsvp_deadline.isoformat(),
        "default_attribution": edition.default_attribution,
        "contact_email": "",
        "answer_notification_email": "",
        "practical_information": "",
        "sessions-TOTAL_FORMS": 0,
        "sessions-INITIAL_FORMS": 0,
        "sessions-MIN_NUM_FORMS": 0,
        "sessions-MAX_NUM_FORMS": 1000,
    }
    data.update(changes)
    return data


def test_a_plain_save_sends_no_email_and_creates_nothing(coordinator):
    edition, _, waiting = full_edition_with_waitlist(coordinator)
    emails = OutboxMessage.objects.count()
    events = InvitationEvent.objects.count()
    edition.capacity = 5
    edition.save()  # e.g. in a shell or a data migration
    waiting.refresh_from_db()
    assert waiting.status == Invitation.Status.WAITLISTED
    assert OutboxMessage.objects.count() == emails
    assert InvitationEvent.objects.count() == events

    fresh = Edition(
        forum=ForumFactory(),
        number=1,
        title="Created in a shell",
        start_date=edition.start_date,
        end_date=edition.end_date,
    )
    fresh.save()
    assert not ReminderRule.objects.filter(edition=fresh).exists()


def test_raising_the_capacity_in_the_admin_promotes_the_waitlist_in_the_coordinators_name(
    coordinator_client, coordinator
):
    edition, _, waiting = full_edition_with_waitlist(coordinator)
    url = reverse("admin:forums_edition_change", args=[edition.pk])
    response = coordinator_client.post(url, edition_form(edition, capacity=2))
    assert response.status_code == 302, response.context["adminform"].form.errors
    waiting.refresh_from_db()
    assert waiting.status == Invitation.Status.ACCEPTED
    event = waiting.events.get(kind=InvitationEvent.Kind.OFFERED_PLACE)
    assert event.actor == coordinator
    assert event.actor_label == coordinator.get_username()  # not "the portal"
    assert OutboxMessage.objects.get(kind="place_offered").to_email == waiting.expert.email
    # The history page shows who raised the capacity.
    page = coordinator_client.get(reverse("admin:forums_invitation_change", args=[waiting.pk]))
    assert coordinator.get_username() in page.content.decode()


def test_an_edition_added_in_the_admin_gets_the_default_reminder_rules(coordinator_client):
    template = EditionFactory.build(forum=ForumFactory())
    response = coordinator_client.post(
        reverse("admin:forums_edition_add"), edition_form(template, number=77)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    edition = Edition.objects.get(number=77)
    rules = sorted(edition.reminder_rules.values_list("audience", "days"))
    assert rules == [
        ("non_responders", 3),
        ("non_responders", 14),
        ("participants", 1),
        ("participants", 7),
    ]


def test_the_demo_data_saves_its_editions_through_the_service():
    call_command("load_demo", stdout=StringIO())
    assert Edition.objects.exists()
    for edition in Edition.objects.all():
        assert edition.reminder_rules.count() == 4, edition
