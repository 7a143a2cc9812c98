"""The recommender on a history: a forum's regulars (who came to its earlier editions) rank
higher and the reasons say so in words; no-shows and other forums do not make a regular; the
"invited within a year" penalty is off unless staff set it; and on a small but realistic
history of two forums the held-out check beats both baselines."""

import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from academy_portal.core import roles
from forums.models import Invitation, Presence
from forums.recommend import Weights, load_pool, suggest
from forums.recommend.evaluation import evaluate
from tests.factories import (
    EditionFactory,
    ExpertFactory,
    ExpertiseAreaFactory,
    ForumFactory,
    UserFactory,
)
from tests.forums.invitation_factories import InvitationFactory

pytestmark = pytest.mark.django_db


def expert(*areas, country="AU", **fields):
    made = ExpertFactory(country=country, **fields)
    made.expertise_areas.set(areas)
    return made


def held(forum, *, days_ago, theme="Cooperation at sea"):
    start = timezone.localdate() - dt.timedelta(days=days_ago)
    return EditionFactory(forum=forum, start_date=start, status="held", theme=theme)


def came(edition, person, *, present=True):
    invitation = InvitationFactory(edition=edition, expert=person, status="accepted")
    status = Presence.Status.PRESENT if present else Presence.Status.ABSENT
    Presence.objects.create(invitation=invitation, status=status, source="correction")
    return invitation


@pytest.fixture
def forum():
    return ForumFactory(short_name="Ocean Dialogue", short_name_vi="Đối thoại Biển")


def test_a_regular_of_the_forum_ranks_higher_and_the_reason_says_so(forum):
    past = [held(forum, days_ago=days) for days in (900, 700, 500, 300)]
    upcoming = EditionFactory(forum=forum, theme="Cooperation at sea")
    regular, once = expert(country="ID"), expert(country="PH")
    came(past[1], regular)
    came(past[3], regular)
    # Accepted, attendance not recorded: counted as come; before the forum's last three.
    InvitationFactory(edition=past[0], expert=once, status="accepted")
    ranked = suggest(load_pool(upcoming), Weights(balance=0, first_timer=0))
    assert [s.expert_id for s in ranked] == [regular.pk, once.pk]
    assert ranked[0].regular == 1.0
    assert ranked[1].regular == 0.333
    with translation.override("en"):
        assert "came to 2 of the last 3 editions of the Ocean Dialogue" in ranked[0].reason
        assert "came to 1 earlier edition of the Ocean Dialogue" in ranked[1].reason
    with translation.override("vi"):
        assert "Đối thoại Biển" in ranked[0].reason
    # Staff can weigh it down to nothing: the same answers, then the same score.
    flat = suggest(load_pool(upcoming), Weights(balance=0, first_timer=0, regular=0))
    assert {s.expert_id: s.regular for s in flat} == {regular.pk: 1.0, once.pk: 0.333}
    assert flat[0].score - flat[1].score == pytest.approx(flat[0].record - flat[1].record, abs=0.01)


def test_a_no_show_or_another_forum_does_not_make_a_regular(forum):
    edition = held(forum, days_ago=400)
    elsewhere = held(ForumFactory(), days_ago=300)
    upcoming = EditionFactory(forum=forum)
    no_show, visitor, later = expert(), expert(), expert()
    came(edition, no_show, present=False)
    came(elsewhere, visitor)
    came(EditionFactory(forum=forum, start_date=upcoming.start_date + dt.timedelta(1)), later)
    by_id = {s.expert_id: s for s in suggest(load_pool(upcoming), Weights(max_per_country=0))}
    assert {by_id[p.pk].regular for p in (no_show, visitor, later)} == {0.0}
    with translation.override("en"):
        assert "came to" not in by_id[visitor.pk].reason
        assert "1 no-show" in by_id[no_show.pk].reason


def test_the_last_edition_alone_is_named_as_such(forum):
    edition = held(forum, days_ago=200)
    upcoming = EditionFactory(forum=forum)
    came(edition, expert())
    (suggestion,) = suggest(load_pool(upcoming))
    with translation.override("en"):
        assert "came to the last edition of the Ocean Dialogue" in suggestion.reason


def test_the_within_a_year_penalty_is_off_unless_staff_set_it(forum):
    upcoming = EditionFactory(forum=forum)
    lately, long_ago = expert(country="ID"), expert(country="ID")
    for person, days_ago in ((lately, 100), (long_ago, 900)):
        edition = held(ForumFactory(), days_ago=days_ago)
        sent = timezone.now() - dt.timedelta(days=days_ago + 60)
        InvitationFactory(edition=edition, expert=person, status="accepted", sent_at=sent)
    ranked = suggest(load_pool(upcoming), Weights(balance=0, max_per_country=0))
    assert Weights().recent == 0
    assert ranked[0].score == ranked[1].score
    penalised = suggest(load_pool(upcoming), Weights(balance=0, max_per_country=0, recent=1))
    assert [s.expert_id for s in penalised] == [long_ago.pk, lately.pk]
    assert penalised[0].score - penalised[1].score == pytest.approx(1)


