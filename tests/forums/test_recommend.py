"""Expert suggestions for an edition (forums.recommend): expertise wins, the invited are left
out, caps hold, reasons say why; the staff page invites in one step (drafts, logged) by role,
with a query count that does not grow with the experts; the command and the held-out check."""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone, translation

from academy_portal.core import roles
from experts.models import Expert
from forums.models import Invitation, Presence
from forums.recommend import Weights, load_pool, suggest
from forums.recommend.evaluation import evaluate
from tests.factories import (
    EditionFactory,
    ExpertFactory,
    ExpertiseAreaFactory,
    InstitutionFactory,
    SessionFactory,
    UserFactory,
)
from tests.forums.invitation_factories import InvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def law_of_the_sea():
    return ExpertiseAreaFactory(name="Law of the sea (UNCLOS)", aliases="UNCLOS\nluật biển")


@pytest.fixture
def edition(law_of_the_sea):
    edition = EditionFactory(title="The 16th Conference", theme="UNCLOS at forty")
    SessionFactory(edition=edition, title="Panel 1: Fisheries cooperation")
    return edition


def expert(*areas, country="AU", **kwargs):
    made = ExpertFactory(country=country, **kwargs)
    made.expertise_areas.set(areas)
    return made


def past_edition(years_ago=2):
    start = timezone.localdate() - dt.timedelta(days=365 * years_ago)
    return EditionFactory(start_date=start, status="held")


def ids(suggestions):
    return [s.expert_id for s in suggestions]


def test_an_expertise_match_ranks_first(edition, law_of_the_sea):
    others = [expert(country=c) for c in ("VN", "JP", "FR")]
    match = expert(law_of_the_sea)
    ranked = suggest(load_pool(edition))
    assert ranked[0].expert_id == match.pk
    assert set(ids(ranked)) == {match.pk, *(o.pk for o in others)}
    assert ranked[0].expertise > ranked[1].expertise


def test_words_of_the_bio_and_of_past_sessions_count(edition):
    by_bio = expert(bio="Writes on fisheries in the Gulf of Tonkin.")
    speaker = expert()
    past = SessionFactory(edition=past_edition(), title="Fisheries and the coast guard")
    past.roles.create(expert=speaker, role="speaker")
    nobody = expert()
    ranked = ids(suggest(load_pool(edition), Weights(balance=0, first_timer=0, record=0)))
    assert ranked.index(by_bio.pk) < ranked.index(nobody.pk)
    assert ranked.index(speaker.pk) < ranked.index(nobody.pk)


def test_a_vietnamese_alias_in_the_theme_finds_the_area(law_of_the_sea):
    edition = EditionFactory(title="Hội thảo", theme="Luật biển và hợp tác")
    match = expert(law_of_the_sea)
    expert()
    assert suggest(load_pool(edition))[0].expert_id == match.pk


def test_experts_already_invited_are_left_out(edition, law_of_the_sea):
    invited = expert(law_of_the_sea)
    InvitationFactory(edition=edition, expert=invited)
    free = expert(law_of_the_sea, country="ID")
    pool = load_pool(edition)
    assert ids(suggest(pool)) == [free.pk]
    assert [p.id for p in pool.invited] == [invited.pk]


def test_caps_per_country_and_institution_hold(edition, law_of_the_sea):
    shared = InstitutionFactory(country="JP")
    for _ in range(4):
        expert(law_of_the_sea, country="VN")
    for _ in range(3):
        expert(law_of_the_sea, country="JP", affiliation=shared)
    ranked = suggest(load_pool(edition), Weights(max_per_country=2, max_per_institution=1))
    countries = [s.profile.country for s in ranked]
    assert countries.count("VN") == 2
    assert countries.count("JP") == 1
    uncapped = suggest(load_pool(edition), Weights(max_per_country=0, max_per_institution=0))
    assert len(uncapped) == 7


def test_count_limits_the_list(edition):
    for _ in range(5):
        expert()
    assert len(suggest(load_pool(edition), Weights(count=3))) == 3


def test_past_record_and_no_shows_weigh(edition, law_of_the_sea):
    reliable = expert(law_of_the_sea, country="ID")
    no_show = expert(law_of_the_sea, country="ID")
    for person, answers in (
        (reliable, ["accepted", "accepted"]),
        (no_show, ["accepted", "declined"]),
    ):
        for status in answers:
            InvitationFactory(edition=past_edition(), expert=person, status=status)
    absent = Invitation.objects.filter(expert=no_show, status="accepted").get()
    Presence.objects.create(invitation=absent, status="absent", source="closing")
    ranked = suggest(load_pool(edition), Weights(max_per_country=0))
    assert ids(ranked) == [reliable.pk, no_show.pk]
    assert ranked[0].record > ranked[1].record
    with translation.override("en"):
        assert "2 of 2 accepted" in ranked[0].reason
        assert "1 of 2 accepted; 1 no-show" in ranked[1].reason


