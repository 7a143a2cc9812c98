"""Celery tasks of the outbox: thin wrappers over services; each is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="academy_portal.mail.tasks.send_outbox_message", ignore_result=True)
def send_outbox_message(message_id: int) -> bool:
    return services.send_outbox_message(message_id=message_id)


@shared_task(name="academy_portal.mail.tasks.send_outbox_messages", ignore_result=True)
def send_outbox_messages(message_ids: list[int]) -> int:
    return len(services.send_outbox_messages(message_ids=message_ids))


@shared_task(name="academy_portal.mail.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict[str, int]:
    return services.sweep_outbox()
