"""The demo's history of past editions (academy_portal/demo/history.py): every past edition has
invitees picked by its hand-tagged areas and its forum's regulars, answered before it began, with
attendance for those who accepted; a re-run changes nothing; and on it the recommender's
held-out check beats both baselines."""

import pytest
from django.utils import timezone

from academy_portal.demo.build import build_demo
from academy_portal.demo.data import EXPERTISE_AREAS, PAST_EDITION_AREAS
from academy_portal.demo.history import INVITEES
from experts.models import Expert
from forums.models import Edition, Invitation, InvitationEvent, Presence
from forums.recommend.evaluation import evaluate

pytestmark = pytest.mark.django_db


def _rows(editions):
    """Every field of the editions' invitations, attendance and events (the invitations step
    gives one pending invitation of the upcoming edition a new link each run: not these)."""
    invitations = Invitation.objects.filter(edition__in=editions).order_by("pk")
    return (
        list(invitations.values_list()),
        list(Presence.objects.filter(invitation__in=invitations).order_by("pk").values_list()),
        list(
            InvitationEvent.objects.filter(invitation__in=invitations).order_by("pk").values_list()
        ),
    )


def test_every_past_edition_has_a_plausible_history_that_a_rerun_keeps():
    assert {area for areas in PAST_EDITION_AREAS.values() for area in areas} <= set(EXPERTISE_AREAS)
    build_demo()
    today = timezone.localdate()
    past = Edition.objects.filter(end_date__lt=today, status__in=["held", "archived"])
    # Every past edition has invitees: the tagged ones from history.py, East Sea 12-14 before.
    assert not past.filter(invitations__isnull=True).exists()
    assert past.count() == len(PAST_EDITION_AREAS) + 3

    areas_of: dict[int, set[str]] = {}
    for expert_id, name in Expert.expertise_areas.through.objects.values_list(
        "expert_id", "expertisearea__name"
    ):
        areas_of.setdefault(expert_id, set()).add(name)
    statuses: dict[str, int] = {}
    holders = regulars = total = 0
    for (slug, number), areas in PAST_EDITION_AREAS.items():
        edition = Edition.objects.get(forum__slug=slug, number=number)
        invitations = list(edition.invitations.select_related("presence"))
        assert INVITEES[0] <= len(invitations) <= INVITEES[1]
        came_before = set(
            Invitation.objects.filter(
                edition__forum=edition.forum, edition__number__lt=number, status="accepted"
            ).values_list("expert_id", flat=True)
        )
        for invitation in invitations:
            statuses[invitation.status] = statuses.get(invitation.status, 0) + 1
            assert invitation.sent_at.date() < edition.start_date
            if invitation.status == "expired":
                assert invitation.responded_at is None
            else:
                assert invitation.sent_at < invitation.responded_at
                assert invitation.responded_at.date() < edition.start_date
            # Those who accepted came or did not; no one else has an attendance.
            has_presence = hasattr(invitation, "presence")
            assert has_presence == (invitation.status == "accepted")
            holders += bool(areas_of.get(invitation.expert_id, set()) & set(areas))
            regulars += invitation.expert_id in came_before
            total += 1
    # Mostly accepted, some declined, a few never answered.
    assert statuses["accepted"] > 0.6 * total
    assert 0.1 * total < statuses["declined"] < statuses["accepted"]
    assert 0 < statuses["expired"] < statuses["declined"]
    absent = Presence.objects.filter(
        invitation__edition__in=past, status=Presence.Status.ABSENT
    ).count()
    assert 0 < absent < 0.2 * statuses["accepted"]
    # About half hold the edition's areas, about a third are the forum's regulars.
    assert holders > 0.5 * total
    assert 0.2 * total < regulars < 0.5 * total

    before = _rows(past)
    build_demo()
    assert _rows(past) == before


def test_on_the_demo_the_recommender_beats_both_baselines():
    build_demo()
    result = evaluate(k=10)
    assert len(result.results) == len(PAST_EDITION_AREAS) + 4  # and East Sea 12-15
    recommender = result.precision("recommender")
    assert recommender > result.precision("most recent invitees") + 0.05
    assert recommender > 2 * result.precision("random")
    assert result.recall("recommender") > result.recall("most recent invitees")
