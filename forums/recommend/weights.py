"""The recommender's tunable parameters, with the defaults staff start from."""

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Weights:
    """How much each part of the score counts, and the caps on the list of suggestions.

    expertise: overlap of the expert's areas (and words of the bio and past sessions) with the
    edition's topics, 0..1. record: past answers, 0..1 (never invited: 0.5); a no-show counts
    against. regular: having come to earlier editions of the edition's own forum, 0..1 (its
    last three count double), as coordinators re-invite a forum's regulars; below expertise, so
    the topic still leads (bench/README.md, "Recommendations", measures both). balance: what the
    expert adds to the list already invited (a country, an institution, an under-represented
    capacity), about -1..1. first_timer: bonus for an expert never invited while first-timers
    are fewer than `first_timer_share` of the list. recent: penalty for an expert invited within
    the last year (0 by default: a forum's regulars come back every edition, and a decline
    already lowers the record; staff raise it to rotate the list). Caps count the suggestions
    only (0: none).
    """

    expertise: float = 3.0
    record: float = 1.0
    regular: float = 2.0
    balance: float = 1.0
    first_timer: float = 0.5
    recent: float = 0.0
    max_per_country: int = 3
    max_per_institution: int = 1
    count: int = 20
    first_timer_share: float = 0.3

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]