def test_the_page_takes_the_weight_of_regulars(client, forum):
    upcoming = EditionFactory(forum=forum)
    came(held(forum, days_ago=200), expert())
    client.force_login(UserFactory(groups=[roles.FORUM_COORDINATORS]))
    url = reverse("forums_staff:suggestions", args=[upcoming.pk])
    response = client.get(url, {"regular": "0.5"})
    assert response.context["weights"].regular == 0.5
    assert "Weight of coming to this forum before" in response.text


# --- A small realistic history -----------------------------------------------------------------

SEED = 12
THEMES = {
    "ocean": [
        ("UNCLOS and the settlement of disputes", "law"),
        ("Climate change and the ocean", "climate"),
        ("Fisheries and the marine environment", "fisheries"),
        ("UNCLOS at forty", "law"),
        ("Offshore energy and the law", "energy"),
    ],
    "mekong": [
        ("Water security in the Mekong", "mekong"),
        ("Climate change in the delta", "climate"),
        ("Mekong cooperation mechanisms", "mekong"),
        ("Hydropower and energy on the Mekong", "energy"),
        ("Mekong data sharing", "mekong"),
    ],
}


def _history():
    """Two forums whose editions alternate, ten in all; each invites about eleven experts as a
    coordinator would: 4 who hold the area the theme names, 3 of the forum's regulars (the
    more often they came, the likelier), 4 anyone; most accept and come."""
    rng = random.Random(SEED)
    areas = {
        "law": ExpertiseAreaFactory(name="Law of the sea", aliases="UNCLOS"),
        "climate": ExpertiseAreaFactory(name="Climate change"),
        "fisheries": ExpertiseAreaFactory(name="Fisheries"),
        "energy": ExpertiseAreaFactory(name="Energy", aliases="offshore energy\nhydropower"),
        "mekong": ExpertiseAreaFactory(name="Mekong water resources", aliases="Mekong"),
        "china": ExpertiseAreaFactory(name="China studies"),
    }
    countries = ["VN", "CN", "JP", "ID", "PH", "US", "FR", "AU", "IN", "SG"]
    keys = list(areas)
    # Named here, not by the factory's sequence: the ranking breaks ties by name, and the
    # sequence depends on the tests that ran before.
    experts = [
        expert(
            *(areas[k] for k in rng.sample(keys, rng.randint(1, 2))),
            country=countries[n % 10],
            given_name=f"Expert {n:02d}",
            family_name="History",
        )
        for n in range(60)
    ]
    holders = {
        k: [e for e in experts if area in e.expertise_areas.all()] for k, area in areas.items()
    }
    forums = {name: ForumFactory() for name in THEMES}
    regulars = {name: {} for name in THEMES}
    for n in range(5):
        for offset, name in enumerate(THEMES):
            theme, key = THEMES[name][n]
            edition = held(forums[name], days_ago=2000 - 360 * n - 180 * offset, theme=theme)
            picked = []
            pool = dict(regulars[name])
            for _ in range(min(3, len(pool))):
                (chosen,) = rng.choices(list(pool), weights=list(pool.values()))
                picked.append(chosen)
                del pool[chosen]
            picked += rng.sample([e for e in holders[key] if e not in picked], 4)
            picked += rng.sample([e for e in experts if e not in picked], 11 - len(picked))
            for person in picked:
                if rng.random() < 0.8:
                    came(edition, person, present=rng.random() < 0.9)
                    regulars[name][person] = regulars[name].get(person, 0) + 1
                else:
                    InvitationFactory(edition=edition, expert=person, status="declined")
    return experts


def test_on_a_realistic_history_the_recommender_beats_both_baselines():
    _history()
    assert Invitation.objects.count() == 110
    result = evaluate(k=5)
    assert len(result.results) == 10
    # Seed 12: precision@5 0.32 against 0.16 (most recent invitees) and 0.24 (random); over
    # seeds 0-7 the recommender's is 0.34-0.48, the baselines' 0.12-0.26.
    recommender = result.precision("recommender")
    assert recommender > result.precision("most recent invitees")
    assert recommender > result.precision("random")
    assert result.recall("recommender") > result.recall("most recent invitees")
    assert result.recall("recommender") > result.recall("random")
