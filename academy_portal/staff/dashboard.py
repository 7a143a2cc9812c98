"""The staff home: what needs attention now, computed in a fixed number of queries."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from experts.models import Expert
from forums.models import Edition, Forum
from partners.models import MOU, Institution

from .dashboard_charts import home_charts

UPCOMING_EDITIONS_SHOWN = 8
EXPIRING_MOUS_SHOWN = 10


@dataclass(frozen=True)
class Counts:
    forums: int | None
    editions: int | None
    upcoming_editions: int | None
    experts: int | None
    institutions: int | None
    active_mous: int | None
    expiring_mous: int | None


def get_staff_home_context(*, user) -> dict:
    """Sections the user may view; each costs one query whatever the number of rows."""

    window = settings.MOU_EXPIRING_WINDOW_DAYS
    can_view_forums = user.has_perm("forums.view_edition")
    can_view_mous = user.has_perm("partners.view_mou")
    can_view_experts = user.has_perm("experts.view_expert")
    can_view_institutions = user.has_perm("partners.view_institution")

    context: dict = {"mou_window_days": window}
    if can_view_forums:
        upcoming = Edition.objects.upcoming()
        context["upcoming_editions"] = list(
            upcoming.select_related("forum").order_by("start_date", "forum__name")[
                :UPCOMING_EDITIONS_SHOWN
            ]
        )
    if can_view_mous:
        context["expiring_mous"] = list(
            MOU.objects.expiring_within(window)
            .select_related("institution")
            .order_by("expires_on", "title")[:EXPIRING_MOUS_SHOWN]
        )

    # One query per table for the figures; each aggregate is a single SELECT.
    edition_figures = (
        Edition.objects.aggregate(
            total=Count("pk"),
            upcoming=Count("pk", filter=Q(pk__in=Edition.objects.upcoming().values("pk"))),
        )
        if can_view_forums
        else {"total": None, "upcoming": None}
    )
    mou_figures = (
        MOU.objects.aggregate(
            active=Count("pk", filter=Q(status=MOU.Status.ACTIVE)),
            expiring=Count("pk", filter=Q(pk__in=MOU.objects.expiring_within(window).values("pk"))),
        )
        if can_view_mous
        else {"active": None, "expiring": None}
    )
    context["counts"] = Counts(
        forums=Forum.objects.count() if can_view_forums else None,
        editions=edition_figures["total"],
        upcoming_editions=edition_figures["upcoming"],
        experts=Expert.objects.count() if can_view_experts else None,
        institutions=Institution.objects.count() if can_view_institutions else None,
        active_mous=mou_figures["active"],
        expiring_mous=mou_figures["expiring"],
    )
    context["home_charts"] = home_charts(user=user)
    return context
