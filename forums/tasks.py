"""Celery tasks of the forums: thin wrappers over services; each is safe to run twice."""

from celery import shared_task

from forums.services import reminders


@shared_task(name="forums.tasks.send_due_reminders", ignore_result=True)
def send_due_reminders() -> dict[str, int]:
    """Hourly (beat): expire overdue invitations, then queue due reminders. Twice is harmless:
    expiry is a status transition and each reminder has its own outbox dedup key."""
    return reminders.run_invitation_chores()
