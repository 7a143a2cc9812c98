"""Staff actions on the outbox: retry failed messages, cancel queued or failed ones."""

from collections.abc import Iterable

from django.db import models, transaction
from django.utils import timezone

from ..models import OutboxMessage
from .common import Status
from .queueing import schedule_delivery_on_commit


def retry_messages(*, messages: Iterable[OutboxMessage] | models.QuerySet) -> int:
    """Failed rows go back to the queue with fresh attempts, due now; returns how many."""
    ids = [m.pk for m in messages]
    now = timezone.now()
    with transaction.atomic():
        retried = list(
            OutboxMessage.objects.retryable()
            .filter(pk__in=ids)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        OutboxMessage.objects.filter(pk__in=retried).update(
            status=Status.QUEUED, attempts=0, send_after=now, claim_token=None, updated_at=now
        )
        schedule_delivery_on_commit(retried)
    return len(retried)


def retry_message(*, message: OutboxMessage) -> bool:
    """One failed row goes back to the queue; returns False when it was not failed."""
    return retry_messages(messages=[message]) == 1


def cancel_messages(*, messages: Iterable[OutboxMessage] | models.QuerySet) -> int:
    """Queued or failed rows become cancelled and are never sent; returns how many."""
    ids = [m.pk for m in messages]
    now = timezone.now()
    return (
        OutboxMessage.objects.cancellable()
        .filter(pk__in=ids)
        .update(status=Status.CANCELLED, claim_token=None, updated_at=now)
    )
