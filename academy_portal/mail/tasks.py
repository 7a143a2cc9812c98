"""Celery tasks of the outbox: thin wrappers over services; each is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="academy_portal.mail.tasks.send_outbox_message", ignore_result=True)
def send_outbox_message(message_id: int) -> bool:
    # Up to OUTBOX_TASK_BATCH_SIZE - 1 other due rows share the SMTP connection (1 under
    # tests, so a test's on-commit send sends its own email only).
    batch = services.outbox_setting("OUTBOX_TASK_BATCH_SIZE")
    return services.send_outbox_message(message_id=message_id, with_due=max(batch - 1, 0))


@shared_task(name="academy_portal.mail.tasks.send_outbox_messages", ignore_result=True)
def send_outbox_messages(message_ids: list[int]) -> int:
    return len(services.send_outbox_messages(message_ids=message_ids))


@shared_task(name="academy_portal.mail.tasks.flush_outbox", ignore_result=True)
def flush_outbox() -> int:
    return services.flush_outbox()


@shared_task(name="academy_portal.mail.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict[str, int]:
    return services.sweep_outbox()
