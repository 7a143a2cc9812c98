"""Calendar (.ics) files: an invitation's (emailed, or the expert's download) and the public feed.

An invitation's entries share one SEQUENCE, derived from two counters that only grow: the
invitation's `version` (+1 on every answer) and the edition's `schedule_sequence` (+1 whenever
staff change the sessions' times or places, forums.services.programme). It is
2 x (version + schedule_sequence), +1 in a cancellation: a changed answer or changed times give a
higher number, a decline's cancellation is above the entry it cancels, and a later answer is
above the cancellation again.

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
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
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


def _uid_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "academy-portal"


def invitation_uid(invitation) -> str:
    return f"forums-invitation-{invitation.pk}@{_uid_host()}"


def invitation_session_uid(invitation, session) -> str:
    """The entry of one session the expert said they will attend."""
    return f"forums-invitation-{invitation.pk}-session-{session.pk}@{_uid_host()}"


def calendar_sequence(invitation, *, cancelled: bool = False) -> int:
    """SEQUENCE of the invitation's calendar entries (see the module's docstring)."""
    return 2 * (invitation.version + invitation.edition.schedule_sequence) + int(cancelled)


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


def invitation_event(
    invitation, *, status: str, sequence: int, language: str, span=None, stamp=None
) -> Event:
    """The invitation's own entry (the offered session, or the edition) with `status`."""
    edition = invitation.edition
    start, end = span or event_span(invitation)
    location = event_location(invitation, language=language)
    event = Event()
    event.add("uid", invitation_uid(invitation))
    event.add("dtstamp", stamp or timezone.now().astimezone(dt.UTC))
    event.add("sequence", sequence)
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
    event.add("status", status)
    event.add("organizer", _organizer(edition))
    attendee = vCalAddress(f"mailto:{invitation.expert.email}")
    attendee.params["cn"] = vText(invitation.expert.full_name)
    event.add("attendee", attendee)
    return event


def build_invitation_ics(invitation, *, method: str = "PUBLISH", span=None) -> bytes:
    """One VEVENT for the invitation; METHOD:CANCEL marks the entry cancelled.

    `span`: the invitation's `event_span`, when the caller already has it (a batch of sends)."""
    language = invitation.expert.preferred_language or settings.LANGUAGE_CODE
    cancelled = method == "CANCEL"
    calendar = _calendar(method=method)
    calendar.add_component(vtimezone(settings.TIME_ZONE))
    calendar.add_component(
        invitation_event(
            invitation,
            status="CANCELLED" if cancelled else "CONFIRMED",
            sequence=calendar_sequence(invitation, cancelled=cancelled),
            language=language,
            span=span,
        )
    )
    return calendar.to_ical()


