"""Demo steps: the four forums, their editions, and the upcoming conference programme."""

import datetime as dt
from typing import NamedTuple

from django.utils import timezone

from forums.models import Edition, Forum, Session, SessionRole
from forums.services import save_edition

from . import data
from .context import DemoContext, upsert


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _past_status(end: dt.date, today: dt.date) -> str:
    # Editions are archived once their follow-up (reports, proceedings) is done: after a year.
    return Edition.Status.HELD if (today - end).days <= 365 else Edition.Status.ARCHIVED


class EditionPlan(NamedTuple):
    slug: str
    number: int
    theme: str
    start: dt.date
    days: int
    city: str
    venue: str
    format: str
    status: str
    capacity: int
    deadline: dt.date | None


def _edition_plans(today: dt.date):
    """Every demo edition; past ones held or archived, future ones planned, open or closed."""
    days = dt.timedelta
    # East Sea Conference: one a year from 2009, in November; the 15th in seven weeks.
    for n, theme in data.EAST_SEA_THEMES.items():
        city, venue = data.EAST_SEA_PLACES[n % len(data.EAST_SEA_PLACES)]
        common = {"slug": data.EAST_SEA, "number": n, "theme": theme, "days": 2}
        if n == 15:
            yield EditionPlan(
                **common,
                start=today + days(49),
                city="Hà Nội",
                venue="Ba Đình International Convention Centre",
                format=Edition.Format.HYBRID,
                status=Edition.Status.INVITATIONS_OPEN,
                capacity=240,
                deadline=today + days(21),
            )
            continue
        start = dt.date(2009 + n - 1, 11, 3 + (n * 5) % 20)
        yield EditionPlan(
            **common,
            start=start,
            city=city,
            venue=venue,
            # The pandemic years.
            format={12: Edition.Format.ONLINE, 13: Edition.Format.HYBRID}.get(
                n, Edition.Format.IN_PERSON
            ),
            status=_past_status(start + days(1), today),
            capacity=200 + 10 * n,
            deadline=start - days(21),
        )
    # Ocean Dialogue: about every six months; the 11th is being planned.
    for n, theme in data.OCEAN_DIALOGUE_TOPICS.items():
        city, venue = data.OCEAN_DIALOGUE_PLACES[n % len(data.OCEAN_DIALOGUE_PLACES)]
        common = {"slug": data.OCEAN_DIALOGUE, "number": n, "theme": theme, "days": 1}
        common |= {"city": city, "venue": venue, "capacity": 60}
        if n == 11:
            yield EditionPlan(
                **common,
                start=today + days(120),
                format=Edition.Format.IN_PERSON,
                status=Edition.Status.PLANNING,
                deadline=None,
            )
            continue
        start = today - days(60 + (10 - n) * 182)
        yield EditionPlan(
            **common,
            start=start,
            format=Edition.Format.ONLINE if n in (3, 4) else Edition.Format.IN_PERSON,
            status=_past_status(start, today),
            deadline=start - days(14),
        )
    # Mekong Forum: yearly; the 5th starts in ten days and replies are closed.
    for n, theme in data.MEKONG_THEMES.items():
        city, venue = data.MEKONG_PLACES[n % len(data.MEKONG_PLACES)]
        common = {"slug": data.MEKONG_FORUM, "number": n, "theme": theme, "days": 2}
        common |= {"city": city, "venue": venue, "capacity": 120}
        if n == 5:
            yield EditionPlan(
                **common,
                start=today + days(10),
                format=Edition.Format.HYBRID,
                status=Edition.Status.CLOSED,
                deadline=today - days(4),
            )
            continue
        start = today - days(30 + (4 - n) * 365)
        yield EditionPlan(
            **common,
            start=start,
            format=Edition.Format.IN_PERSON,
            status=_past_status(start + days(1), today),
            deadline=start - days(21),
        )
    # Sinology Symposium: every two years; the 4th is being planned.
    for n, theme in data.SINOLOGY_THEMES.items():
        city, venue = data.SINOLOGY_PLACES[n % len(data.SINOLOGY_PLACES)]
        common = {"slug": data.SINOLOGY, "number": n, "theme": theme, "days": 2}
        common |= {"city": city, "venue": venue, "capacity": 100}
        common |= {"format": Edition.Format.IN_PERSON}
        if n == 4:
            yield EditionPlan(
                **common, start=today + days(270), status=Edition.Status.PLANNING, deadline=None
            )
            continue
        start = today - days(150 + (3 - n) * 730)
        yield EditionPlan(
            **common,
            start=start,
            status=_past_status(start + days(1), today),
            deadline=start - days(21),
        )


