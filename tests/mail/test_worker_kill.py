"""A real worker killed with SIGKILL in the middle of a burst of invitations loses no email.

Real services only: a Celery worker subprocess (prefork, concurrency 2) on Redis and this
test's PostgreSQL database, and a local aiosmtpd server that records what it receives.

The bound on duplicates follows from the outbox design (academy_portal/mail/services.py): a
task claims a batch (the rows queued in one transaction, or for single-email commits a flush
of due rows, up to OUTBOX_TASK_BATCH_SIZE) and sends them one by one over one connection,
recording each "sent" right after the server's 250. Rows of the batch not yet
sent at the kill were never delivered, so the sweep's requeue sends them once. Only a row
between "250" and its UPDATE can be delivered twice: at most one per worker process, so at
most `concurrency` duplicates, however big the batches are.
"""

import collections
import time

import pytest
from django.db import transaction

from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.tasks import sweep_outbox
from forums.models import Invitation
from forums.services import invite_expert, send_invitation, send_invitations
from tests.factories import EditionFactory, ExpertFactory, InstitutionFactory, UserFactory
from tests.support.fixtures import *  # noqa: F403  (pytest fixtures)
from tests.support.waiting import wait_for_idle_broker, wait_until

INVITATIONS = 500
CONCURRENCY = 2
TASK_BATCH_SIZE = 50
SENDING_TIMEOUT = 5  # seconds before the sweep takes back rows a dead worker held
KILL_AFTER = 150  # delivered messages seen before the SIGKILL


def queue_invitations(edition, *, count: int, staff) -> None:
    """Invite and send `count` experts along both paths the outbox knows: half in transactions
    of 50 (one task per transaction's rows), half one commit per invitation as the admin action
    "Send selected draft invitations" does (single-email commits share flush tasks)."""
    institution = InstitutionFactory()
    experts = [
        ExpertFactory(email=f"kill-test-{n}@experts.test", affiliation=institution)
        for n in range(count)
    ]
    half = count // 2
    for start in range(0, half, 50):
        with transaction.atomic():
            for expert in experts[start : min(start + 50, half)]:
                invitation, _ = invite_expert(edition, expert=expert, invited_by=staff)
                send_invitation(invitation, sent_by=staff)
    for expert in experts[half:]:
        invite_expert(edition, expert=expert, invited_by=staff)
    sent, problems = send_invitations(
        Invitation.objects.filter(edition=edition, status=Invitation.Status.DRAFT),
        sent_by=staff,
    )
    assert (sent, problems) == (count - half, [])


@pytest.mark.slow
def test_sigkilled_worker_loses_no_invitation_and_duplicates_at_most_one_per_process(
    default_email_templates, smtp_server, start_worker, broker
):
    started = time.monotonic()
    staff = UserFactory()
    edition = EditionFactory(capacity=INVITATIONS)
    queue_invitations(edition, count=INVITATIONS, staff=staff)
    print(f"\nqueued {INVITATIONS} invitations in {time.monotonic() - started:.1f}s")
    outbox = OutboxMessage.objects.filter(kind="invitation")
    assert outbox.count() == INVITATIONS
    assert not outbox.exclude(status=OutboxMessage.Status.QUEUED).exists()
    expected_ids = {str(pk) for pk in outbox.values_list("pk", flat=True)}
    expected_recipients = {f"kill-test-{n}@experts.test" for n in range(INVITATIONS)}

    env = {
        "OUTBOX_SENDING_TIMEOUT": str(SENDING_TIMEOUT),
        "OUTBOX_TASK_BATCH_SIZE": str(TASK_BATCH_SIZE),
    }
    first = start_worker(concurrency=CONCURRENCY, **env)
    first_started = time.monotonic()
    wait_until(
        lambda: smtp_server.count() >= KILL_AFTER,
        timeout=60,
        poll_interval=0.005,
        what=f"{KILL_AFTER} messages from the first worker",
    )
    first.kill()
    killed_at = time.monotonic()
    killed_wall_clock = time.time()
    received_at_kill = smtp_server.count()
    by_status = collections.Counter(outbox.values_list("status", flat=True))
    print(
        f"SIGKILL {killed_at - first_started:.2f}s after the worker started, "
        f"{received_at_kill} of {INVITATIONS} delivered; rows: {dict(by_status)}"
    )
    assert received_at_kill < INVITATIONS, "the worker finished before the kill: nothing tested"
    # The rows the dead worker held stay "sending" (never "sent" without a delivery) ...
    stuck = by_status[OutboxMessage.Status.SENDING]
    assert stuck <= CONCURRENCY * TASK_BATCH_SIZE
    assert by_status[OutboxMessage.Status.SENT] <= received_at_kill

    # ... until a new worker's sweep, after OUTBOX_SENDING_TIMEOUT, takes them back.
    start_worker(concurrency=CONCURRENCY, **env)

    def everything_sent() -> bool:
        if time.monotonic() - killed_at > SENDING_TIMEOUT:
            sweep_outbox.delay()  # what beat does every minute
        return not outbox.exclude(status=OutboxMessage.Status.SENT).exists()

    wait_until(everything_sent, timeout=90, poll_interval=1.5, what="every outbox row to be sent")
    # A straggler duplicate would come from a task still running: wait until the new worker
    # has finished every task (the dead worker's stay unacknowledged, hence `since`).
    wait_for_idle_broker(broker, timeout=60, since=killed_wall_clock)

    messages = smtp_server.messages
    received_ids = collections.Counter(m.outbox_id for m in messages)
    recipients = {rcpt for m in messages for rcpt in m.rcpt_tos}
    duplicates = len(messages) - len(received_ids)
    print(
        f"delivered {len(messages)} messages for {len(received_ids)} invitations; "
        f"{duplicates} duplicate(s) (bound: {CONCURRENCY}); {stuck} rows were stuck at the kill; "
        f"test took {time.monotonic() - started:.1f}s"
    )
    assert set(received_ids) == expected_ids, "an invitation email was lost"
    assert recipients == expected_recipients
    assert duplicates <= CONCURRENCY, {k: v for k, v in received_ids.items() if v > 1}
    # Every duplicate is a row the dead worker held, and it went out under one Message-ID.
    for outbox_id, times in received_ids.items():
        if times > 1:
            assert len({m.message_id for m in messages if m.outbox_id == outbox_id}) == 1
    assert Invitation.objects.filter(edition=edition, status=Invitation.Status.SENT).count() == (
        INVITATIONS
    )
    assert time.monotonic() - started < 180
