"""An edition's participants (accepted, tentative, waitlisted) and the counts logistics need.

A read, shared by the staff page, its CSV/Excel export and its printable PDF. Invariants:
- a bounded number of queries whatever the number of participants: the invitations with their
  experts and affiliations in one query, the register's letters in one, counts in Python;
- what a reader sees of a personal detail follows academy_portal.core.privacy: the counts of
  needs are for everyone (that a need exists is not a detail), their content (the dietary
  needs grouped, the arrivals per day) only for readers who may see personal details;
- counts need no names: they are computed over the list, never shown per person.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from academy_portal.core.privacy import can_see_personal_details
from forums.models import Edition, Invitation, VisaLetter

PARTICIPANT_STATUSES = (
    Invitation.Status.ACCEPTED,
    Invitation.Status.TENTATIVE,
    Invitation.Status.WAITLISTED,
)
NO_COUNTRY = "-"


@dataclass(frozen=True)
class ParticipantFilters:
    """The page's filters: a status among PARTICIPANT_STATUSES, a country code, an institution
    name ("" for each: all)."""

    status: str = ""
    country: str = ""
    institution: str = ""

    @classmethod
    def from_query(cls, query) -> "ParticipantFilters":
        status = query.get("status", "")
        return cls(
            status=status if status in PARTICIPANT_STATUSES else "",
            country=query.get("country", "")[:3],
            institution=query.get("institution", "")[:255],
        )

    @property
    def active(self) -> bool:
        return bool(self.status or self.country or self.institution)

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


def participant_country(invitation: Invitation) -> str:
    """The country a participant is counted under: residence, else nationality."""
    expert = invitation.expert
    return str(expert.country or expert.nationality or "")


def participant_institution(invitation: Invitation) -> str:
    return invitation.expert.affiliation_name or ""


def participants_queryset(edition: Edition):
    """Every participant of `edition`, with expert, affiliation and current letter, in name
    order (one query, plus one for the letters)."""
    letters = VisaLetter.objects.current().order_by("-issued_at")
    return (
        Invitation.objects.filter(edition=edition, status__in=PARTICIPANT_STATUSES)
        .select_related("expert__affiliation", "edition__forum")
        .prefetch_related(Prefetch("visa_letters", queryset=letters, to_attr="current_letters"))
        .order_by("expert__family_name", "expert__given_name", "pk")
    )


def current_letter(invitation: Invitation) -> VisaLetter | None:
    letters = getattr(invitation, "current_letters", None)
    return letters[0] if letters else None


@dataclass
class NeedCounts:
    """One line of the needs table: how many in each status have this need."""

    label: str
    by_status: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def cells(self) -> list[int]:
        """The counts in PARTICIPANT_STATUSES order."""
        return [self.by_status[status] for status in PARTICIPANT_STATUSES]


@dataclass
class ParticipantSummary:
    edition: Edition
    filters: ParticipantFilters
    participants: list[Invitation]
    details_visible: bool
    by_status: Counter = field(default_factory=Counter)
    by_attendance: Counter = field(default_factory=Counter)
    needs: list[NeedCounts] = field(default_factory=list)
    letters_issued: int = 0
    # The whole edition's countries and institutions (for the filters), with their counts.
    countries: list[tuple[str, int]] = field(default_factory=list)
    institutions: list[tuple[str, int]] = field(default_factory=list)
    # Only for readers who may see personal details (empty otherwise):
    dietary_groups: list[tuple[str, int]] = field(default_factory=list)
    arrivals: list[tuple[object, int]] = field(default_factory=list)
    departures: list[tuple[object, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.participants)

    @property
    def statuses(self):
        return [(status, Invitation.Status(status).label) for status in PARTICIPANT_STATUSES]

    @property
    def status_counts(self):
        """(label, count) in PARTICIPANT_STATUSES order."""
        return [(label, self.by_status[status]) for status, label in self.statuses]


def _group_texts(texts) -> list[tuple[str, int]]:
    """Free-text needs grouped case- and space-insensitively ("Vegetarian", "vegetarian "),
    each shown as first written, with a capital."""
    counts: Counter = Counter()
    shown: dict[str, str] = {}
    for text in texts:
        key = " ".join(text.split()).casefold()
        if key:
            counts[key] += 1
            spaced = " ".join(text.split())
            shown.setdefault(key, spaced[:1].upper() + spaced[1:])
    return [(shown[key], n) for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def summarize_participants(
    edition: Edition, *, user, filters: ParticipantFilters | None = None
) -> ParticipantSummary:
    """The participants of `edition` that pass `filters`, and the counts over them as `user`
    may see them."""
    filters = filters or ParticipantFilters()
    everyone = list(participants_queryset(edition))
    countries = Counter(participant_country(i) or NO_COUNTRY for i in everyone)
    institutions = Counter(
        participant_institution(i) for i in everyone if i.expert.affiliation_name
    )
    shown = [
        i
        for i in everyone
        if (not filters.status or i.status == filters.status)
        and (not filters.country or (participant_country(i) or NO_COUNTRY) == filters.country)
        and (not filters.institution or participant_institution(i) == filters.institution)
    ]
    visible = can_see_personal_details(user)
    summary = ParticipantSummary(
        edition=edition,
        filters=filters,
        participants=shown,
        details_visible=visible,
        countries=sorted(countries.items(), key=lambda kv: (-kv[1], kv[0])),
        institutions=sorted(institutions.items(), key=lambda kv: (-kv[1], kv[0])),
    )
    needs = {
        "dietary": NeedCounts(_("Dietary needs")),
        "accessibility": NeedCounts(_("Accessibility needs")),
        "hotel": NeedCounts(_("Hotel rooms")),
        "visa": NeedCounts(_("Visa support letters asked for")),
        "travel": NeedCounts(_("Travel dates given")),
    }
    arrivals: Counter = Counter()
    departures: Counter = Counter()
    for invitation in shown:
        status = invitation.status
        summary.by_status[status] += 1
        summary.by_attendance[invitation.attendance or ""] += 1
        needs["dietary"].by_status[status] += bool(invitation.dietary_needs.strip())
        needs["accessibility"].by_status[status] += bool(invitation.accessibility_needs.strip())
        needs["hotel"].by_status[status] += invitation.needs_hotel
        needs["visa"].by_status[status] += invitation.needs_visa_letter
        needs["travel"].by_status[status] += bool(invitation.arrival_date)
        summary.letters_issued += current_letter(invitation) is not None
        if status == Invitation.Status.ACCEPTED:
            if invitation.arrival_date:
                arrivals[invitation.arrival_date] += 1
            if invitation.departure_date:
                departures[invitation.departure_date] += 1
    summary.needs = list(needs.values())
    if visible:
        accepted = [i for i in shown if i.status == Invitation.Status.ACCEPTED]
        summary.dietary_groups = _group_texts(i.dietary_needs for i in accepted)
        summary.arrivals = sorted(arrivals.items())
        summary.departures = sorted(departures.items())
    return summary


def invitations_with_details(invitations) -> list[int]:
    """Ids of the invitations holding a personal detail the participant list shows."""
    return [
        i.pk
        for i in invitations
        if i.dietary_needs or i.accessibility_needs or i.arrival_date or i.departure_date
    ]
