"""Calendar (.ics) files for an invitation: the offered session, or the whole edition.

Times carry the edition's time zone (settings.TIME_ZONE, Asia/Ho_Chi_Minh by default) as TZID with
a VTIMEZONE block, so a calendar abroad shows the right local hour. The UID is stable per
invitation, so a later file (changed times, a cancellation) updates the same calendar entry.
Titles, venue and description are in the expert's preferred language (English where untranslated).
"""

import datetime as dt
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from academy_portal.core.academy import academy_name

# When an edition has no sessions yet, its days are shown as working days.
DEFAULT_DAY_START = dt.time(8, 30)
DEFAULT_DAY_END = dt.time(17, 30)


def edition_time_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=8)
def vtimezone(tzid: str) -> Timezone:
    # Building a VTIMEZONE walks decades of transitions (~80 ms); it never changes per zone.
    return Timezone.from_tzid(tzid)


def invitation_uid(invitation) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "academy-portal"
    return f"forums-invitation-{invitation.pk}@{host}"


def event_span(invitation) -> tuple[dt.datetime, dt.datetime]:
    """(start, end) of what the invitation is for, in the edition's time zone."""
    tz = edition_time_zone()
    edition = invitation.edition
    session = invitation.offered_session
    if session is not None:
        return session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
    span = edition.sessions.aggregate(start=Min("starts_at"), end=Max("ends_at"))
    if span["start"] and span["end"]:
        return span["start"].astimezone(tz), span["end"].astimezone(tz)
    start = dt.datetime.combine(edition.start_date, DEFAULT_DAY_START, tzinfo=tz)
    end = dt.datetime.combine(edition.end_date, DEFAULT_DAY_END, tzinfo=tz)
    return start, end


def event_location(invitation, *, language: str) -> str:
    """The session's room (if one is offered), the venue and the city, in `language`."""
    edition = invitation.edition
    parts = [edition.text_in("venue", language), edition.city]
    if invitation.offered_session is not None:
        parts.insert(0, invitation.offered_session.room)
    return ", ".join(part for part in parts if part)


def build_invitation_ics(invitation, *, method: str = "PUBLISH", span=None) -> bytes:
    """One VEVENT for the invitation; METHOD:CANCEL marks the entry cancelled.

    `span`: the invitation's `event_span`, when the caller already has it (a batch of sends)."""
    edition = invitation.edition
    start, end = span or event_span(invitation)
    language = invitation.expert.preferred_language or settings.LANGUAGE_CODE
    location = event_location(invitation, language=language)
    cancelled = method == "CANCEL"

    calendar = Calendar()
    calendar.add("prodid", "-//Academy Portal//Forums//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", invitation_uid(invitation))
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("sequence", invitation.version + (1 if cancelled else 0))
    title = edition.text_in("title", language)
    if invitation.offered_session is not None:
        title = f"{invitation.offered_session.text_in('title', language)} - {title}"
    event.add("summary", title)
    event.add("dtstart", start)
    event.add("dtend", end)
    if location:
        event.add("location", location)
    description = "\n\n".join(
        p
        for p in (
            edition.text_in("theme", language),
            edition.text_in("practical_information", language),
        )
        if p
    )
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    contact = edition.contact_email or settings.ACADEMY_CONTACT_EMAIL
    organizer = vCalAddress(f"mailto:{contact}")
    organizer.params["cn"] = vText(academy_name())
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{invitation.expert.email}")
    attendee.params["cn"] = vText(invitation.expert.full_name)
    event.add("attendee", attendee)
    calendar.add_component(vtimezone(settings.TIME_ZONE))
    calendar.add_component(event)
    return calendar.to_ical()
