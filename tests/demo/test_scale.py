"""The scale generator (`load_demo --scale N`): consistent data, and the due work it plans.

Runs on SQLite (bulk_create) and, with DATABASE_URL set, on PostgreSQL (COPY)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from academy_portal.demo.build import build_demo
from academy_portal.demo.scale import FORUM_SLUG_PREFIX, ScalePlan, build_scale
from academy_portal.mail.models import OutboxMessage
from experts.models import Expert, expert_profile_search_text, expert_search_text
from forums.models import Edition, Invitation, InvitationEvent
from forums.services.reminders import run_invitation_chores
from forums.services.tokens import current_raw_token, find_invitation_by_token
from partners.models import MOU, Institution, institution_search_text
from partners.services import check_mou_expiry

SCALE = 0.01

pytestmark = pytest.mark.django_db(transaction=False)


def test_plan_counts_and_bounds():
    plan = ScalePlan.for_scale(1)
    assert (plan.experts, plan.editions, plan.invitations) == (20_000, 200, 200_000)
    assert (plan.institutions, plan.mous, plan.outbox, plan.forums) == (2_000, 5_000, 50_000, 10)
    small = ScalePlan.for_scale(SCALE)
    # An expert is invited once per edition: a small academy invites all its experts.
    assert small.invitations_per_edition == small.experts == 200
    assert small.editions == 4 and small.forums == 2
    for bad in (0, -1, 11):
        with pytest.raises(ValueError, match="scale"):
            ScalePlan.for_scale(bad)


def test_tiny_scale_builds_consistent_data():
    plan = ScalePlan.for_scale(SCALE)
    written = build_scale(scale=SCALE)

    assert Expert.objects.count() == written["experts"] == plan.experts
    assert Institution.objects.count() == written["institutions"] == plan.institutions
    assert MOU.objects.count() == written["MOUs"] == plan.mous
    assert Edition.objects.count() == written["editions"] == plan.editions
    assert Invitation.objects.count() == written["invitations"] == plan.invitations
    assert OutboxMessage.objects.count() == written["outbox rows"] == plan.outbox
    assert InvitationEvent.objects.count() == written["invitation events"]
    # Every edition has its default reminders and the same number of invitations.
    per_edition = Edition.objects.annotate(n=Count("invitations"))
    assert {e.n for e in per_edition} == {plan.invitations_per_edition}
    rules = Edition.objects.annotate(n=Count("reminder_rules"))
    assert {e.n for e in rules} == {4}

    # Derived columns by the models' own formulas.
    for expert in Expert.objects.all()[:50]:
        assert expert.search_text == expert_search_text(
            full_name=expert.full_name,
            given_name=expert.given_name,
            family_name=expert.family_name,
            email=expert.email,
        )
        assert expert.profile_search_text == expert_profile_search_text(
            position=expert.position, affiliation_text=expert.affiliation_text
        )
    for institution in Institution.objects.all()[:20]:
        assert institution.search_text == institution_search_text(
            institution.name, institution.native_name, institution.acronym
        )
    # Every invitation has its "created" event; every sent one a working personal link.
    assert not Invitation.objects.exclude(events__kind="created").exists()
    sent = Invitation.objects.exclude(status=Invitation.Status.DRAFT)
    assert not sent.filter(sent_at__isnull=True).exists()
    assert not sent.exclude(events__kind="sent").exists()
    invitation = sent.filter(status=Invitation.Status.SENT).first()
    raw = current_raw_token(invitation)
    assert raw and find_invitation_by_token(raw) == invitation
    # Renewal chains stay within an institution.
    for mou in MOU.objects.filter(supersedes__isnull=False).select_related("supersedes"):
        assert mou.supersedes.institution_id == mou.institution_id


def test_background_jobs_find_exactly_the_planned_due_work():
    build_scale(scale=SCALE)
    last = {
        edition.forum.slug: edition
        for edition in Edition.objects.filter(forum__slug__startswith=FORUM_SLUG_PREFIX)
        .select_related("forum")
        .order_by("number")
    }
    pending = Invitation.Status.SENT
    closed_yesterday = last[f"{FORUM_SLUG_PREFIX}1"].invitations.filter(status=pending).count()
    reminder_today = last[f"{FORUM_SLUG_PREFIX}2"].invitations.filter(status=pending).count()
    past_expiry = MOU.objects.past_expiry().count()
    assert closed_yesterday and reminder_today

    assert run_invitation_chores() == {"expired": closed_yesterday, "reminded": reminder_today}
    assert run_invitation_chores() == {"expired": 0, "reminded": 0}
    assert len(check_mou_expiry().expired) == past_expiry
    assert check_mou_expiry().expired == []
    assert check_mou_expiry().queued == []


def test_load_demo_scale_option_and_refusals():
    out = io.StringIO()
    call_command("load_demo", "--scale", str(SCALE), stdout=out)
    assert "Scaled data (--scale 0.01) written" in out.getvalue()
    assert Expert.objects.count() == build_demo()["counts"]["experts"]
    with pytest.raises(CommandError, match="already loaded"):
        call_command("load_demo", "--scale", str(SCALE), stdout=io.StringIO())
    with pytest.raises(CommandError, match="at most 10"):
        call_command("load_demo", "--scale", "50", stdout=io.StringIO())
