"""Inviting and sending in bulk: many experts at once, and the work handed to Celery.

The admin actions call the `*_or_queue` services here, which decide (in one place,
`runs_in_background`) whether the work is done in the request or handed to workers: above
settings.INVITATIONS_INLINE_LIMIT invitations the cheap part is done in the request (bulk
drafts, a few queries) and tasks of TASK_CHUNK_SIZE ids are queued; each task calls the same
service as the request would (forums.tasks), and is safe to run twice.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from forums import tasks
from forums.models import Edition, Invitation, InvitationEvent, Session

from .invitations import InvitationError, check_can_invite, resend_invitations, send_invitations
from .reminders import remind_invitations_now

logger = logging.getLogger(__name__)

# Invitation ids per background task (see `send_invitations_later`).
TASK_CHUNK_SIZE = 100


@dataclass
class Drafted:
    """Draft invitations made for many experts (`invite_experts`)."""

    drafts: list[int] = field(default_factory=list)  # ids, new or not yet sent
    already: list = field(default_factory=list)  # experts invited and sent before


@dataclass
class InviteOutcome:
    """What inviting many experts did: sent now, or `queued` for workers (`in_background`)."""

    sent: list = field(default_factory=list)  # experts whose invitation went out now
    already: list = field(default_factory=list)  # experts invited and sent before
    problems: list[str] = field(default_factory=list)
    queued: int = 0
    in_background: bool = False


@dataclass
class BulkOutcome:
    """What a send / send again / new link / remind action did on the selected invitations.

    In the background: `queued` invitations were handed to workers. Otherwise `done` counts the
    invitations sent (or reminded), `skipped` are those left alone (for reminders with the
    reason, as `SkippedReminder`), `problems` messages for the staff member."""

    in_background: bool = False
    queued: int = 0
    done: int = 0
    skipped: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def runs_in_background(count: int) -> bool:
    """The one rule: more than settings.INVITATIONS_INLINE_LIMIT invitations go to workers."""
    return count > settings.INVITATIONS_INLINE_LIMIT


def send_or_queue_invitations(invitation_ids: Sequence[int], *, sent_by) -> BulkOutcome:
    """Send these draft invitations now, or hand them to workers if there are many."""
    ids = list(invitation_ids)
    if runs_in_background(len(ids)):
        return BulkOutcome(in_background=True, queued=send_invitations_later(ids, sent_by=sent_by))
    sent, problems = send_invitations(ids, sent_by=sent_by)
    return BulkOutcome(done=sent, problems=problems)


def resend_or_queue_invitations(
    invitations, *, sent_by, new_link_only: bool = False
) -> BulkOutcome:
    """Send again (or only a new link) now, or hand the invitations to workers if many."""
    ids = list(invitations.order_by("pk").values_list("pk", flat=True))
    if runs_in_background(len(ids)):
        queued = resend_invitations_later(ids, sent_by=sent_by, new_link_only=new_link_only)
        return BulkOutcome(in_background=True, queued=queued)
    outcome = resend_invitations(invitations, sent_by=sent_by, new_link_only=new_link_only)
    return BulkOutcome(done=len(outcome.sent), skipped=outcome.skipped, problems=outcome.problems)


def remind_or_queue_invitations(invitations, *, reminded_by) -> BulkOutcome:
    """Remind the unanswered among these invitations now, or hand them to workers if many;
    those answered, not sent, or emailed within the minimum gap are skipped, with the reason."""
    pending = list(invitations.pending().order_by("pk").values_list("pk", flat=True))
    if runs_in_background(len(pending)):
        queued = remind_invitations_later(pending, reminded_by=reminded_by)
        return BulkOutcome(in_background=True, queued=queued)
    outcome = remind_invitations_now(invitations, reminded_by=reminded_by)
    return BulkOutcome(done=len(outcome.reminded), skipped=outcome.skipped)


def invite_and_send_or_queue(
    edition: Edition,
    *,
    experts,
    invited_by,
    offered_session: Session | None = None,
    offered_role: str = "",
    personal_message: str = "",
) -> InviteOutcome:
    """Invite and send now, or (many experts) make the drafts now and let workers send them."""
    experts = list(experts)
    offer = {
        "experts": experts,
        "invited_by": invited_by,
        "offered_session": offered_session,
        "offered_role": offered_role,
        "personal_message": personal_message,
    }
    if not runs_in_background(len(experts)):
        return invite_and_send(edition, **offer)
    try:
        return invite_and_send_later(edition, **offer)
    except InvitationError as exc:
        return InviteOutcome(problems=[exc.message], in_background=True)


def invite_and_send(
    edition: Edition,
    *,
    experts,
    invited_by,
    offered_session: Session | None = None,
    offered_role: str = "",
    personal_message: str = "",
) -> InviteOutcome:
    """Invite each expert and send what is new or unsent; those already invited get nothing."""
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
        return InviteOutcome(problems=[exc.message])
    _, problems = send_invitations(invited.drafts, sent_by=invited_by)
    sent_ids = set(
        Invitation.objects.filter(pk__in=invited.drafts)
        .exclude(status=Invitation.Status.DRAFT)
        .values_list("expert_id", flat=True)
    )
    return InviteOutcome(
        sent=[e for e in experts if e.pk in sent_ids], already=invited.already, problems=problems
    )


def invite_and_send_later(
    edition: Edition,
    *,
    experts,
    invited_by,
    offered_session: Session | None = None,
    offered_role: str = "",
    personal_message: str = "",
) -> InviteOutcome:
    """invite_and_send for many experts: the drafts are created now, in one transaction, and
    sent by workers once it commits (InvitationError if the edition takes no invitations)."""
    with transaction.atomic():
        invited = invite_experts(
            edition,
            experts=list(experts),
            invited_by=invited_by,
            offered_session=offered_session,
            offered_role=offered_role,
            personal_message=personal_message,
        )
        queued = send_invitations_later(invited.drafts, sent_by=invited_by)
    return InviteOutcome(queued=queued, already=invited.already, in_background=True)


def invite_experts(
    edition: Edition,
    *,
    experts: Sequence,
    invited_by,
    offered_session: Session | None = None,
    offered_role: str = "",
    personal_message: str = "",
) -> Drafted:
    """Draft invitations for many experts in a few queries; still one per expert and edition."""
    check_can_invite(edition, offered_session)
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
    return Drafted(drafts=drafts, already=already)


def send_invitations_later(invitation_ids: Iterable[int], *, sent_by) -> int:
    """After the caller's transaction commits, hand the drafts to workers in chunks; each task
    calls `send_invitations(drafts_only=True)`, so a task run twice sends nothing twice."""
    return _later(tasks.send_invitations_task, invitation_ids, sent_by)


def resend_invitations_later(
    invitation_ids: Iterable[int], *, sent_by, new_link_only: bool = False
) -> int:
    """Like send_invitations_later, for "send again" / "new link": a link issued after this
    call (by a first run of the task) is not replaced again by a second run."""
    requested_at = timezone.now().isoformat()
    return _later(
        tasks.resend_invitations_task, invitation_ids, sent_by, new_link_only, requested_at
    )


def remind_invitations_later(invitation_ids: Iterable[int], *, reminded_by) -> int:
    """Like send_invitations_later, for "remind now": one reminder per invitation per request
    (none within the minimum gap of the last one), however often a task runs."""
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