def test_reasons_say_why_in_words(edition, law_of_the_sea):
    InvitationFactory(edition=edition, expert=expert(country="VN"))
    indonesian = expert(law_of_the_sea, country="ID", capacity=Expert.Capacity.DIPLOMAT)
    (suggestion,) = suggest(load_pool(edition))
    assert suggestion.expert_id == indonesian.pk
    with translation.override("en"):
        reason = suggestion.reason
    assert reason.startswith("Law of the sea (UNCLOS); ")
    assert "adds Indonesia" in reason
    assert "adds " + indonesian.affiliation.name in reason
    assert "few on the list in the capacity “Diplomat”" in reason
    assert reason.endswith("never invited")


def test_the_balance_prefers_a_country_not_yet_on_the_list(edition, law_of_the_sea):
    for _ in range(3):
        InvitationFactory(edition=edition, expert=expert(law_of_the_sea, country="VN"))
    another_vietnamese = expert(law_of_the_sea, country="VN")
    indonesian = expert(law_of_the_sea, country="ID")
    assert ids(suggest(load_pool(edition))) == [indonesian.pk, another_vietnamese.pk]


def test_a_session_narrows_the_topic(law_of_the_sea):
    edition = EditionFactory(title="Conference", theme="Cooperation")
    fisheries = ExpertiseAreaFactory(name="Fisheries", aliases="fishing")
    session = SessionFactory(edition=edition, title="Fishing in the Gulf")
    SessionFactory(edition=edition, title="UNCLOS at forty")
    fisher = expert(fisheries)
    lawyer = expert(law_of_the_sea, country="ID")
    assert suggest(load_pool(edition, session=session))[0].expert_id == fisher.pk
    whole = {s.expert_id: s.expertise for s in suggest(load_pool(edition))}
    assert whole[fisher.pk] == whole[lawyer.pk]


# --- The staff page --------------------------------------------------------------------------


def page_url(edition):
    return reverse("forums_staff:suggestions", args=[edition.pk])


def test_a_coordinator_invites_ticked_suggestions_in_one_step(client, edition, law_of_the_sea):
    coordinator = UserFactory(groups=[roles.FORUM_COORDINATORS])
    chosen = [expert(law_of_the_sea, country=c) for c in ("ID", "PH")]
    left = expert()
    client.force_login(coordinator)
    response = client.get(page_url(edition))
    assert response.status_code == 200
    assert 'name="expert"' in response.text
    response = client.post(
        page_url(edition), {"expert": [e.pk for e in chosen], "query": "count=5"}
    )
    assert response.status_code == 302
    assert "status__exact=draft" in response["Location"]
    invitations = Invitation.objects.filter(edition=edition)
    assert {i.expert_id for i in invitations} == {e.pk for e in chosen}
    assert {i.status for i in invitations} == {"draft"}
    assert {i.invited_by for i in invitations} == {coordinator}
    assert not invitations.filter(expert=left).exists()
    entry = LogEntry.objects.get(object_id=str(edition.pk), user=coordinator)
    assert all(e.full_name in entry.change_message for e in chosen)


def test_a_bad_selection_is_refused_with_a_message_and_nothing_invited(client, edition):
    client.force_login(UserFactory(groups=[roles.FORUM_COORDINATORS]))
    response = client.post(
        page_url(edition),
        {"expert": ["12", "x"], "query": "count=5&max_per_country=2"},
        follow=True,
    )
    assert "nothing was invited" in response.text
    assert response.redirect_chain[0][0].endswith("?count=5&max_per_country=2")
    assert not Invitation.objects.exists()
    response = client.post(page_url(edition), {}, follow=True)
    assert "Tick at least one expert" in response.text


def test_bad_weights_fall_back_to_the_defaults_and_say_so(client, edition):
    expert()
    client.force_login(UserFactory(groups=[roles.FORUM_COORDINATORS]))
    response = client.get(page_url(edition), {"expertise": "lots", "count": "-1"})
    assert response.status_code == 200
    assert "Some values were not understood" in response.text
    assert response.context["weights"] == Weights()


def test_weights_from_the_form_are_used(client, edition):
    for _ in range(4):
        expert()
    client.force_login(UserFactory(groups=[roles.FORUM_COORDINATORS]))
    response = client.get(page_url(edition), {"count": "2", "max_per_country": "0"})
    assert len(response.context["suggestions"]) == 2
    assert response.context["weights"].max_per_country == 0


