"""Celery tasks of the outbox: thin wrappers over services; each is safe to run twice.

Tasks are leaves: the services enqueue them by name (`from .. import tasks`), and each task
imports its service only when it runs, so the two modules do not import each other.
"""

from celery import shared_task


@shared_task(name="academy_portal.mail.tasks.send_outbox_message", ignore_result=True)
def send_outbox_message(message_id: int) -> bool:
    from . import services  # noqa: PLC0415 - tasks are leaves: import the service when run

    # Up to OUTBOX_TASK_BATCH_SIZE - 1 other due rows share the SMTP connection (1 under
    # tests, so a test's on-commit send sends its own email only).
    batch = services.outbox_setting("OUTBOX_TASK_BATCH_SIZE")
    return services.send_outbox_message(message_id=message_id, with_due=max(batch - 1, 0))


@shared_task(name="academy_portal.mail.tasks.send_outbox_messages", ignore_result=True)
def send_outbox_messages(message_ids: list[int]) -> int:
    from . import services  # noqa: PLC0415 - tasks are leaves: import the service when run

    return len(services.send_outbox_messages(message_ids=message_ids))


@shared_task(name="academy_portal.mail.tasks.flush_outbox", ignore_result=True)
def flush_outbox() -> int:
    from . import services  # noqa: PLC0415 - tasks are leaves: import the service when run

    return services.flush_outbox()


@shared_task(name="academy_portal.mail.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict[str, int]:
    from . import services  # noqa: PLC0415 - tasks are leaves: import the service when run

    return services.sweep_outbox()
