"""Demo step: history that gives the dashboards' charts a shape.

Two earlier East Sea Conferences (12th and 13th) with participants who came, drawn from the
partner institutions with the most experts (so "partners by experts sent" ranks unevenly) and
partly from experts who accepted the upcoming edition (so it has regulars beside first-timers);
and two experts from abroad who accepted the upcoming edition and asked for a visa letter but
have not yet given the name in their passport (so "visa letters pending" is not empty: the
letter run skips them). Invitations are history, written as rows; attendance goes through the
service as staff record it. A re-run finds everything in place and changes nothing.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from academy_portal.core import roles
from forums.models import Invitation, Presence
from forums.services import attendance

from .context import DemoContext, upsert
from .data import EAST_SEA

# Past edition -> (regulars of the upcoming edition, others) who came.
HISTORY = {13: (5, 9), 12: (3, 7)}
VISA_PENDING = 2
VISA_PENDING_MESSAGE = "We look forward to welcoming you in Hà Nội."
SENT_BY_RANK = (4, 3, 3, 2, 2)


def build_dashboard_history(ctx: DemoContext) -> None:
    coordinator = get_user_model().objects.filter(groups__name=roles.FORUM_COORDINATORS).first()
    upcoming = ctx.upcoming_edition
    # Accepted by the invitations step (not by the visa step below: the same pick every run).
    accepted_now = set(
        Invitation.objects.filter(edition=upcoming, status=Invitation.Status.ACCEPTED)
        .exclude(personal_message=VISA_PENDING_MESSAGE)
        .values_list("expert_id", flat=True)
    )
    affiliated = [e for e in ctx.experts if e.affiliation_id]
    regulars = [e for e in affiliated if e.pk in accepted_now]
    others = _ranked_senders([e for e in affiliated if e.pk not in accepted_now])
    for number, (n_regulars, n_others) in HISTORY.items():
        edition = ctx.editions[(EAST_SEA, number)]
        _attended(ctx, edition, regulars[:n_regulars] + others[:n_others], coordinator)
    _visa_pending(ctx, upcoming, coordinator)


def _ranked_senders(experts):
    """The experts in the order they are picked: the partner with the most experts sends up to
    SENT_BY_RANK[0] of them, the next SENT_BY_RANK[1] ..., the rest one each."""
    by_institution: dict[int, list] = {}
    for expert in sorted(experts, key=lambda e: e.pk):
        by_institution.setdefault(expert.affiliation_id, []).append(expert)
    ranked = sorted(by_institution.values(), key=lambda group: (-len(group), group[0].pk))
    picked, rest = [], []
    for rank, group in enumerate(ranked):
        take = SENT_BY_RANK[rank] if rank < len(SENT_BY_RANK) else 1
        picked += group[:take]
        rest += group[take:]
    return picked + rest


def _accepted(coordinator, **values) -> dict:
    """An accepted, in-person invitation's fields, as the history rows of this step have them."""
    return {
        "status": Invitation.Status.ACCEPTED,
        "attendance": Invitation.Attendance.IN_PERSON,
        "invited_by_id": coordinator.pk if coordinator else None,
        "privacy_consent": True,
        **values,
    }


def _attended(ctx, edition, experts, coordinator) -> None:
    answered = timezone.make_aware(dt.datetime.combine(edition.start_date, dt.time(10)))
    existing = {
        i.expert_id: i for i in Invitation.objects.filter(edition=edition, expert__in=experts)
    }
    recorded = set(
        Presence.objects.filter(invitation__edition=edition).values_list("invitation_id", flat=True)
    )
    for expert in experts:
        invitation = upsert(
            ctx,
            Invitation,
            existing=existing.get(expert.pk),
            lookup={"edition": edition, "expert": expert},
            values=_accepted(
                coordinator,
                sent_at=answered - dt.timedelta(days=60),
                responded_at=answered - dt.timedelta(days=50),
            ),
        )
        if invitation.pk not in recorded:
            attendance.correct_attendance(
                invitation=invitation,
                status=Presence.Status.PRESENT,
                reason="Entered from the signed paper list of the edition.",
                actor=coordinator,
            )


def _visa_pending(ctx, edition, coordinator) -> None:
    """Two experts from abroad who accepted and asked for a letter, passport name to follow.

    New invitations (the invitations step's stay as they are), picked the same way every run:
    experts with no other invitation to the edition, or with the one this step wrote."""
    mine = Invitation.objects.filter(edition=edition, personal_message=VISA_PENDING_MESSAGE)
    invited = set(
        Invitation.objects.filter(edition=edition)
        .exclude(pk__in=mine)
        .values_list("expert_id", flat=True)
    )
    existing = {i.expert_id: i for i in mine}
    candidates = [
        e
        for e in ctx.experts
        if e.nationality
        and e.nationality != "VN"
        and e.pk not in invited
        and e.pk not in ctx.programme_experts
    ]
    answered = timezone.now().replace(microsecond=0) - dt.timedelta(days=3)
    for expert in candidates[:VISA_PENDING]:
        upsert(
            ctx,
            Invitation,
            existing=existing.get(expert.pk),
            lookup={"edition": edition, "expert": expert},
            values=_accepted(
                coordinator, personal_message=VISA_PENDING_MESSAGE, needs_visa_letter=True
            ),
            save=lambda row, at=answered: _save_answered(row, at),
        )


def _save_answered(invitation, at) -> None:
    # The dates are set once, when the row is made: a re-run compares the other fields only.
    if invitation.pk is None:
        invitation.sent_at = at - dt.timedelta(days=9)
        invitation.responded_at = at
    invitation.save()
