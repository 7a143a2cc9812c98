"""Calendars read back with icalendar (a real parser): the public feed of published editions,
and the expert's own file, whose SEQUENCE grows with every change and which cancels on a
decline or withdrawal."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from icalendar import Calendar

from academy_portal.core import roles
from academy_portal.mail.models import OutboxMessage
from forums.models import Invitation
from forums.services import record_schedule_change, withdraw_invitation
from tests.factories import EditionFactory, ExpertFactory, SessionFactory, UserFactory
from tests.forums.programme_factories import answer, published_edition, speaker
from tests.mail.sent import written

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def parse(response) -> Calendar:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


# The public feed


def test_the_feed_has_published_editions_and_sessions_with_stable_uids(client):
    edition = published_edition(title="The 16th South China Sea Conference", venue="Academy")
    session = SessionFactory(edition=edition, title="Panel 1: Fisheries", room="Hall B")
    hidden = EditionFactory(title="The 17th South China Sea Conference")  # not published
    SessionFactory(edition=hidden, title="Panel 9: Not yet public")

    response = client.get(reverse("forums:calendar"))
    calendar = parse(response)
    again = parse(client.get(reverse("forums:calendar")))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    head = client.head(reverse("forums:calendar"))  # what some calendar clients ask first
    assert head.status_code == 200 and head["Content-Type"] == response["Content-Type"]
    assert "public" in response["Cache-Control"]
    assert str(calendar["X-WR-CALNAME"]) == "Diplomatic Academy: forums"
    assert str(calendar["METHOD"]) == "PUBLISH"
    found = events(calendar)
    assert set(found) == set(events(again))  # the same UIDs on every fetch
    summaries = {str(event["SUMMARY"]) for event in found.values()}
    assert summaries == {"The 16th South China Sea Conference", "Panel 1: Fisheries"}
    for event in found.values():
        assert event.decoded("DTSTAMP").tzinfo is not None
    panel = next(e for e in found.values() if str(e["SUMMARY"]) == "Panel 1: Fisheries")
    assert panel.decoded("DTSTART") == session.starts_at
    assert panel.decoded("DTSTART").astimezone(HCM).time() == dt.time(9, 0)
    assert str(panel["LOCATION"]) == "Hall B, Academy, Hà Nội"
    whole = next(e for e in found.values() if "16th" in str(e["SUMMARY"]))
    assert whole.decoded("DTSTART") == edition.start_date  # an all-day entry
    assert whole.decoded("DTEND") == edition.end_date + dt.timedelta(days=1)
    assert "/forums/" in str(whole["URL"])


def test_the_feed_holds_no_personal_data_and_closed_door_sessions_say_by_invitation(client):
    edition = published_edition()
    open_session = SessionFactory(edition=edition, title="Panel 1: Fisheries")
    closed = SessionFactory(edition=edition, title="Roundtable", closed_door=True)
    expert, *_ = speaker(open_session, family_name="Listedperson")
    insider, *_ = speaker(closed, family_name="Insider")

    response = client.get(reverse("forums:calendar"))
    calendar = parse(response)

    raw = response.content.decode()
    for private in (expert.email, expert.family_name, insider.email, insider.family_name):
        assert private not in raw
    assert "ATTENDEE" not in raw
    (roundtable,) = [e for e in calendar.walk("VEVENT") if "Roundtable" in str(e["SUMMARY"])]
    assert str(roundtable["SUMMARY"]) == "Roundtable (by invitation)"


def test_the_feed_in_vietnamese_and_its_sequence_follows_schedule_changes(client):
    edition = published_edition(title="The 11th Ocean Dialogue", title_vi="Đối thoại Biển lần 11")
    SessionFactory(edition=edition, title="Panel 1", title_vi="Phiên 1")
    first = parse(client.get(reverse("forums:calendar"), {"lang": "vi"}))
    record_schedule_change(edition=edition)
    second = parse(client.get(reverse("forums:calendar"), {"lang": "vi"}))

    assert {str(e["SUMMARY"]) for e in first.walk("VEVENT")} == {"Đối thoại Biển lần 11", "Phiên 1"}
    assert str(first["X-WR-CALNAME"]).startswith("Học viện Ngoại giao")
    before, after = events(first), events(second)
    assert all(after[uid]["SEQUENCE"] > before[uid]["SEQUENCE"] for uid in before)


@pytest.mark.parametrize("published_editions", [1, 6])
def test_the_feed_makes_the_same_queries_whatever_its_size(
    client, django_assert_num_queries, published_editions
):
    for _ in range(published_editions):
        SessionFactory.create_batch(3, edition=published_edition())
    with django_assert_num_queries(2):  # editions with forums, sessions with editions and forums
        calendar = parse(client.get(reverse("forums:calendar")))
    assert len(calendar.walk("VEVENT")) == published_editions * 4


# The expert's own calendar


def download(client, token) -> tuple[Calendar, dict]:
    calendar = parse(client.get(reverse("forums:rsvp_calendar", args=[token])))
    return calendar, events(calendar)


def statuses(found) -> dict[str, str]:
    return {uid: str(event["STATUS"]) for uid, event in found.items()}


def sequences(found) -> set[int]:
    return {int(event["SEQUENCE"]) for event in found.values()}


def test_the_expert_file_follows_the_answer_with_a_higher_sequence_each_time(client):
    edition = EditionFactory()
    first = SessionFactory(edition=edition, title="Panel 1")
    second = SessionFactory(
        edition=edition,
        title="Panel 2",
        starts_at=first.starts_at + dt.timedelta(hours=3),
        ends_at=first.starts_at + dt.timedelta(hours=4),
    )
    _, invitation, token = speaker(first, answered=None)
    whole_uid = f"forums-invitation-{invitation.pk}@127.0.0.1"
    session_uid = f"forums-invitation-{invitation.pk}-session-{{}}@127.0.0.1".format

    response = client.get(reverse("forums:rsvp_calendar", args=[token]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    calendar, found = download(client, token)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert statuses(found)[whole_uid] == "TENTATIVE"  # not answered yet: the invitation
    (unanswered,) = sequences(found)

    answer(invitation)  # accepted, no session ticked: the invitation's own entry
    _, found = download(client, token)
    assert statuses(found)[whole_uid] == "CONFIRMED"
    assert statuses(found)[session_uid(second.pk)] == "CANCELLED"
    (accepted,) = sequences(found)
    assert accepted > unanswered

    answer(invitation, sessions=[first, second])  # the sessions chosen replace the whole entry
    _, found = download(client, token)
    assert statuses(found) == {
        whole_uid: "CANCELLED",
        session_uid(first.pk): "CONFIRMED",
        session_uid(second.pk): "CONFIRMED",
    }
    (chosen,) = sequences(found)
    assert chosen > accepted
    assert found[session_uid(second.pk)].decoded("DTSTART").astimezone(HCM).time() == dt.time(12)

    second.starts_at += dt.timedelta(hours=1)
    second.ends_at += dt.timedelta(hours=1)
    second.save()
    record_schedule_change(edition=edition)  # as the admin does on a change of times
    _, found = download(client, token)
    (moved,) = sequences(found)
    assert moved > chosen
    assert found[session_uid(second.pk)].decoded("DTSTART").astimezone(HCM).time() == dt.time(13)

    answer(invitation, Invitation.Status.DECLINED)
    calendar, found = download(client, token)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert set(statuses(found).values()) == {"CANCELLED"}
    assert len(found) == 3
    (declined,) = sequences(found)
    assert declined > moved

    answer(invitation, Invitation.Status.TENTATIVE)  # changes their mind again
    calendar, found = download(client, token)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert statuses(found)[whole_uid] == "TENTATIVE"
    (tentative,) = sequences(found)
    assert tentative > declined


def test_a_withdrawal_cancels_on_the_signed_in_page_and_the_revoked_link_gives_nothing(client):
    session = SessionFactory()
    expert, invitation, token = speaker(session, answered=None)
    answer(invitation, sessions=[session])
    user = UserFactory(username="expert", email=expert.email, is_staff=False)
    EmailAddress.objects.create(user=user, email=expert.email, verified=True, primary=True)
    client.force_login(user)
    path = reverse("forums:my_invitation_calendar", args=[invitation.pk])
    before = events(parse(client.get(path)))

    withdraw_invitation(invitation, withdrawn_by=UserFactory(groups=[roles.FORUM_COORDINATORS]))

    calendar = parse(client.get(path))
    after = events(calendar)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert set(before) == set(after)
    assert all(after[uid]["STATUS"] == "CANCELLED" for uid in after)
    assert all(after[uid]["SEQUENCE"] > before[uid]["SEQUENCE"] for uid in before)
    assert client.get(reverse("forums:rsvp_calendar", args=[token])).status_code == 410


def test_another_experts_calendar_or_an_unknown_link_is_a_404(client):
    _, invitation, _ = speaker(SessionFactory())
    other = UserFactory(username="other", email="other@example.org", is_staff=False)
    EmailAddress.objects.create(user=other, email=other.email, verified=True, primary=True)
    client.force_login(other)
    ExpertFactory(email=other.email)
    path = reverse("forums:my_invitation_calendar", args=[invitation.pk])
    assert client.get(path).status_code == 404
    assert client.get(reverse("forums:rsvp_calendar", args=["x" * 43])).status_code == 404


def test_the_rsvp_page_links_to_the_expert_file(client):
    _, invitation, token = speaker(SessionFactory(), answered=None)
    page = client.get(reverse("forums:rsvp", args=[token]))
    assert reverse("forums:rsvp_calendar", args=[token]) in page.content.decode()
    answer(invitation, Invitation.Status.DECLINED)
    page = client.get(reverse("forums:rsvp", args=[token]))
    assert "Remove this event from my calendar" in page.content.decode()


def test_the_confirmation_email_carries_the_same_calendar_as_the_download(client):
    session = SessionFactory()
    _, invitation, token = speaker(session, answered=None)
    answer(invitation, sessions=[session])
    confirmation = written(OutboxMessage.objects.get(kind="confirmation"))
    calendar = confirmation.attachments.get(mimetype__startswith="text/calendar")
    emailed = events(Calendar.from_ical(bytes(calendar.content)))
    _, downloaded = download(client, token)
    assert statuses(emailed) == statuses(downloaded)
    assert sequences(emailed) == sequences(downloaded)
