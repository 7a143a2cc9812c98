"""Reads of the expert network: experts by expertise."""

from django.db.models import F, Q, Subquery

from academy_portal.core.expressions import InSubquery
from academy_portal.core.text import fold_for_search

from .models import Expert, ExpertiseArea
from .search import phrase_pattern


def areas_named_by(term: str | None) -> list[int]:
    """Ids of the expertise areas whose name or an alias contains `term` as whole words
    ("UNCLOS", "law of the sea", "luật biển" all name "Law of the sea"); one query."""
    pattern = phrase_pattern(term)
    if not pattern:
        return []
    return list(
        ExpertiseArea.objects.filter(search_text__contains=pattern).values_list("pk", flat=True)
    )


def in_areas_or_named(term: str, *, area_ids: list[int]) -> Q:
    """Experts in one of the areas, or whose own name or email holds every word of `term`."""
    members = Expert.expertise_areas.through.objects.filter(expertisearea_id__in=area_ids)
    words = fold_for_search(term).split()
    named = Expert.objects.filter(*[Q(search_text__contains=word) for word in words])
    # One set of ids, the two sides' union, matched by primary key (= ANY(ARRAY(...)) on
    # PostgreSQL: read from the key's index, without scanning or joining every expert). An OR of
    # the two sides would test each expert against the area's thousands of ids.
    either = members.order_by().values("expert_id").union(named.order_by().values("pk"))
    return Q(InSubquery(F("pk"), Subquery(either)))