def _calendar(*, method: str | None, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Academy Portal//Forums//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _organizer(edition) -> vCalAddress:
    organizer = vCalAddress(f"mailto:{edition.contact_email or settings.ACADEMY_CONTACT_EMAIL}")
    organizer.params["cn"] = vText(academy_name())
    return organizer


def _session_location(session, edition, language: str) -> str:
    parts = [session.room, edition.text_in("venue", language), edition.city]
    return ", ".join(part for part in parts if part)


def _session_event(session, edition, *, uid, stamp, sequence, summary, language) -> Event:
    """A session's entry: when (in the edition's time zone) and where."""
    tz = edition_time_zone()
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("summary", summary)
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    location = _session_location(session, edition, language)
    if location:
        event.add("location", location)
    return event


# What the expert's calendar says for each status: an entry's STATUS, or None for "cancel all".
ENTRY_STATUS = {
    "accepted": "CONFIRMED",
    "tentative": "TENTATIVE",
    "waitlisted": "TENTATIVE",
    "sent": "TENTATIVE",
    "draft": "TENTATIVE",
}


def build_expert_calendar(invitation, *, sessions=None, chosen=None) -> tuple[bytes, str]:
    """The expert's calendar for the invitation, as (file, METHOD).

    Attending (accepted, tentative, waitlisted; or not answered yet): one entry per session they
    said they will attend, else the invitation's entry (the offered session, or the edition, as
    in the emails); the entries they no longer have are in the same file, cancelled. Declined,
    withdrawn or expired: METHOD:CANCEL, every entry cancelled. One SEQUENCE for all
    (`calendar_sequence`). `sessions`: the edition's sessions, if the caller has them;
    `chosen`: the ids of the sessions the expert attends, if not those on record now (an
    email written when sent, from the answer as it was)."""
    edition = invitation.edition
    language = invitation.expert.preferred_language or settings.LANGUAGE_CODE
    status = ENTRY_STATUS.get(invitation.status)
    cancelled = status is None
    method = "CANCEL" if cancelled else "PUBLISH"
    sequence = calendar_sequence(invitation, cancelled=cancelled)
    if sessions is None:
        sessions = list(edition.sessions.order_by("starts_at", "pk"))
    if cancelled:
        chosen = set()
    elif chosen is None:
        chosen = set(invitation.sessions_attending.values_list("pk", flat=True))
    else:
        chosen = set(chosen)
    stamp = timezone.now().astimezone(dt.UTC)
    calendar = _calendar(method=method)
    calendar.add_component(vtimezone(settings.TIME_ZONE))
    whole = invitation_event(
        invitation,
        status="CANCELLED" if cancelled or chosen else status,
        sequence=sequence,
        language=language,
        stamp=stamp,
    )
    calendar.add_component(whole)
    for session in sessions:
        title = f"{session.text_in('title', language)} - {edition.text_in('title', language)}"
        event = _session_event(
            session,
            edition,
            uid=invitation_session_uid(invitation, session),
            stamp=stamp,
            sequence=sequence,
            summary=title,
            language=language,
        )
        event.add("status", status if session.pk in chosen else "CANCELLED")
        event.add("organizer", _organizer(edition))
        calendar.add_component(event)
    return calendar.to_ical(), method


def public_session_uid(session) -> str:
    return f"forums-session-{session.pk}@{_uid_host()}"


def public_edition_uid(edition) -> str:
    return f"forums-edition-{edition.pk}@{_uid_host()}"


def programme_url(edition) -> str:
    return settings.SITE_URL + reverse(
        "forums:programme", kwargs={"forum_slug": edition.forum.slug, "number": edition.number}
    )


def build_public_calendar(*, editions, sessions, language: str) -> bytes:
    """The subscribable feed of published editions (all-day entries) and their sessions.

    No personal data: no speaker, attendee or personal address. A closed-door session has its
    title and "by invitation" only. Times in the edition's time zone; UIDs stable per edition
    and per session; SEQUENCE is the edition's `schedule_sequence`."""
    stamp = timezone.now().astimezone(dt.UTC)
    with translation.override(language):
        name = _("%(academy)s: forums") % {"academy": academy_name(language)}
        calendar = _calendar(method="PUBLISH", name=name)
        calendar.add("x-published-ttl", "PT6H")
        calendar.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
        calendar.add_component(vtimezone(settings.TIME_ZONE))
        for edition in editions:
            event = Event()
            event.add("uid", public_edition_uid(edition))
            event.add("dtstamp", stamp)
            event.add("sequence", edition.schedule_sequence)
            event.add("summary", edition.text_in("title", language))
            event.add("dtstart", edition.start_date)
            event.add("dtend", edition.end_date + dt.timedelta(days=1))
            location = ", ".join(p for p in (edition.text_in("venue", language), edition.city) if p)
            if location:
                event.add("location", location)
            theme = edition.text_in("theme", language)
            if theme:
                event.add("description", theme)
            event.add("url", programme_url(edition))
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
        for session in sessions:
            edition = session.edition
            title = session.text_in("title", language)
            if session.is_closed_door:
                title = _("%(title)s (by invitation)") % {"title": title}
            event = _session_event(
                session,
                edition,
                uid=public_session_uid(session),
                stamp=stamp,
                sequence=edition.schedule_sequence,
                summary=title,
                language=language,
            )
            event.add("description", edition.text_in("title", language))
            event.add("url", programme_url(edition))
            calendar.add_component(event)
    return calendar.to_ical()
