"""Outbox services: queue an email in the caller's transaction, then claim and deliver it.

queueing.py  `queue_email` and how rows reach workers on commit
delivery.py  claiming, sending over one SMTP connection, retries, the sweep
building.py  the MIME email of a row, personal markers filled in (../placeholders.py); an
             email queued to be written when sent is written into its row first
staff.py     retry and cancel (the admin actions)

Delivery is at-least-once with a strong bias to exactly-once: a row is claimed by a
compare-and-set UPDATE (status queued -> sending, with a fresh claim token), so two workers
never send the same row; only a worker killed between the SMTP "250 OK" and the database
update can cause a resend, after OUTBOX_SENDING_TIMEOUT, with the same Message-ID.

Under the test settings (tests/settings.py) Celery runs tasks eagerly and OUTBOX_TASK_BATCH_SIZE
is 1, so the on-commit enqueue of `queue_email` sends exactly the test's own emails, inline, when
on-commit callbacks run (transactional tests or `django_capture_on_commit_callbacks(
execute=True)`); with the plain `db` fixture they never run and the row stays queued until a
test calls `send_outbox_message` or `sweep_outbox`.
"""

from .building import build_email, mime_attachment, write_pending_email
from .common import outbox_setting
from .delivery import (
    deliver_messages,
    flush_outbox,
    is_transient,
    requeue_stuck_messages,
    retry_delay,
    send_due_messages,
    send_outbox_message,
    send_outbox_messages,
    sweep_outbox,
)
from .queueing import (
    FLUSH_PENDING_KEY,
    enqueue_delivery,
    queue_email,
    schedule_delivery_on_commit,
)
from .staff import cancel_messages, retry_message, retry_messages

__all__ = [
    "FLUSH_PENDING_KEY",
    "build_email",
    "cancel_messages",
    "deliver_messages",
    "enqueue_delivery",
    "flush_outbox",
    "is_transient",
    "mime_attachment",
    "outbox_setting",
    "queue_email",
    "requeue_stuck_messages",
    "retry_delay",
    "retry_message",
    "retry_messages",
    "schedule_delivery_on_commit",
    "send_due_messages",
    "send_outbox_message",
    "send_outbox_messages",
    "sweep_outbox",
    "write_pending_email",
]
