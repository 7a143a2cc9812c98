"""Ranking the pool (pool.py): a score per expert and the reasons for it, in words.

Greedy: the best-scoring expert is taken first, then the balance part of every other score is
worked out again against the list as it now stands (already invited plus suggested), so the
second Indonesian scores less than the first. Caps count the suggestions only.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from experts.models import Expert
from forums.models import Forum

from .pool import Pool, Profile
from .weights import Weights

RECENT = dt.timedelta(days=365)
SHOWN_AREAS = 2
SHOWN_WORDS = 3


@dataclass
class Suggestion:
    profile: Profile
    score: float
    expertise: float
    record: float
    balance: float
    matched_areas: list[str] = field(default_factory=list)
    matched_words: list[str] = field(default_factory=list)
    adds: dict = field(default_factory=dict)  # what the expert adds to the list
    regular: float = 0.0
    forum: Forum | None = None  # the edition's forum, named in the reasons about its regulars
    forum_window: int = 0

    @property
    def expert_id(self) -> int:
        return self.profile.id

    @property
    def reasons(self) -> list[str]:
        """Why, in the active language: expertise; record; what the expert adds; last invited."""
        p = self.profile
        reasons = list(self.matched_areas)
        if self.matched_words:
            reasons.append(_("mentions %(words)s") % {"words": ", ".join(self.matched_words)})
        if not reasons:
            reasons.append(_("no expertise match"))
        if p.invited:
            reasons.append(
                _("%(accepted)d of %(invited)d accepted")
                % {"accepted": p.accepted, "invited": p.invited}
            )
            if p.no_show:
                reasons.append(
                    ngettext("%(count)d no-show", "%(count)d no-shows", p.no_show)
                    % {"count": p.no_show}
                )
        if p.forum_came:
            reasons.append(self._regular_reason())
        if "country" in self.adds:
            reasons.append(_("adds %(country)s") % {"country": countries.name(p.country)})
        if "institution" in self.adds:
            reasons.append(_("adds %(institution)s") % {"institution": p.institution})
        if "capacity" in self.adds:
            reasons.append(
                _("few on the list in the capacity “%(capacity)s”")
                % {"capacity": Expert.Capacity(p.capacity).label}
            )
        if p.last_invited is None:
            reasons.append(_("never invited"))
        else:
            reasons.append(
                _("last invited %(date)s")
                % {"date": formats.date_format(p.last_invited, "YEAR_MONTH_FORMAT")}
            )
        return reasons

    def _regular_reason(self) -> str:
        p, forum = self.profile, self.forum.text_in("short_name") if self.forum else ""
        if p.forum_came_recent and self.forum_window == 1:
            return _("came to the last edition of the %(forum)s") % {"forum": forum}
        if p.forum_came_recent:
            return _("came to %(came)d of the last %(editions)d editions of the %(forum)s") % {
                "came": p.forum_came_recent,
                "editions": self.forum_window,
                "forum": forum,
            }
        return ngettext(
            "came to %(count)d earlier edition of the %(forum)s",
            "came to %(count)d earlier editions of the %(forum)s",
            p.forum_came,
        ) % {"count": p.forum_came, "forum": forum}

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def _expertise(pool: Pool, p: Profile) -> tuple[float, list[int], list[str]]:
    areas = sorted(p.area_ids & pool.topic_area_ids)
    words = sorted(p.words & pool.topic_words)
    wanted = min(2, len(pool.topic_area_ids)) or 1
    score = 0.7 * min(1.0, len(areas) / wanted) + 0.3 * min(1.0, len(words) / 4)
    return score, areas, words


def _regular(p: Profile) -> float:
    """How much of a regular of the edition's forum, 0..1: editions of it the expert came to,
    the forum's last few counting double (two recent ones, or three older ones, make 1)."""
    return min(1.0, (p.forum_came + p.forum_came_recent) / 3)


