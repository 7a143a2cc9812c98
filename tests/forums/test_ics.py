import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from forums.ics import build_invitation_ics, invitation_uid
from tests.factories import EditionFactory, SessionFactory
from tests.forums.invitation_factories import InvitationFactory

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def parse(data: bytes):
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_edition_event_has_summary_location_and_local_time_zone():
    edition = EditionFactory(
        title="The 16th South China Sea Conference", venue="Diplomatic Academy", city="Hà Nội"
    )
    invitation = InvitationFactory(edition=edition)
    data = build_invitation_ics(invitation)
    calendar, event = parse(data)
    assert calendar["METHOD"] == "PUBLISH"
    assert str(event["SUMMARY"]) == "The 16th South China Sea Conference"
    assert str(event["LOCATION"]) == "Diplomatic Academy, Hà Nội"
    assert b"DTSTART;TZID=Asia/Ho_Chi_Minh:" in data
    assert b"BEGIN:VTIMEZONE" in data and b"TZID:Asia/Ho_Chi_Minh" in data
    start = event.decoded("DTSTART")
    # No sessions yet: the edition's working days, in Hanoi time.
    assert start == dt.datetime.combine(edition.start_date, dt.time(8, 30), tzinfo=HCM)
    assert event.decoded("DTEND").date() == edition.end_date
    assert str(event["UID"]) == invitation_uid(invitation)
    assert str(event["ATTENDEE"]) == f"mailto:{invitation.expert.email}"


def test_offered_session_event_uses_the_session_time_and_room():
    session = SessionFactory(room="Hall B")
    invitation = InvitationFactory(edition=session.edition, offered_session=session)
    _, event = parse(build_invitation_ics(invitation))
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None
    # The factory's session starts at 09:00 Hanoi time; the same instant in UTC is 02:00.
    assert start.astimezone(HCM).time() == dt.time(9, 0)
    assert start.astimezone(dt.UTC).time() == dt.time(2, 0)
    assert str(event["LOCATION"]).startswith("Hall B, ")
    assert session.title in str(event["SUMMARY"])


def test_edition_with_sessions_spans_first_to_last_session():
    edition = EditionFactory()
    first = SessionFactory(edition=edition)
    last = SessionFactory(
        edition=edition,
        starts_at=first.starts_at + dt.timedelta(days=1, hours=5),
        ends_at=first.starts_at + dt.timedelta(days=1, hours=7),
    )
    _, event = parse(build_invitation_ics(InvitationFactory(edition=edition)))
    assert event.decoded("DTSTART") == first.starts_at
    assert event.decoded("DTEND") == last.ends_at


def test_uid_is_stable_and_cancel_marks_the_same_entry_cancelled():
    invitation = InvitationFactory()
    _, first = parse(build_invitation_ics(invitation))
    calendar, cancelled = parse(build_invitation_ics(invitation, method="CANCEL"))
    assert first["UID"] == cancelled["UID"]
    assert calendar["METHOD"] == "CANCEL"
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["SEQUENCE"] > first["SEQUENCE"]
