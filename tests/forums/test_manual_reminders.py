""" "Remind now": never within MANUAL_REMINDER_MIN_GAP of the invitation or the last reminder.

A double click that straddled a minute boundary used to send two reminders (the outbox key
carried the minute). The clock is moved with time-machine, never slept on.
"""

import datetime as dt

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from academy_portal.mail.models import OutboxMessage
from forums.models import Invitation
from forums.services import invite_expert, remind_invitation_now, send_invitation
from tests.factories import EditionFactory, ExpertFactory, UserFactory

pytestmark = pytest.mark.django_db

INVITATIONS_URL = reverse("admin:forums_invitation_changelist")
# Tomorrow, on the minute: near the real clock, so the staff's sign-in has not expired there
# (the edition's dates are made relative to it, inside the travel).
SENT_AT = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(days=1)


@pytest.fixture
def coordinator():
    return UserFactory(groups=["Forum coordinators"])


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def sent_at(moment, staff, count=1):
    """Invitations sent at `moment` (the clock stands still there while they are)."""
    with time_machine.travel(moment, tick=False):
        edition = EditionFactory()
        invitations = []
        for _ in range(count):
            invitation, _ = invite_expert(edition, expert=ExpertFactory(), invited_by=staff)
            send_invitation(invitation, sent_by=staff)
            invitations.append(invitation)
    return invitations


def remind(client, invitations):
    data = {
        "action": "remind_selected",
        "_confirm": "1",
        ACTION_CHECKBOX_NAME: [i.pk for i in invitations],
        "index": 0,
    }
    return client.post(INVITATIONS_URL, data, follow=True)


def reminders():
    return OutboxMessage.objects.filter(kind="reminder_unanswered")


def test_a_double_click_across_a_minute_boundary_sends_one_reminder(
    coordinator_client, coordinator
):
    (invitation,) = sent_at(SENT_AT, coordinator)
    first_click = SENT_AT + dt.timedelta(hours=3, seconds=59.6)  # 17:00:59.6
    with time_machine.travel(first_click, tick=False) as clock:
        remind(coordinator_client, [invitation])
        clock.shift(dt.timedelta(seconds=0.8))  # 17:01:00.4: another minute
        response = remind(coordinator_client, [invitation])
    assert reminders().count() == 1
    assert list(invitation.events.filter(kind="reminded").values_list("actor", flat=True)) == [
        coordinator.pk
    ]
    page = response.content.decode()
    assert "1 skipped" in page
    assert f"{invitation.expert} (reminded less than 60 minutes ago)" in page


def test_a_reminder_59_minutes_after_the_invitation_is_refused_61_goes(
    coordinator_client, coordinator
):
    (invitation,) = sent_at(SENT_AT, coordinator)
    with time_machine.travel(SENT_AT + dt.timedelta(minutes=59), tick=False):
        response = remind(coordinator_client, [invitation])
    assert reminders().count() == 0
    assert f"{invitation.expert} (invitation sent less than 60 minutes ago)" in (
        response.content.decode()
    )
    with time_machine.travel(SENT_AT + dt.timedelta(minutes=61), tick=False):
        response = remind(coordinator_client, [invitation])
    assert reminders().get().to_email == invitation.expert.email
    assert "1 reminder queued" in response.content.decode()


def test_the_gap_counts_from_the_previous_reminder_and_follows_the_setting(coordinator, settings):
    settings.MANUAL_REMINDER_MIN_GAP = 30
    (invitation,) = sent_at(SENT_AT, coordinator)
    reminded = SENT_AT + dt.timedelta(minutes=31)
    with time_machine.travel(reminded, tick=False):
        assert remind_invitation_now(invitation, reminded_by=coordinator) is True
    with time_machine.travel(reminded + dt.timedelta(minutes=29), tick=False):
        assert remind_invitation_now(invitation, reminded_by=coordinator) is False
    with time_machine.travel(reminded + dt.timedelta(minutes=31), tick=False):
        assert remind_invitation_now(invitation, reminded_by=coordinator) is True
    assert reminders().count() == 2


def test_a_double_click_across_a_minute_in_the_background_sends_one_reminder_each(
    coordinator_client, coordinator, settings, django_capture_on_commit_callbacks
):
    # The flaky test's case: above the inline limit, two clicks straddling a minute boundary.
    settings.INVITATIONS_INLINE_LIMIT = 2
    invitations = sent_at(SENT_AT, coordinator, count=3)
    first_click = SENT_AT + dt.timedelta(hours=3, seconds=59.6)
    with time_machine.travel(first_click, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            response = remind(coordinator_client, invitations)
        clock.shift(dt.timedelta(seconds=0.8))
        with django_capture_on_commit_callbacks(execute=True):
            remind(coordinator_client, invitations)
    assert "Sending 3 reminders in the background" in response.content.decode()
    assert reminders().count() == 3
    assert Invitation.objects.filter(events__kind="reminded").count() == 3
