"""Whom to invite to an edition: experts not yet invited, ranked by expertise, past record and
the balance of the list (countries, institutions, capacities, first-timers), each with reasons.

Reads only. `pool.load_pool` reads what the ranking needs in a fixed number of queries (at most
a few thousand experts, scored in Python); `ranking.suggest` ranks them with `Weights`;
`evaluation.evaluate` measures it on past editions against simple baselines.
"""

from .pool import Pool, load_pool
from .ranking import Suggestion, suggest
from .weights import Weights

__all__ = ["Pool", "Suggestion", "Weights", "load_pool", "suggest"]
