"""Reads of the expert network: experts by expertise."""

from django.db.models import Q

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
    in_areas = Q(
        pk__in=Expert.expertise_areas.through.objects.filter(expertisearea_id__in=area_ids).values(
            "expert_id"
        )
    )
    words = fold_for_search(term).split()
    own = Q(*[Q(search_text__contains=word) for word in words])
    return in_areas | own