FORUM_DEFAULTS = {
    data.EAST_SEA: {"attribution": "chatham_house", "email": "eastsea.conference@academy.example"},
    data.OCEAN_DIALOGUE: {
        "attribution": "chatham_house",
        "email": "ocean.dialogue@academy.example",
    },
    data.MEKONG_FORUM: {"attribution": "on_the_record", "email": "mekong.forum@academy.example"},
    data.SINOLOGY: {"attribution": "on_the_record", "email": "sinology@academy.example"},
}


def build_forums(ctx: DemoContext) -> None:
    """The four forums and their editions, with statuses that match their dates."""
    for spec in data.FORUMS:
        ctx.forums[spec["slug"]] = upsert(
            ctx,
            Forum,
            lookup={"slug": spec["slug"]},
            values={k: v for k, v in spec.items() if k != "slug"} | {"active": True},
        )
    for plan in _edition_plans(ctx.today):
        forum = ctx.forums[plan.slug]
        is_upcoming_east_sea = plan.slug == data.EAST_SEA and plan.number == 15
        ctx.editions[(plan.slug, plan.number)] = upsert(
            ctx,
            Edition,
            lookup={"forum": forum, "number": plan.number},
            # Through the service: default reminder rules, and the waitlist on a re-run.
            save=lambda edition: save_edition(edition=edition, changed_by=None),
            values={
                "title": f"The {_ordinal(plan.number)} {forum.name}",
                "title_vi": f"{forum.name_vi} lần thứ {plan.number}",
                "theme": plan.theme,
                "theme_vi": data.UPCOMING_THEMES_VI.get((plan.slug, plan.number), ""),
                "start_date": plan.start,
                "end_date": plan.start + dt.timedelta(days=plan.days - 1),
                "city": plan.city,
                "venue": plan.venue,
                "venue_vi": data.VENUES_VI.get(plan.venue, ""),
                "format": plan.format,
                "status": plan.status,
                "capacity": plan.capacity,
                "rsvp_deadline": plan.deadline,
                "default_attribution": FORUM_DEFAULTS[plan.slug]["attribution"],
                "allows_accompanying_person": is_upcoming_east_sea or plan.slug == data.SINOLOGY,
                "contact_email": FORUM_DEFAULTS[plan.slug]["email"],
                "practical_information": (
                    data.EAST_SEA_PRACTICAL_INFORMATION.format(venue=plan.venue, city=plan.city)
                    if plan.slug == data.EAST_SEA
                    else ""
                ),
                "practical_information_vi": (
                    data.EAST_SEA_PRACTICAL_INFORMATION_VI.format(
                        venue=data.VENUES_VI.get(plan.venue, plan.venue), city=plan.city
                    )
                    if plan.slug == data.EAST_SEA
                    else ""
                ),
            },
        )


def build_sessions(ctx: DemoContext) -> None:
    """The programme of the upcoming East Sea Conference, with speakers and moderators."""
    rng = ctx.rng("sessions")
    edition = ctx.upcoming_edition
    pool = list(ctx.experts)
    rng.shuffle(pool)
    for (
        day,
        start,
        minutes,
        kind,
        title,
        attribution,
        room,
        speakers,
        moderated,
    ) in data.UPCOMING_SESSIONS:
        hour, minute = map(int, start.split(":"))
        starts_at = timezone.make_aware(
            dt.datetime.combine(edition.start_date + dt.timedelta(days=day), dt.time(hour, minute))
        )
        session = upsert(
            ctx,
            Session,
            lookup={"edition": edition, "title": title},
            values={
                "title_vi": data.UPCOMING_SESSION_TITLES_VI.get(title, ""),
                "kind": kind,
                "starts_at": starts_at,
                "ends_at": starts_at + dt.timedelta(minutes=minutes),
                "room": room,
                "attribution": attribution,
                "description": data.ROUNDTABLE_DESCRIPTION if kind == "roundtable" else "",
                "closed_door": kind == "roundtable",
            },
        )
        cast = [(SessionRole.Role.MODERATOR, pool.pop())] if moderated else []
        cast += [(SessionRole.Role.SPEAKER, pool.pop()) for _ in range(speakers)]
        for order, (role, expert) in enumerate(cast, start=1):
            ctx.programme_experts.add(expert.pk)
            upsert(
                ctx,
                SessionRole,
                lookup={"session": session, "expert": expert, "role": role},
                values={"order": order},
            )