def test_a_viewer_reads_without_the_invite_button_and_cannot_post(client, edition):
    candidate = expert()
    client.force_login(UserFactory(groups=[roles.VIEWERS]))
    response = client.get(page_url(edition))
    assert response.status_code == 200
    assert candidate.full_name in response.text
    assert 'name="expert"' not in response.text
    assert client.post(page_url(edition), {"expert": [candidate.pk]}).status_code == 403
    assert not Invitation.objects.exists()


def test_partnerships_officers_read_only_and_the_desk_sees_nothing(client, edition):
    candidate = expert()
    client.force_login(UserFactory(groups=[roles.PARTNERSHIPS_OFFICERS]))
    response = client.get(page_url(edition))
    assert candidate.full_name in response.text
    assert 'name="expert"' not in response.text
    client.force_login(UserFactory(groups=[roles.REGISTRATION_DESK]))
    assert client.get(page_url(edition)).status_code == 403
    assert client.post(page_url(edition), {"expert": [candidate.pk]}).status_code == 403


def test_no_invite_button_when_the_edition_is_closed(client, law_of_the_sea):
    edition = EditionFactory(status="closed")
    expert()
    client.force_login(UserFactory(groups=[roles.FORUM_COORDINATORS]))
    assert 'name="expert"' not in client.get(page_url(edition)).text


def test_the_edition_page_links_to_the_suggestions(client, edition):
    client.force_login(UserFactory(groups=[roles.FORUM_COORDINATORS]))
    response = client.get(reverse("admin:forums_edition_change", args=[edition.pk]))
    assert page_url(edition) in response.text


@pytest.mark.parametrize("experts", [1, 60])
def test_the_page_query_count_does_not_grow_with_the_experts(
    client, edition, law_of_the_sea, django_assert_num_queries, experts
):
    for n in range(experts):
        made = expert(law_of_the_sea, country=["VN", "ID", "JP"][n % 3])
        if n % 4 == 0:
            InvitationFactory(edition=past_edition(), expert=made, status="accepted")
        if n % 5 == 0:
            InvitationFactory(edition=edition, expert=made)
    client.force_login(UserFactory(groups=[roles.FORUM_COORDINATORS]))
    # The same 14 at 1 and at 60 experts: the pool is read in 8 queries whatever its size (the
    # eighth finds the forum's latest editions, whose participants are its regulars).
    with django_assert_num_queries(14):
        response = client.get(page_url(edition), {"count": "50"})
    assert response.status_code == 200


# --- The command and the held-out check ------------------------------------------------------


def test_the_command_prints_the_ranked_list_with_reasons(edition, law_of_the_sea, capsys):
    match = expert(law_of_the_sea, country="ID")
    expert()
    call_command("suggest_experts", edition=edition.pk, count=1)
    out = capsys.readouterr().out
    assert "1 suggestions among 2 experts not invited (0 invited)" in out
    assert f"  1. {match.full_name} (ID, " in out
    assert "Law of the sea (UNCLOS); adds Indonesia;" in out


def test_the_command_takes_a_session_of_the_edition_only(edition):
    other = SessionFactory()
    with pytest.raises(CommandError, match="No session"):
        call_command("suggest_experts", edition=edition.pk, session=other.pk)
    with pytest.raises(CommandError, match="No edition"):
        call_command("suggest_experts", edition=999_999)


def test_the_held_out_check_recovers_invitees_and_prints_numbers(law_of_the_sea, capsys):
    """A past edition on the law of the sea invited its specialists: hidden, they come back."""
    held = past_edition(years_ago=1)
    held.theme = "UNCLOS and the settlement of disputes"
    held.save()
    specialists = [expert(law_of_the_sea, country=c) for c in ("ID", "PH", "MY", "JP", "IN")]
    for person in specialists:
        InvitationFactory(edition=held, expert=person, status="accepted")
    for n in range(20):
        expert(country=["VN", "FR", "DE"][n % 3])
    result = evaluate(k=5, min_invitees=5)
    (row,) = result.results
    assert row.hits_at_k["recommender"] == 5
    assert result.precision("recommender") == 1.0
    assert result.recall("recommender") == 1.0
    assert result.precision("recommender") >= result.precision("random")
    call_command("suggest_experts", evaluate=True, k=5)
    out = capsys.readouterr().out
    assert "| recommender | 1.000 | 1.000 |" in out
    assert "| most recent invitees |" in out
    assert "| random |" in out
