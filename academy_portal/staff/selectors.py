"""The numbers behind the dashboards' charts, aggregated in the database.

Each function costs a fixed number of queries whatever the number of rows (GROUP BY and
conditional counts), and returns counts only: no expert is named, so the charts and their CSV
files hold nothing personal and any staff role that may view the underlying model sees them.
"""

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.utils import timezone
from django_countries import countries

from academy_portal.core.units import AcademyUnit
from experts.models import Expert
from forums.models import Edition, Invitation, InvitationEvent, Presence, VisaLetter
from partners.models import MOU

EXPIRY_MONTHS = 12
PARTNERS_SHOWN = 10

STATUS = Invitation.Status
ACCEPTED = Q(status=STATUS.ACCEPTED)


@dataclass(frozen=True)
class Funnel:
    invited: int
    opened: int
    answered: int
    accepted: int
    attended: int
    tentative: int
    waitlisted: int
    visa_pending: int
    median_response: dt.timedelta | None


def _has_current_letter():
    return Exists(VisaLetter.objects.current().filter(invitation=OuterRef("pk")))


def visa_pending_filter() -> Q:
    """Accepted experts who asked for a visa support letter and have none yet."""
    return ACCEPTED & Q(needs_visa_letter=True, has_letter=False)


def get_funnel(invitations) -> Funnel:
    """Sent invitations of `invitations` through each step; two queries (figures, response times).

    "Opened" counts a link opened or an answer given (an answer by email, recorded by staff, opens
    nothing); "answered" is a current answer, so a withdrawn or expired invitation is not one."""
    sent = invitations.exclude(status=STATUS.DRAFT).annotate(
        was_opened=Exists(
            InvitationEvent.objects.filter(
                invitation=OuterRef("pk"), kind=InvitationEvent.Kind.OPENED
            )
        ),
        has_letter=_has_current_letter(),
    )
    figures = sent.aggregate(
        invited=Count("pk"),
        opened=Count("pk", filter=Q(was_opened=True) | Q(responded_at__isnull=False)),
        answered=Count("pk", filter=Q(status__in=Invitation.ANSWERED_STATUSES)),
        accepted=Count("pk", filter=ACCEPTED),
        attended=Count("pk", filter=Q(presence__status=Presence.Status.PRESENT)),
        tentative=Count("pk", filter=Q(status=STATUS.TENTATIVE)),
        waitlisted=Count("pk", filter=Q(status=STATUS.WAITLISTED)),
        visa_pending=Count("pk", filter=visa_pending_filter()),
    )
    durations = [
        responded - sent_at
        for sent_at, responded in sent.filter(
            status__in=Invitation.ANSWERED_STATUSES,
            sent_at__isnull=False,
            responded_at__gte=F("sent_at"),
        ).values_list("sent_at", "responded_at")
    ]
    median = statistics.median(durations) if durations else None
    return Funnel(**figures, median_response=median)


def open_edition_invitations():
    return Invitation.objects.filter(edition__in=Edition.objects.open_for_invitations())


# --- Partners and MOUs -----------------------------------------------------------------------


def mou_counts_by_status() -> dict[str, int]:
    rows = MOU.objects.values("status").annotate(n=Count("pk")).order_by()
    return {row["status"]: row["n"] for row in rows}


def active_mou_counts_by_unit() -> dict[str, int]:
    rows = (
        MOU.objects.filter(status=MOU.Status.ACTIVE)
        .values("academy_unit")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["academy_unit"]: row["n"] for row in rows if row["academy_unit"]}


def month_starts(today: dt.date, months: int = EXPIRY_MONTHS) -> list[dt.date]:
    first = today.replace(day=1)
    return [
        dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        for i in range(months)
    ]


