"""Reads of an edition's programme: the public pages, the public calendar and staff's warnings.

The public side names a speaker or moderator only when the expert accepted the invitation to
the edition and agreed on the RSVP form to be listed; a closed-door session names nobody (its
roles are never even read). Each read is a fixed number of queries, whatever the number of
sessions and speakers.
"""

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone, translation

from experts.models import Expert
from forums.ics import edition_time_zone
from forums.models import AttributionRule, Edition, Forum, Invitation, Session, SessionRole
from forums.models.forums import ATTRIBUTION_EXPLANATIONS

# Roles shown on the public programme, in this order within a session.
PUBLIC_ROLES = (
    SessionRole.Role.MODERATOR,
    SessionRole.Role.SPEAKER,
    SessionRole.Role.DISCUSSANT,
)
# An invitation in one of these does not bring its expert to the edition.
NOT_COMING = (Invitation.Status.DECLINED, Invitation.Status.WITHDRAWN, Invitation.Status.EXPIRED)


def is_vietnamese(language: str | None) -> bool:
    return (language or "").split("-")[0] == "vi"


@dataclass
class ListedPerson:
    """A speaker or moderator as the public programme names them."""

    role: str
    role_label: str
    honorific: str
    name: str
    affiliation: str
    private_capacity: bool

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.honorific, self.name) if part)


def listed_person(role: SessionRole, *, language: str) -> ListedPerson:
    """The expert's name in their own order with the honorific of the page's language (a
    Vietnamese page uses the Vietnamese form of address, or none: never the English one)."""
    expert = role.expert
    honorific = expert.honorific_vi if is_vietnamese(language) else expert.honorific
    return ListedPerson(
        role=role.role,
        role_label=str(role.get_role_display()),
        honorific=honorific,
        name=expert.full_name,
        affiliation=expert.affiliation_name,
        private_capacity=expert.capacity == Expert.Capacity.OFFICIAL_PRIVATE,
    )


@dataclass
class ProgrammeSession:
    session: Session
    title: str
    starts_at: dt.datetime  # in the edition's time zone
    ends_at: dt.datetime
    closed_door: bool
    attribution: str
    attribution_label: str
    attribution_explanation: str
    people: list[ListedPerson] = field(default_factory=list)


@dataclass
class ProgrammeDay:
    date: dt.date
    sessions: list[ProgrammeSession]


@dataclass
class Programme:
    edition: Edition
    days: list[ProgrammeDay]
    # The rules the sessions are held under, each explained once (the legend).
    rules: list[tuple[str, str]]


def published_edition(*, forum_slug: str, number: int) -> Edition | None:
    """The published edition of an active forum, with its forum (one query); None otherwise."""
    return (
        Edition.objects.published()
        .select_related("forum")
        .filter(forum__slug=forum_slug, number=number)
        .first()
    )


def _listed_roles(edition: Edition, session_ids: list[int]):
    """Roles of these sessions whose expert accepted the edition's invitation and agreed to be
    listed, with the expert and affiliation (one query)."""
    consented = Invitation.objects.filter(
        edition=edition,
        expert_id=OuterRef("expert_id"),
        status=Invitation.Status.ACCEPTED,
        listing_consent=True,
    )
    return (
        SessionRole.objects.filter(session_id__in=session_ids, role__in=PUBLIC_ROLES)
        .filter(Exists(consented))
        .select_related("expert__affiliation")
    )


