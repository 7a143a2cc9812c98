"""Two workers sweeping at once, or a task delivered twice, send every message exactly once."""

import collections
import threading
import uuid

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone

from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.services import (
    deliver_messages,
    queue_email,
    send_due_messages,
    send_outbox_message,
    send_outbox_messages,
    sweep_outbox,
)
from academy_portal.mail.services.delivery import _mark_claimed
from academy_portal.mail.tasks import send_outbox_message as send_task
from tests.mail.factories import OutboxMessageFactory

MESSAGES = 120


class SlowLocmemBackend(mail.backends.locmem.EmailBackend):
    """A mail server that takes a moment per message, so two sweeps really overlap."""

    def send_messages(self, messages):
        threading.Event().wait(0.002)
        return super().send_messages(messages)


def run_in_threads(target, count: int = 2):
    barrier = threading.Barrier(count)
    errors, results = [], []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # reported below, so a thread's failure fails the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def assert_each_sent_once(messages):
    counts = collections.Counter(m.extra_headers["X-Outbox-Id"] for m in mail.outbox)
    assert set(counts) == {str(m.pk) for m in messages}
    assert max(counts.values()) == 1, [k for k, v in counts.items() if v > 1]
    assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()


def sweep_in_two_threads(settings):
    settings.EMAIL_BACKEND = "tests.mail.test_concurrency.SlowLocmemBackend"
    settings.OUTBOX_BATCH_SIZE = 10  # many small batches: many chances to collide
    mail.outbox = []
    messages = OutboxMessageFactory.create_batch(MESSAGES)
    results = run_in_threads(sweep_outbox)
    assert_each_sent_once(messages)
    # Both really worked at the same time, on different rows.
    assert all(result["sent"] > 0 for result in results), results


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_on_postgresql(require_postgres, settings):
    assert connection.features.has_select_for_update_skip_locked
    sweep_in_two_threads(settings)


@pytest.mark.django_db
def test_compare_and_set_claim_with_a_stale_read():
    """Without SKIP LOCKED (SQLite) two workers may read the same due rows; the
    compare-and-set UPDATE gives each row to one of them. The interleaving is forced here:
    threads on pytest's in-memory SQLite fail with "table is locked" instead of waiting."""

    mail.outbox = []
    messages = OutboxMessageFactory.create_batch(10)
    # Worker A reads the due rows, then stalls ...
    stale_ids = list(
        OutboxMessage.objects.due().order_by("send_after", "id").values_list("pk", flat=True)
    )
    # ... worker B claims the first half and sends it ...
    first_half = OutboxMessage.objects.filter(pk__in=stale_ids[:5])
    assert send_due_messages(limit=5) == 5
    assert set(first_half.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}
    # ... and A's UPDATE takes only the rows nobody holds.
    token = uuid.uuid4()
    assert _mark_claimed(stale_ids, token=token, now=timezone.now()) == 5
    claimed = list(OutboxMessage.objects.filter(claim_token=token))
    assert {m.pk for m in claimed} == set(stale_ids[5:])
    deliver_messages(claimed)
    assert_each_sent_once(messages)


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_task_delivered_to_two_workers(require_postgres, settings):
    settings.EMAIL_BACKEND = "tests.mail.test_concurrency.SlowLocmemBackend"
    mail.outbox = []
    messages = OutboxMessageFactory.create_batch(40)
    ids = [m.pk for m in messages]
    run_in_threads(lambda: send_outbox_messages(message_ids=ids))
    assert_each_sent_once(messages)


@pytest.mark.django_db
def test_running_the_task_twice_sends_once():
    mail.outbox = []
    message = OutboxMessageFactory()
    assert send_task(message.pk) is True
    assert send_task(message.pk) is False
    assert send_outbox_message(message_id=message.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_click_queues_one_email(require_postgres):
    """Two requests queue the same dedup key at the same moment: one row, both see it."""

    def queue_same():
        with transaction.atomic():
            message, created = queue_email(
                to_email="a@example.org",
                subject="RSVP confirmed",
                text_body="Thank you",
                kind="rsvp_confirmation",
                dedup_key="rsvp:42:accepted",
            )
            threading.Event().wait(0.2)  # hold the transaction open so the two overlap
        return message.pk, created

    mail.outbox = []
    results = run_in_threads(queue_same)
    assert sorted(created for _pk, created in results) == [False, True]
    assert len({pk for pk, _created in results}) == 1
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1
