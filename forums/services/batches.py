"""Inviting and sending in bulk: many experts at once, and the work handed to Celery.

An admin action on more than settings.INVITATIONS_INLINE_LIMIT invitations does the cheap part
in the request (bulk drafts, a few queries) and queues tasks of TASK_CHUNK_SIZE ids; each task
calls the same service as the request would (forums.tasks), and is safe to run twice.
"""

import logging
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone

from forums.models import Edition, Invitation, InvitationEvent, Session

from .invitations import InvitationError, _check_can_invite, send_invitations

logger = logging.getLogger(__name__)

# Invitation ids per background task (see `send_invitations_later`).
TASK_CHUNK_SIZE = 100


def invite_and_send(
    edition: Edition,
    *,
    experts,
    invited_by,
    offered_session: Session | None = None,
    offered_role: str = "",
    personal_message: str = "",
) -> dict[str, list]:
    """Invite each expert and send what is new or unsent; those already invited get nothing.

    Returns {"sent": [experts], "already": [experts], "problems": [messages]}.
    """
    experts = list(experts)
    try:
        invited = invite_experts(
            edition,
            experts=experts,
            invited_by=invited_by,
            offered_session=offered_session,
            offered_role=offered_role,
            personal_message=personal_message,
        )
    except InvitationError as exc:
        return {"sent": [], "already": [], "problems": [exc.message]}
    _, problems = send_invitations(invited["drafts"], sent_by=invited_by)
    sent_ids = set(
        Invitation.objects.filter(pk__in=invited["drafts"])
        .exclude(status=Invitation.Status.DRAFT)
        .values_list("expert_id", flat=True)
    )
    return {
        "sent": [e for e in experts if e.pk in sent_ids],
        "already": invited["already"],
        "problems": problems,
    }


def invite_and_send_later(
    edition: Edition,
    *,
    experts,
    invited_by,
    offered_session: Session | None = None,
    offered_role: str = "",
    personal_message: str = "",
) -> dict:
    """invite_and_send for many experts: the drafts are created now, in one transaction, and
    sent by workers once it commits. Returns {"queued": count, "already": [experts]}."""
    with transaction.atomic():
        invited = invite_experts(
            edition,
            experts=list(experts),
            invited_by=invited_by,
            offered_session=offered_session,
            offered_role=offered_role,
            personal_message=personal_message,
        )
        queued = send_invitations_later(invited["drafts"], sent_by=invited_by)
    return {"queued": queued, "already": invited["already"]}


def invite_experts(
    edition: Edition,
    *,
    experts: Sequence,
    invited_by,
    offered_session: Session | None = None,
    offered_role: str = "",
    personal_message: str = "",
) -> dict[str, list]:
    """Draft invitations for many experts in a few queries; still one per expert and edition.

    Returns {"drafts": [ids of draft invitations of these experts, new or not yet sent],
    "already": [experts invited and sent before]}.
    """
    _check_can_invite(edition, offered_session)
    by_id = {expert.pk: expert for expert in experts}
    with transaction.atomic():
        existing = dict(
            Invitation.objects.filter(edition=edition, expert_id__in=by_id).values_list(
                "expert_id", "status"
            )
        )
        new_ids = [pk for pk in by_id if pk not in existing]
        # ON CONFLICT DO NOTHING: an expert invited at this moment by someone else keeps the
        # one invitation (the unique constraint) and is simply not created here.
        Invitation.objects.bulk_create(
            [
                Invitation(
                    edition=edition,
                    expert_id=pk,
                    offered_session=offered_session,
                    offered_role=offered_role or "",
                    personal_message=(personal_message or "").strip(),
                    invited_by=invited_by,
                )
                for pk in new_ids
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        # Ours are the new experts' invitations without a "created" event: invite_expert
        # commits its row and event together.
        created = Invitation.objects.filter(edition=edition, expert_id__in=new_ids).exclude(
            events__kind=InvitationEvent.Kind.CREATED
        )
        details = {
            "offered_session": offered_session.pk if offered_session else None,
            "offered_role": offered_role or "",
        }
        InvitationEvent.objects.bulk_create(
            [
                InvitationEvent(
                    invitation_id=pk,
                    kind=InvitationEvent.Kind.CREATED,
                    actor=invited_by,
                    details=details,
                )
                for pk in created.values_list("pk", flat=True)
            ],
            batch_size=1000,
        )
        drafts = list(
            Invitation.objects.filter(
                edition=edition, expert_id__in=by_id, status=Invitation.Status.DRAFT
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    already = [by_id[pk] for pk, status in existing.items() if status != Invitation.Status.DRAFT]
    return {"drafts": drafts, "already": already}


def send_invitations_later(invitation_ids: Iterable[int], *, sent_by) -> int:
    """After the caller's transaction commits, hand the drafts to workers in chunks; each task
    calls `send_invitations(drafts_only=True)`, so a task run twice sends nothing twice."""
    from forums import tasks

    return _later(tasks.send_invitations_task, invitation_ids, sent_by)


def resend_invitations_later(
    invitation_ids: Iterable[int], *, sent_by, new_link_only: bool = False
) -> int:
    """Like send_invitations_later, for "send again" / "new link": a link issued after this
    call (by a first run of the task) is not replaced again by a second run."""
    from forums import tasks

    requested_at = timezone.now().isoformat()
    return _later(
        tasks.resend_invitations_task, invitation_ids, sent_by, new_link_only, requested_at
    )


def remind_invitations_later(invitation_ids: Iterable[int], *, reminded_by) -> int:
    """Like send_invitations_later, for "remind now": one reminder per invitation per request
    (the outbox key carries the request's minute), however often a task runs."""
    from forums import tasks

    requested_at = timezone.now().isoformat()
    return _later(tasks.remind_invitations_task, invitation_ids, reminded_by, requested_at)


def _later(task, invitation_ids: Iterable[int], user, *args) -> int:
    ids = list(invitation_ids)
    user_id = user.pk if user is not None else None
    for start in range(0, len(ids), TASK_CHUNK_SIZE):
        chunk = ids[start : start + TASK_CHUNK_SIZE]
        transaction.on_commit(
            lambda chunk=chunk: _enqueue(task, chunk, user_id, *args), robust=True
        )
    return len(ids)


def _enqueue(task, ids: list[int], *args) -> None:
    try:
        task.delay(ids, *args)
    except Exception:  # the broker is the outside world: the rows are safe, left as they were
        logger.exception("Could not hand invitations %s to a worker (%s)", ids, task.name)