def edition_programme(*, edition: Edition, language: str | None = None) -> Programme:
    """The edition's sessions by day in its time zone, each with its listed people.

    Two queries: the sessions, then the listed roles of the sessions that are not closed-door."""
    language = language or translation.get_language()
    tz = edition_time_zone()
    sessions = list(edition.sessions.order_by("starts_at", "pk"))
    for session in sessions:
        session.edition = edition  # effective_attribution reads the edition's default
    open_ids = [s.pk for s in sessions if not s.is_closed_door]
    by_session: dict[int, list[SessionRole]] = {}
    if open_ids:
        for role in _listed_roles(edition, open_ids):
            by_session.setdefault(role.session_id, []).append(role)
    rank = {role: n for n, role in enumerate(PUBLIC_ROLES)}
    entries, rules = [], {}
    for session in sessions:
        rule = AttributionRule(session.effective_attribution)
        explanation = str(ATTRIBUTION_EXPLANATIONS.get(rule, ""))
        rules.setdefault(rule, (str(rule.label), explanation))
        roles = sorted(by_session.get(session.pk, []), key=lambda r: (rank[r.role], r.order, r.pk))
        entries.append(
            ProgrammeSession(
                session=session,
                title=session.text_in("title", language),
                starts_at=session.starts_at.astimezone(tz),
                ends_at=session.ends_at.astimezone(tz),
                closed_door=session.is_closed_door,
                attribution=rule.value,
                attribution_label=str(rule.label),
                attribution_explanation=explanation,
                people=[listed_person(role, language=language) for role in roles],
            )
        )
    days = [
        ProgrammeDay(date=date, sessions=list(group))
        for date, group in groupby(entries, key=lambda entry: entry.starts_at.date())
    ]
    return Programme(edition=edition, days=days, rules=list(rules.values()))


@dataclass
class ForumEditions:
    forum: Forum
    upcoming: list[Edition]
    past: list[Edition]


def public_forums(*, today: dt.date | None = None) -> list[ForumEditions]:
    """Active forums with their published editions: upcoming soonest first, past latest first.

    Two queries (forums, then their published editions)."""
    today = today or timezone.localdate()
    published = Edition.objects.filter(programme_published_at__isnull=False).order_by("-start_date")
    forums = Forum.objects.filter(active=True).prefetch_related(
        Prefetch("editions", queryset=published, to_attr="published_editions")
    )
    listing = []
    for forum in forums:
        editions = forum.published_editions
        upcoming = sorted((e for e in editions if e.end_date >= today), key=lambda e: e.start_date)
        past = [e for e in editions if e.end_date < today]
        listing.append(ForumEditions(forum=forum, upcoming=upcoming, past=past))
    return listing


def public_calendar_sessions():
    """Every session of a published edition, with its edition and forum (one query)."""
    return (
        Session.objects.filter(
            edition__programme_published_at__isnull=False, edition__forum__active=True
        )
        .select_related("edition__forum")
        .order_by("starts_at", "pk")
    )


@dataclass
class ProgrammeWarnings:
    # Session roles whose expert has no invitation, or one that does not bring them
    # (`invitation_status` says which: "" when there is none).
    roles_without_invitation: list[SessionRole]
    # Accepted invitations whose offered role is not on the programme.
    offers_off_programme: list[Invitation]

    def __bool__(self) -> bool:
        return bool(self.roles_without_invitation or self.offers_off_programme)


def programme_warnings(*, edition: Edition) -> ProgrammeWarnings:
    """What staff must fix before the programme is right: two queries, whatever its size."""
    invitation = Invitation.objects.filter(edition=edition, expert_id=OuterRef("expert_id"))
    roles = (
        SessionRole.objects.filter(session__edition=edition)
        .annotate(invitation_status=Subquery(invitation.values("status")[:1]))
        .filter(Q(invitation_status__isnull=True) | Q(invitation_status__in=NOT_COMING))
        .select_related("session", "expert")
        .order_by("session__starts_at", "session_id", "order", "pk")
    )
    offers = (
        Invitation.objects.filter(edition=edition, status=Invitation.Status.ACCEPTED)
        .exclude(offered_role="")
        .filter(
            ~Exists(
                # An offer without a session (deleted since) is never on the programme.
                SessionRole.objects.filter(
                    expert_id=OuterRef("expert_id"),
                    role=OuterRef("offered_role"),
                    session_id=OuterRef("offered_session_id"),
                )
            )
        )
        .select_related("expert", "offered_session")
        .order_by("expert__family_name", "expert__given_name", "pk")
    )
    return ProgrammeWarnings(
        roles_without_invitation=list(roles), offers_off_programme=list(offers)
    )