def _record(p: Profile) -> float:
    if not p.invited:
        return 0.5
    answered = p.accepted + p.declined
    acceptance = (p.accepted + 1) / (answered + 2)
    return acceptance - 0.5 * p.no_show / max(1, p.accepted)


@dataclass
class _Balance:
    countries: Counter = field(default_factory=Counter)
    institutions: Counter = field(default_factory=Counter)
    capacities: Counter = field(default_factory=Counter)
    first_timers: int = 0
    total: int = 0

    def add(self, p: Profile) -> None:
        self.countries[p.country] += 1
        self.institutions[p.institution_key] += 1
        self.capacities[p.capacity] += 1
        self.first_timers += p.first_timer
        self.total += 1

    def score(self, p: Profile) -> tuple[float, dict]:
        adds: dict = {}
        score = 0.0
        if p.country:
            if not self.countries[p.country]:
                score += 0.5
                adds["country"] = True
            else:
                score -= 0.5 * self.countries[p.country] / self.total
        if p.institution_key:
            if not self.institutions[p.institution_key]:
                score += 0.3
                adds["institution"] = True
            else:
                score -= 0.3
        average = self.total / len(Expert.Capacity)
        if self.capacities[p.capacity] < average:
            score += 0.2
            adds["capacity"] = True
        return score, adds

    def wants_first_timers(self, share: float) -> bool:
        return self.first_timers < share * max(1, self.total)


def _capped(counts: Counter, key: str, cap: int) -> bool:
    """A cap of 0 is none; an expert with no country (institution) is never capped by it."""
    return bool(cap and key and counts[key] >= cap)


def suggest(pool: Pool, weights: Weights | None = None) -> list[Suggestion]:
    """The best `weights.count` experts of the pool, best first, each with its reasons."""
    weights = weights or Weights()
    balance = _Balance()
    for p in pool.invited:
        balance.add(p)
    recent_since = timezone.make_aware(dt.datetime.combine(pool.as_of - RECENT, dt.time()))
    fixed = {}
    for p in pool.candidates:
        expertise, areas, words = _expertise(pool, p)
        recent = bool(p.last_invited and p.last_invited >= recent_since)
        fixed[p.id] = (
            expertise,
            _record(p),
            weights.expertise * expertise
            + weights.record * _record(p)
            + weights.regular * _regular(p)
            - weights.recent * recent,
            [pool.areas[a] for a in areas[:SHOWN_AREAS]],
            words[:SHOWN_WORDS] if not areas else [],
        )
    remaining = sorted(pool.candidates, key=lambda p: (-fixed[p.id][2], p.name, p.id))
    picked: list[Suggestion] = []
    per_country: Counter = Counter()
    per_institution: Counter = Counter()
    while remaining and len(picked) < weights.count:
        best = None
        first_timers = balance.wants_first_timers(weights.first_timer_share)
        for p in remaining:
            if _capped(per_country, p.country, weights.max_per_country) or _capped(
                per_institution, p.institution_key, weights.max_per_institution
            ):
                continue
            # The fixed part bounds the score from above: stop once no one left can win.
            ceiling = fixed[p.id][2] + weights.balance * 1.0 + weights.first_timer
            if best is not None and ceiling < best[0]:
                break
            part, adds = balance.score(p)
            score = fixed[p.id][2] + weights.balance * part
            score += weights.first_timer * (first_timers and p.first_timer)
            if best is None or score > best[0]:
                best = (score, p, part, adds)
        if best is None:
            break
        score, p, part, adds = best
        expertise, record, _fixed, areas, words = fixed[p.id]
        picked.append(
            Suggestion(
                profile=p,
                score=round(score, 3),
                expertise=round(expertise, 3),
                record=round(record, 3),
                balance=round(part, 3),
                matched_areas=areas,
                matched_words=words,
                adds=adds,
                regular=round(_regular(p), 3),
                forum=pool.edition.forum,
                forum_window=pool.forum_window,
            )
        )
        remaining.remove(p)
        balance.add(p)
        per_country[p.country] += 1
        per_institution[p.institution_key] += 1
    return picked
