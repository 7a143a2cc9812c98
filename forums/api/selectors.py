"""Reads of the staff endpoints of the forums API."""

from collections.abc import Iterable

from django.db.models import Count

from forums.models import Invitation


def invitation_counts(*, edition_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """{edition id: {status: number of invitations}} for these editions (one query)."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        Invitation.objects.filter(edition_id__in=list(edition_ids))
        .values_list("edition_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for edition_id, status, n in rows:
        counts.setdefault(edition_id, {})[status] = n
    return counts
