"""What the ranking reads, in a fixed number of queries whatever the number of experts:
the edition's topics, every expert's profile and areas, and their record before this edition,
including how often they came to the earlier editions of the same forum (its regulars).

`hide_invitees=True` is the held-out check: the edition's own invitations are treated as not
made, and only the history before the edition's start counts, as if ranking on that day.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce

from academy_portal.core.text import fold_for_search
from experts.models import Expert, ExpertiseArea
from experts.search import ALIAS_SEPARATOR, fold_phrase
from forums.models import Edition, Invitation, Presence, Session, SessionRole

# Words too common to say anything about a topic (folded, so Vietnamese too).
_STOP_WORDS_TEXT = """
    the and for with from into over under between among about after before their this that
    these those its our your what which while will would should could also more most other
    such than then them they have has had been being were are was not nor but all any each
    international conference forum dialogue symposium session panel plenary opening closing
    roundtable workshop edition annual regional global new role future towards toward
    hoi thao dien dan phien lan thu quoc cua cac nhung trong voi cho mot khong duoc
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
# How many of the forum's latest editions before this one say who its regulars are now.
REGULAR_WINDOW = 3
_WORD = re.compile(r"[a-z0-9]+")


def topic_words(text: str) -> set[str]:
    """Folded words of at least four letters that are not stop words."""
    return {w for w in _WORD.findall(fold_for_search(text)) if len(w) >= 4 and w not in STOP_WORDS}


@dataclass
class Profile:
    """An expert as the ranking sees them: profile, areas, words and record."""

    id: int
    name: str
    country: str
    institution_key: str
    institution: str
    capacity: str
    area_ids: set[int] = field(default_factory=set)
    words: set[str] = field(default_factory=set)
    invited: int = 0
    accepted: int = 0
    declined: int = 0
    no_show: int = 0
    last_invited: dt.datetime | None = None
    # Earlier editions of this edition's forum the expert came to (accepted, not a no-show):
    # all of them, and those among the forum's last `Pool.forum_window` editions.
    forum_came: int = 0
    forum_came_recent: int = 0

    @property
    def first_timer(self) -> bool:
        return self.invited == 0


@dataclass
class Pool:
    edition: Edition
    session: Session | None
    areas: dict[int, str]  # id -> name, every area
    topic_area_ids: set[int]
    topic_words: set[str]
    candidates: list[Profile]
    invited: list[Profile]  # the list already invited to the edition
    as_of: dt.date
    forum_window: int = 0  # earlier editions of the forum counted as "recent" (<= REGULAR_WINDOW)


def _full_name(row: dict) -> str:
    parts = [row["given_name"], row["family_name"]]
    if row["name_order"] == Expert.NameOrder.FAMILY_FIRST:
        parts.reverse()
    return " ".join(p for p in parts if p)


def areas_in(text: str, phrases: dict[int, list[str]]) -> set[int]:
    """Areas whose name or an alias appears in `text` as whole words."""
    padded = f" {fold_phrase(text)} "
    return {pk for pk, options in phrases.items() if any(p in padded for p in options)}


def load_pool(edition: Edition, *, session: Session | None = None, hide_invitees=False) -> Pool:
    """Read everything the ranking needs: 8 queries, however many experts there are."""
    as_of = edition.start_date
    sessions = Session.objects.filter(edition=edition)
    if session is not None:
        sessions = sessions.filter(pk=session.pk)
    topic = " ".join(
        [edition.title, edition.title_vi, edition.theme, edition.theme_vi]
        + [" ".join(texts) for texts in sessions.values_list("title", "title_vi", "description")]
    )
    phrases: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    for pk, name, search_text in ExpertiseArea.objects.values_list("pk", "name", "search_text"):
        names[pk] = name
        phrases[pk] = [p for p in search_text.split(ALIAS_SEPARATOR) if p.strip()]
    topic_area_ids = areas_in(topic, phrases)

    profiles: dict[int, Profile] = {}
    bios: dict[int, list[str]] = {}
    for row in Expert.objects.order_by().values(
        "pk",
        "given_name",
        "family_name",
        "name_order",
        "country",
        "affiliation_id",
        "affiliation__name",
        "affiliation_text",
        "capacity",
        "bio",
        "position",
    ):
        free_text = fold_phrase(row["affiliation_text"])
        profiles[row["pk"]] = Profile(
            id=row["pk"],
            name=_full_name(row),
            country=str(row["country"] or ""),
            institution_key=f"i{row['affiliation_id']}" if row["affiliation_id"] else free_text,
            institution=row["affiliation__name"] or row["affiliation_text"],
            capacity=row["capacity"],
        )
        bios[row["pk"]] = [row["bio"], row["position"]]
    through = Expert.expertise_areas.through
    for expert_id, area_id in through.objects.values_list("expert_id", "expertisearea_id"):
        profiles[expert_id].area_ids.add(area_id)

    history = Invitation.objects.exclude(edition=edition)
    roles = SessionRole.objects.exclude(session__edition=edition)
    if hide_invitees:
        history = history.filter(edition__start_date__lt=as_of)
        roles = roles.filter(session__edition__start_date__lt=as_of)
    statuses = Invitation.Status
    # The forum's editions before this one, the latest first: who came to them is a regular.
    recent_editions = list(
        Edition.objects.filter(forum_id=edition.forum_id, start_date__lt=as_of)
        .exclude(pk=edition.pk)
        .order_by("-start_date", "-pk")
        .values_list("pk", flat=True)[:REGULAR_WINDOW]
    )
    came = Q(status=statuses.ACCEPTED) & ~Q(presence__status=Presence.Status.ABSENT)
    same_forum = Q(edition__forum_id=edition.forum_id, edition__start_date__lt=as_of)
    for row in (
        history.order_by()
        .values("expert_id")
        .annotate(
            invited=Count("pk"),
            accepted=Count("pk", filter=Q(status=statuses.ACCEPTED)),
            declined=Count("pk", filter=Q(status=statuses.DECLINED)),
            no_show=Count("pk", filter=Q(presence__status=Presence.Status.ABSENT)),
            last=Max(Coalesce("sent_at", "created_at")),
            forum_came=Count("pk", filter=came & same_forum),
            forum_came_recent=Count("pk", filter=came & Q(edition_id__in=recent_editions)),
        )
    ):
        profile = profiles[row["expert_id"]]
        profile.invited, profile.accepted = row["invited"], row["accepted"]
        profile.declined, profile.no_show = row["declined"], row["no_show"]
        profile.last_invited = row["last"]
        profile.forum_came = row["forum_came"]
        profile.forum_came_recent = row["forum_came_recent"]
    for expert_id, title in roles.values_list("expert_id", "session__title"):
        bios[expert_id].append(title)
    for pk, texts in bios.items():
        words = topic_words(" ".join(texts))
        profiles[pk].words = words
        # An area named in the bio or a past session's title counts as the expert's.
        profiles[pk].area_ids |= areas_in(" ".join(texts), phrases)

    invited_ids = (
        set()
        if hide_invitees
        else set(Invitation.objects.filter(edition=edition).values_list("expert_id", flat=True))
    )
    return Pool(
        edition=edition,
        session=session,
        areas=names,
        topic_area_ids=topic_area_ids,
        topic_words=topic_words(topic),
        candidates=[p for pk, p in profiles.items() if pk not in invited_ids],
        invited=[profiles[pk] for pk in invited_ids if pk in profiles],
        as_of=as_of,
        forum_window=len(recent_editions),
    )