def mou_expiries_by_month(*, today: dt.date | None = None) -> dict[dt.date, int]:
    """Active MOUs expiring from today through the 12th month ahead, per month (zeros included)."""
    today = today or timezone.localdate()
    months = month_starts(today)
    after_last = month_starts(months[-1], 2)[1]
    rows = (
        MOU.objects.filter(
            status=MOU.Status.ACTIVE, expires_on__gte=today, expires_on__lt=after_last
        )
        .annotate(month=TruncMonth("expires_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = {_as_date(row["month"]): row["n"] for row in rows}
    return {month: found.get(month, 0) for month in months}


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass(frozen=True)
class PartnerActivity:
    name: str
    experts_sent: int
    editions: int
    last_contact: dt.date | None


def partners_by_activity(limit: int = PARTNERS_SHOWN) -> list[PartnerActivity]:
    """Partners ranked by their affiliated experts who attended an edition; one query.

    Last contact: the later of the last edition one of its experts attended and the last MOU
    signed. (Co-organised editions are not recorded in the portal, so they are not counted.)"""
    # From the rows that count (present, affiliated), not from every institution: joining
    # institutions to all their experts' invitations, and to their MOUs too, multiplied the
    # rows (half a second at 200,000 invitations). The last MOU signed is a subquery per partner.
    expert = "invitation__expert"
    last_signed = (
        MOU.objects.filter(institution=OuterRef(f"{expert}__affiliation"))
        .order_by()
        .values("institution")
        .annotate(last=Max("signed_on"))
        .values("last")
    )
    rows = (
        Presence.objects.filter(
            status=Presence.Status.PRESENT, **{f"{expert}__affiliation__isnull": False}
        )
        .order_by()
        .values(
            name=F(f"{expert}__affiliation__name"),
            acronym=F(f"{expert}__affiliation__acronym"),
            institution=F(f"{expert}__affiliation"),
        )
        .annotate(
            experts_sent=Count(expert, distinct=True),
            editions=Count("invitation__edition", distinct=True),
            last_attended=Max("invitation__edition__end_date"),
            last_signed=Subquery(last_signed),
        )
        .order_by("-experts_sent", "-editions", "name", "institution")[:limit]
    )
    return [
        PartnerActivity(
            name=f"{row['name']} ({row['acronym']})" if row["acronym"] else row["name"],
            experts_sent=row["experts_sent"],
            editions=row["editions"],
            last_contact=max(
                (d for d in (row["last_attended"], row["last_signed"]) if d), default=None
            ),
        )
        for row in rows
    ]


def visa_letters_pending_by_edition() -> list[tuple[str, int]]:
    """Per upcoming edition, accepted experts who asked for a visa letter and have none."""
    rows = (
        Invitation.objects.filter(edition__in=Edition.objects.upcoming())
        .annotate(has_letter=_has_current_letter())
        .filter(visa_pending_filter())
        .values("edition_id", "edition__forum__short_name", "edition__number")
        .annotate(n=Count("pk"))
        .order_by("-n", "edition_id")
    )
    return [(f"{r['edition__forum__short_name']} {r['edition__number']}", r["n"]) for r in rows]


# --- One edition's room ----------------------------------------------------------------------


@dataclass(frozen=True)
class Room:
    """Who accepted an edition: by nationality, institution, capacity, first time or not."""

    countries: dict[str, int]
    institutions: dict[str, int]
    capacities: dict[str, int]
    first_timers: int
    regulars: int


def edition_room(edition: Edition) -> Room:
    """Four grouped queries over the edition's accepted invitations."""
    accepted = Invitation.objects.filter(edition=edition, status=STATUS.ACCEPTED)
    by_country = accepted.values("expert__nationality").annotate(n=Count("pk")).order_by()
    by_institution = (
        accepted.annotate(
            institution=Coalesce(
                F("expert__affiliation__name"),
                NullIf(F("expert__affiliation_text"), Value("")),
                Value(""),
            )
        )
        .values("institution")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_capacity = accepted.values("expert__capacity").annotate(n=Count("pk")).order_by()
    came_before = Exists(
        Invitation.objects.filter(
            expert=OuterRef("expert"),
            status=STATUS.ACCEPTED,
            edition__start_date__lt=edition.start_date,
        ).exclude(edition=edition)
    )
    history = accepted.annotate(regular=came_before).aggregate(
        regulars=Count("pk", filter=Q(regular=True)),
        first_timers=Count("pk", filter=Q(regular=False)),
    )
    capacities = {row["expert__capacity"]: row["n"] for row in by_capacity}
    return Room(
        countries={row["expert__nationality"]: row["n"] for row in by_country},
        institutions={row["institution"]: row["n"] for row in by_institution},
        capacities={value: capacities.get(value, 0) for value in Expert.Capacity.values},
        first_timers=history["first_timers"],
        regulars=history["regulars"],
    )


def country_name(code: str) -> str:
    return str(countries.name(code)) if code else ""


def unit_label(value: str) -> str:
    return str(AcademyUnit(value).label) if value in AcademyUnit.values else value
