"""Celery tasks of the forums: thin wrappers over services; each is safe to run twice.

Tasks are leaves: each imports its service inside the function, so the services can import
this module by name (to enqueue) without an import cycle.
"""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime

logger = logging.getLogger(__name__)


@shared_task(name="forums.tasks.run_invitation_chores", ignore_result=True)
def run_invitation_chores() -> dict[str, int]:
    """Hourly (beat): expire overdue invitations, then queue due reminders. Twice is harmless:
    expiry is a status transition and each reminder has its own outbox dedup key."""
    from forums.services import reminders  # noqa: PLC0415 - tasks are leaves: import when run

    return reminders.run_invitation_chores()


# The name this task had before: beat entries or messages already queued in Redis under it when
# the portal is upgraded still run (remove once no deployment can hold such a message).
@shared_task(name="forums.tasks.send_due_reminders", ignore_result=True)
def send_due_reminders() -> dict[str, int]:
    """Old name of `run_invitation_chores`."""
    return run_invitation_chores()


def _user(user_id):
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


def _log_problems(task: str, problems: list[str]) -> None:
    # The invitations concerned stay as they were (e.g. drafts) and show so in the admin list.
    for problem in problems:
        logger.warning("%s: %s", task, problem)


@shared_task(name="forums.tasks.send_invitations", ignore_result=True)
def send_invitations_task(invitation_ids: list[int], sent_by_id: int | None) -> int:
    """Send the drafts among these invitations. Twice is harmless: drafts only, under a lock."""
    from forums.services import invitations  # noqa: PLC0415 - tasks are leaves: import when run

    sent, problems = invitations.send_invitations(
        invitation_ids, sent_by=_user(sent_by_id), drafts_only=True
    )
    _log_problems("send_invitations", problems)
    return sent


@shared_task(name="forums.tasks.resend_invitations", ignore_result=True)
def resend_invitations_task(
    invitation_ids: list[int], sent_by_id: int | None, new_link_only: bool, requested_at: str
) -> int:
    """Send again / new link. Twice is harmless: links issued after the click are kept."""
    from forums.models import Invitation  # noqa: PLC0415 - tasks are leaves: import when run
    from forums.services import invitations  # noqa: PLC0415 - tasks are leaves: import when run

    outcome = invitations.resend_invitations(
        Invitation.objects.filter(pk__in=invitation_ids).order_by("pk"),
        sent_by=_user(sent_by_id),
        new_link_only=new_link_only,
        requested_at=parse_datetime(requested_at),
    )
    _log_problems("resend_invitations", outcome.problems)
    return len(outcome.sent)


@shared_task(name="forums.tasks.remind_invitations", ignore_result=True)
def remind_invitations_task(
    invitation_ids: list[int], reminded_by_id: int | None, requested_at: str
) -> int:
    """Remind now. Twice is harmless: no reminder within the minimum gap of the last one."""
    from forums.services import reminders  # noqa: PLC0415 - tasks are leaves: import when run

    outcome = reminders.remind_invitations_now(
        invitation_ids, reminded_by=_user(reminded_by_id), requested_at=parse_datetime(requested_at)
    )
    for skipped in outcome.skipped:
        logger.info("remind_invitations: %s skipped: %s", skipped.invitation, skipped.reason)
    return len(outcome.reminded)


@shared_task(name="forums.tasks.purge_personal_data", ignore_result=True)
def purge_personal_data() -> dict[str, int]:
    """Daily (beat): erase personal data past its retention period. Twice is harmless: only
    rows still holding the data and due are touched."""
    from forums.services import retention  # noqa: PLC0415 - tasks are leaves: import when run

    result = retention.purge_personal_data()
    return {kind: result.count(kind) for kind in retention.KINDS}


@shared_task(name="forums.tasks.close_attendance", ignore_result=True)
def close_attendance() -> dict[int, int]:
    """Daily (beat): accepted participants of ended editions who were never checked in become
    no-shows. Twice is harmless: only participants without an attendance record are touched."""
    from forums.services import attendance  # noqa: PLC0415 - tasks are leaves: import when run

    return attendance.close_ended_editions()
