"""How good are the suggestions? The held-out check on past editions.

For each edition with enough invitations, its invitees are hidden (as if not invited yet) and
only the history before its start counts; the suggestions are then compared with the experts
actually invited: precision at k (how many of the top k were invited, over k) and recall at 2k
(how many of the invitees the top 2k recover, over the number of invitees, at most 2k).
Baselines on the same editions: "most recent invitees" (experts whose last invitation to any
edition before this one is the latest) and "random" (seeded).
"""

import random
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.db.models.functions import Coalesce

from forums.models import Edition, Invitation

from .pool import load_pool
from .ranking import suggest
from .weights import Weights

METHODS = ("recommender", "most recent invitees", "random")


@dataclass
class EditionResult:
    edition: Edition
    invitees: int
    hits_at_k: dict = field(default_factory=dict)  # method -> hits in the top k
    hits_at_2k: dict = field(default_factory=dict)  # method -> hits in the top 2k


@dataclass
class Evaluation:
    k: int
    results: list[EditionResult] = field(default_factory=list)

    def precision(self, method: str) -> float:
        if not self.results:
            return 0.0
        return sum(r.hits_at_k[method] for r in self.results) / (self.k * len(self.results))

    def recall(self, method: str) -> float:
        wanted = sum(min(r.invitees, 2 * self.k) for r in self.results)
        return sum(r.hits_at_2k[method] for r in self.results) / wanted if wanted else 0.0

    def table(self) -> str:
        """A Markdown table: one row per method."""
        lines = [
            f"| method | precision@{self.k} | recall in top {2 * self.k} |",
            "|---|---:|---:|",
        ]
        for method in METHODS:
            lines.append(f"| {method} | {self.precision(method):.3f} | {self.recall(method):.3f} |")
        return "\n".join(lines)


def _most_recent(edition: Edition, candidates: list[int], n: int) -> list[int]:
    last = dict(
        Invitation.objects.filter(edition__start_date__lt=edition.start_date)
        .exclude(edition=edition)
        .order_by()
        .values("expert_id")
        .annotate(last=Max(Coalesce("sent_at", "created_at")))
        .values_list("expert_id", "last")
    )
    ranked = sorted((c for c in candidates if c in last), key=lambda c: (last[c], c), reverse=True)
    return ranked[:n]


def evaluate(
    *, k: int = 10, min_invitees: int = 5, weights: Weights | None = None, seed: int = 12
) -> Evaluation:
    """The held-out check over every edition with at least `min_invitees` invitations."""
    weights = weights or Weights()
    ranked_weights = Weights(**{**weights.__dict__, "count": 2 * k})
    rng = random.Random(seed)
    editions = (
        Edition.objects.annotate(n=Count("invitations"))
        .filter(n__gte=min_invitees)
        .select_related("forum")
        .order_by("start_date", "pk")
    )
    evaluation = Evaluation(k=k)
    for edition in editions:
        invitees = set(edition.invitations.values_list("expert_id", flat=True))
        pool = load_pool(edition, hide_invitees=True)
        candidates = sorted(p.id for p in pool.candidates)
        ranked = {
            "recommender": [s.expert_id for s in suggest(pool, ranked_weights)],
            "most recent invitees": _most_recent(edition, candidates, 2 * k),
            "random": rng.sample(candidates, min(2 * k, len(candidates))),
        }
        result = EditionResult(edition=edition, invitees=len(invitees))
        for method, ids in ranked.items():
            result.hits_at_k[method] = len(invitees.intersection(ids[:k]))
            result.hits_at_2k[method] = len(invitees.intersection(ids[: 2 * k]))
        evaluation.results.append(result)
    return evaluation
