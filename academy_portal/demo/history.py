"""Demo step: who was invited to every past edition, as a coordinator would have picked them.

Each past edition without invitations of its own (data.PAST_EDITION_AREAS: every one but the
East Sea Conference's 12th-14th, whose history the earlier steps write) gets 10-16 invitees:
about half experts holding the edition's hand-tagged areas, about a third regulars of the forum
(who accepted its earlier editions; the more often, the likelier), the rest anyone. Most
accepted, some declined, a few never answered; of those who accepted most came, a few did not.
So the recommender's held-out check (forums.recommend.evaluation) has history shaped like a
real academy's. It is not generated with the recommender's scoring (circular): the picks use
the hand-tagged areas, while the recommender infers topics from the editions' texts.

The picks depend only on the seed, the experts and the data lists (one generator per edition),
never on today or on the other forums. Invitations are history, written as rows (new ones in
bulk); attendance goes through forums.services.attendance as staff record it from the signed
paper lists. A re-run reads what is there in four queries and changes nothing.
"""

import datetime as dt
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.utils import timezone

from academy_portal.core import roles
from experts.models import Expert
from forums.models import Invitation, Presence
from forums.services import attendance

from . import data
from .context import DemoContext, upsert

INVITEES = (10, 16)
AREA_SHARE, REGULAR_SHARE = 1 / 2, 1 / 3
# Chances of each answer, (accepted, declined); the rest never answered (expired).
ANSWERS = {"regular": (0.85, 0.1), "other": (0.65, 0.22)}
NO_SHOW = 0.1  # of those who accepted
DECLINE_REASONS = [
    "A prior commitment abroad on those dates.",
    "Teaching duties that week.",
    "Unable to travel at that time.",
]
PAPER_LIST = "Entered from the signed paper list of the edition."


class Planned(NamedTuple):
    expert: object
    status: str
    came: bool
    sent_days_before: int
    answered_days_before: int


def plan_edition(
    ctx: DemoContext, key: tuple[str, int], *, areas_of: dict[int, set], regulars: dict
) -> list[Planned]:
    """The invitees of one past edition, with their answers. `areas_of`: expert id -> area ids;
    `regulars`: expert -> how many earlier editions of the forum they accepted, in the order
    they first did; the more often someone accepted, the likelier they are asked again.
    """
    rng = ctx.rng("history:{}:{}".format(*key))
    wanted = {ctx.areas[name].pk for name in data.PAST_EDITION_AREAS[key]}
    size = rng.randint(*INVITEES)
    holders = [e for e in ctx.experts if wanted & areas_of.get(e.pk, set())]
    picked: list = []

    def take(candidates, n):
        free = [e for e in candidates if e not in picked]
        picked.extend(rng.sample(free, min(n, len(free))))

    regular_ids = {e.pk for e in regulars}
    pool = dict(regulars)
    for _ in range(min(round(size * REGULAR_SHARE), len(pool))):
        (chosen,) = rng.choices(list(pool), weights=list(pool.values()))
        picked.append(chosen)
        del pool[chosen]
    take(holders, round(size * AREA_SHARE))
    take(ctx.experts, size - len(picked))
    plan = []
    for expert in picked:
        accept, decline = ANSWERS["regular" if expert.pk in regular_ids else "other"]
        draw = rng.random()
        if draw < accept:
            status = Invitation.Status.ACCEPTED
        elif draw < accept + decline:
            status = Invitation.Status.DECLINED
        else:
            status = Invitation.Status.EXPIRED
        sent = rng.randint(45, 90)
        plan.append(
            Planned(
                expert=expert,
                status=status,
                came=status == Invitation.Status.ACCEPTED and rng.random() >= NO_SHOW,
                sent_days_before=sent,
                answered_days_before=sent - rng.randint(3, 30),
            )
        )
    return plan


def build_edition_history(ctx: DemoContext) -> None:
    """Invitations and attendance of every past edition of data.PAST_EDITION_AREAS."""
    coordinator = get_user_model().objects.filter(groups__name=roles.FORUM_COORDINATORS).first()
    areas_of: dict[int, set] = {}
    for expert_id, area_id in Expert.expertise_areas.through.objects.values_list(
        "expert_id", "expertisearea_id"
    ):
        areas_of.setdefault(expert_id, set()).add(area_id)
    editions = [ctx.editions[key] for key in data.PAST_EDITION_AREAS]
    existing = {
        (i.edition_id, i.expert_id): i for i in Invitation.objects.filter(edition__in=editions)
    }
    recorded = set(
        Presence.objects.filter(invitation__edition__in=editions).values_list(
            "invitation_id", flat=True
        )
    )
    plans = {}
    regulars: dict[str, dict] = {}
    for slug, number in sorted(data.PAST_EDITION_AREAS):
        came_before = regulars.setdefault(slug, {})
        plan = plan_edition(ctx, (slug, number), areas_of=areas_of, regulars=came_before)
        plans[(slug, number)] = plan
        for row in plan:
            if row.status == Invitation.Status.ACCEPTED:
                came_before[row.expert] = came_before.get(row.expert, 0) + 1

    new = []
    for key, plan in plans.items():
        edition = ctx.editions[key]
        for row in plan:
            values = _values(edition, row, coordinator)
            current = existing.get((edition.pk, row.expert.pk))
            if current is None:
                new.append(Invitation(edition=edition, expert=row.expert, **values))
            else:
                upsert(ctx, Invitation, lookup={}, values=values, existing=current)
    Invitation.objects.bulk_create(new)
    ctx.changes["forums.Invitation created"] += len(new)
    if new:
        made = Invitation.objects.filter(edition__in=editions)
        existing = {(i.edition_id, i.expert_id): i for i in made}
    for key, plan in plans.items():
        edition = ctx.editions[key]
        accepted = [row for row in plan if row.status == Invitation.Status.ACCEPTED]
        open_rows = [
            (row, existing[(edition.pk, row.expert.pk)])
            for row in accepted
            if existing[(edition.pk, row.expert.pk)].pk not in recorded
        ]
        for row, invitation in open_rows:
            if row.came:
                attendance.correct_attendance(
                    invitation=invitation,
                    status=Presence.Status.PRESENT,
                    reason=PAPER_LIST,
                    actor=coordinator,
                )
        if open_rows:
            # Those who accepted and are not on the paper list did not come.
            attendance.close_attendance(edition=edition, actor=coordinator)
    total = sum(len(plan) for plan in plans.values())
    ctx.notes += [
        "",
        f"History of {len(plans)} past editions: {total} invitations, picked by each "
        "edition's areas and its forum's regulars (manage.py suggest_experts --evaluate).",
    ]


def _values(edition, row: Planned, coordinator) -> dict:
    start = timezone.make_aware(dt.datetime.combine(edition.start_date, dt.time(10)))
    accepted = row.status == Invitation.Status.ACCEPTED
    answered = row.status != Invitation.Status.EXPIRED
    return {
        "status": row.status,
        "invited_by_id": coordinator.pk if coordinator else None,
        "sent_at": start - dt.timedelta(days=row.sent_days_before),
        "responded_at": (start - dt.timedelta(days=row.answered_days_before) if answered else None),
        "attendance": Invitation.Attendance.IN_PERSON if accepted else "",
        "privacy_consent": accepted,
        "decline_reason": (
            DECLINE_REASONS[row.expert.pk % len(DECLINE_REASONS)]
            if row.status == Invitation.Status.DECLINED
            else ""
        ),
    }
