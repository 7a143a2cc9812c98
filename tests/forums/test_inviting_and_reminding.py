"""The coordinator's invite list and "Remind now", through the admin: the invite list names
its edition, the status counts survive a status filter, and "Remind now" asks first, saying
who is reminded and who is skipped and why, sending nothing until confirmed."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from academy_portal.mail.models import OutboxMessage
from forums.models import Invitation, InvitationEvent
from forums.services import plan_reminders, submit_rsvp
from tests.factories import EditionFactory, ExpertFactory, UserFactory
from tests.forums.invitation_factories import sent_invitation

pytestmark = pytest.mark.django_db

EXPERTS_URL = reverse("admin:experts_expert_changelist")
INVITATIONS_URL = reverse("admin:forums_invitation_changelist")


@pytest.fixture
def coordinator():
    return UserFactory(groups=["Forum coordinators"])


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def sent(edition, staff, *, minutes_ago, **expert):
    invitation = sent_invitation(staff, edition=edition, expert=ExpertFactory(**expert))[0]
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return invitation


def reminders():
    return OutboxMessage.objects.filter(kind="reminder_unanswered")


def remind(client, invitations, **extra):
    data = {"action": "remind_selected", ACTION_CHECKBOX_NAME: [i.pk for i in invitations]}
    data.update(extra)
    return client.post(INVITATIONS_URL, data, follow=True)


# --- the invite list -------------------------------------------------------------------------


def test_invite_list_names_the_edition_it_invites_to(coordinator_client):
    edition = EditionFactory()
    response = coordinator_client.get(EXPERTS_URL, {"not_invited_to": edition.pk})
    assert str(edition) in response.context["title"]
    assert f"<h1>{response.context['title']}</h1>" in response.text
    assert "Select expert to change" not in response.text
    # The plain expert list keeps the admin's own title.
    assert coordinator_client.get(EXPERTS_URL).context["title"] == "Select expert to change"


def test_invite_list_with_an_unknown_edition_keeps_the_plain_title(coordinator_client):
    response = coordinator_client.get(EXPERTS_URL, {"not_invited_to": 999999})
    assert response.context["title"] == "Select expert to change"


# --- counts by status ------------------------------------------------------------------------


def test_status_counts_stay_when_a_status_filter_is_on(coordinator_client, coordinator):
    edition = EditionFactory()
    for _ in range(2):
        sent(edition, coordinator, minutes_ago=120)
    accepted = sent(edition, coordinator, minutes_ago=120)
    submit_rsvp(accepted, answer="accepted", expected_version=0, attendance="in_person")
    other = EditionFactory()
    sent(other, coordinator, minutes_ago=120)

    response = coordinator_client.get(
        INVITATIONS_URL, {"edition__id__exact": edition.pk, "status__exact": "accepted"}
    )
    counts = {item["status"]: item["count"] for item in response.context["status_counts"]}
    assert counts["sent"] == 2  # was 0 with the filter on
    assert counts["accepted"] == 1
    assert response.context["status_total"] == 1  # "Shown": the filtered list
    assert len(response.context["cl"].result_list) == 1
    # The other filters still apply to the counts: the other edition's invitation is not counted.
    assert sum(counts.values()) == 3


@pytest.mark.parametrize("rows", [1, 20])
def test_counts_with_a_status_filter_keep_the_query_count_bounded(
    coordinator_client, coordinator, django_assert_max_num_queries, rows
):
    edition = EditionFactory()
    for _ in range(rows):
        sent(edition, coordinator, minutes_ago=120)
    # The list's bound (test_invitation_admin) plus the unfiltered count and edition choices.
    with django_assert_max_num_queries(12):
        response = coordinator_client.get(
            INVITATIONS_URL, {"edition__id__exact": edition.pk, "status__exact": "sent"}
        )
    assert len(response.context["cl"].result_list) == rows


# --- Remind now ------------------------------------------------------------------------------


@pytest.fixture
def selection(coordinator):
    edition = EditionFactory()
    due = sent(edition, coordinator, minutes_ago=180, given_name="Dana", family_name="Due")
    fresh = sent(edition, coordinator, minutes_ago=1, given_name="Fred", family_name="Fresh")
    answered = sent(edition, coordinator, minutes_ago=180, given_name="Ann", family_name="Answered")
    submit_rsvp(answered, answer="declined", expected_version=0)
    return {"due": due, "fresh": fresh, "answered": answered}


def test_remind_now_asks_first_and_says_who_is_skipped_and_why(coordinator_client, selection):
    response = remind(coordinator_client, selection.values())
    assert response.templates[0].name == "admin/forums/remind_invitations.html"
    page = response.text
    reminded, skipped = page.split("will not be reminded")
    assert "1 expert will be reminded" in reminded
    assert "Dana Due" in reminded
    assert "2 will not be reminded" in page
    assert "Fred Fresh" in skipped and "invitation sent less than 60 minutes ago" in skipped
    assert "Ann Answered" in skipped and "answered, not sent, or closed" in skipped
    assert "Fred Fresh" not in reminded and "Ann Answered" not in reminded
    # Nothing sent before the coordinator confirms.
    assert not reminders().exists()
    assert not InvitationEvent.objects.filter(kind="reminded").exists()


def test_confirming_sends_the_reminders_to_those_listed(coordinator_client, selection):
    response = remind(coordinator_client, selection.values(), _confirm="1")
    assert [m.to_email for m in reminders()] == [selection["due"].expert.email]
    assert "1 reminder queued." in response.text
    assert "2 skipped" in response.text


def test_confirmation_page_of_a_double_click_lists_the_expert_as_just_reminded(
    coordinator_client, selection
):
    remind(coordinator_client, [selection["due"]], _confirm="1")
    page = remind(coordinator_client, [selection["due"]]).text
    assert "Nobody among the selected invitations can be reminded now." in page
    assert "reminded less than 60 minutes ago" in page
    assert 'name="_confirm"' not in page


def test_preview_and_sending_share_one_rule(coordinator, selection):
    plan = plan_reminders(Invitation.objects.all())
    assert plan.to_remind == [selection["due"]]
    assert {s.invitation.pk: str(s.reason) for s in plan.skipped} == {
        selection["fresh"].pk: "invitation sent less than 60 minutes ago",
        selection["answered"].pk: "answered, not sent, or closed",
    }


def test_many_reminders_are_confirmed_then_sent_in_the_background(
    coordinator_client, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.INVITATIONS_INLINE_LIMIT = 2
    edition = EditionFactory()
    invitations = [sent(edition, coordinator, minutes_ago=180) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        page = remind(coordinator_client, invitations, select_across="1").text
    assert "3 experts will be reminded" in page
    assert "go out in the background" in page
    assert '<input type="hidden" name="select_across" value="1">' in page
    assert not reminders().exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = remind(coordinator_client, invitations, select_across="1", _confirm="1")
    assert "Sending 3 reminders in the background" in response.text
    assert reminders().count() == 3


@pytest.mark.parametrize("rows", [1, 30])
def test_remind_confirmation_query_count_is_bounded(
    coordinator_client, coordinator, django_assert_max_num_queries, rows
):
    edition = EditionFactory()
    invitations = [sent(edition, coordinator, minutes_ago=180) for _ in range(rows)]
    with django_assert_max_num_queries(14):
        response = remind(coordinator_client, invitations)
    assert f"{rows} expert" in response.text


def test_a_viewer_has_no_remind_action_and_cannot_post_it(client, coordinator, selection):
    client.force_login(UserFactory(groups=["Viewers"]))
    response = client.get(INVITATIONS_URL)
    assert response.status_code == 200
    assert "remind_selected" not in response.text
    response = remind(client, selection.values())
    assert "admin/forums/remind_invitations.html" not in [t.name for t in response.templates]
    response = remind(client, selection.values(), _confirm="1")
    assert not reminders().exists()
