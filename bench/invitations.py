#!/usr/bin/env python
"""Benchmark: N invitations for one edition, from "send" to the SMTP server's 250, for real.

Real services only: PostgreSQL (a scratch database this script creates, migrates and drops),
Redis (a dedicated db number, flushed before and after), a Celery worker subprocess
(prefork, --concurrency 2) and a local aiosmtpd server in its own process.

Phases, each timed:
  1. invite   N experts (imported in bulk) are invited with `invite_expert`.
  2. send     `send_invitations` (what the admin action "Send selected draft invitations"
              runs) issues the links and queues N outbox rows; the worker is not running
              yet, so the tasks wait in Redis.
  3. plain    the SMTP server's own intake: one smtplib connection sending N messages of
              the size of a real invitation email (the ceiling for any sender).
  4. deliver  the worker starts; time from "worker ready" until all N invitation emails
              were accepted by the SMTP server (distinct X-Outbox-Id), then per-task timings.

Target (docs: bench/README.md): deliver 5,000 in < 60 s on a 2-core machine, and at least a
third of the plain loop's rate.

    .venv/bin/python bench/invitations.py [--n 5000] [--database-url ...] [--redis-url ...]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from tests.support.smtp import free_port  # noqa: E402
from tests.support.worker import CeleryWorker  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_invitations"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
TASK_LINE = re.compile(r"Task (\S+)\[[^\]]+\] succeeded in ([0-9.]+)s: (.*)$", re.MULTILINE)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="invitations (default 5000)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--redis-url", default=DEFAULT_REDIS_URL, help="a db number of its own: it is flushed"
    )
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600, help="give up delivering after")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--no-compare-batching",
        dest="compare_batching",
        action="store_false",
        help="skip the in-process comparison of one-row and 50-row deliveries",
    )
    parser.add_argument(
        "--one-transaction",
        action="store_true",
        help="what-if: run the send phase in one transaction, so the outbox hands workers "
        "tasks of OUTBOX_TASK_BATCH_SIZE rows instead of one task per invitation",
    )
    parser.add_argument(
        "--profile-deliver",
        action="store_true",
        help="print where an in-process 50-row delivery spends its time",
    )
    parser.add_argument(
        "--profile-send", action="store_true", help="print where the send phase spends its time"
    )
    return parser.parse_args(argv)


# ----------------------------------------------------------------------------- services


def admin_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres"))


def db_name(database_url: str) -> str:
    name = urlsplit(database_url).path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"refusing an unusual database name: {name!r}")
    return name


def recreate_database(database_url: str) -> None:
    import psycopg2

    name = db_name(database_url)
    conn = psycopg2.connect(admin_url(database_url))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def drop_database(database_url: str) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_url(database_url))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{db_name(database_url)}" WITH (FORCE)')
    conn.close()


def flush_redis(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()


class SMTPServerProcess:
    """tests/support/smtp.py in its own process, logging one JSON line per message."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.log_path = workdir / "smtp.jsonl"
        self.log_path.touch()
        self._offset = 0
        self._lines = 0
        self.outbox_ids: set[str] = set()
        self.total_with_id = 0
        self.last_arrival = 0.0

    def start(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.smtp",
                "--port",
                str(self.port),
                "--log",
                str(self.log_path),
            ],
            cwd=BASE_DIR,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        if "listening" not in line:
            raise SystemExit(f"SMTP server did not start: {line!r}")
        return self

    def poll(self) -> None:
        """Read the new log lines (the server appends whole lines)."""
        with self.log_path.open("rb") as log:
            log.seek(self._offset)
            data = log.read()
        end = data.rfind(b"\n") + 1
        self._offset += end
        for raw in data[:end].splitlines():
            record = json.loads(raw)
            self._lines += 1
            if record["outbox_id"]:
                self.total_with_id += 1
                self.outbox_ids.add(record["outbox_id"])
                self.last_arrival = max(self.last_arrival, record["t"])

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


# ----------------------------------------------------------------------------- phases


def setup_django(args, *, smtp_port: int, workdir: Path) -> dict[str, str]:
    env = {
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "VAR_DIR": str(workdir / "var"),
        "DJANGO_SETTINGS_MODULE": "academy_portal.settings",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return env


def create_experts(n: int):
    from experts.models import (
        Expert,
        expert_name_sort_key,
        expert_profile_search_text,
        expert_search_text,
    )
    from partners.models import Institution

    institution = Institution.objects.create(
        name="Bench Institute of Maritime Studies", country="SG", city="Singapore"
    )
    experts = []
    for i in range(n):
        expert = Expert(
            honorific="Dr.",
            given_name=f"Expert{i}",
            family_name="Bench",
            email=f"bench-expert-{i}@experts.test",
            country="AU",
            affiliation=institution,
            preferred_language="vi" if i % 3 == 0 else "en",
        )
        # bulk_create skips save(): the search and sort columns by the model's own formulas.
        expert.search_text = expert_search_text(
            full_name=expert.full_name,
            given_name=expert.given_name,
            family_name=expert.family_name,
            email=expert.email,
        )
        expert.profile_search_text = expert_profile_search_text(
            position=expert.position, affiliation_text=expert.affiliation_text
        )
        expert.name_sort_key = expert_name_sort_key(
            family_name=expert.family_name, given_name=expert.given_name
        )
        experts.append(expert)
    # A bulk import, as the experts import would do: not what this bench measures.
    return Expert.objects.bulk_create(experts, batch_size=1000)


def timed(label: str, func, *args, **kwargs):
    started = time.perf_counter()
    result = func(*args, **kwargs)
    elapsed = time.perf_counter() - started
    return result, elapsed


def plain_smtp_loop(port: int, sample: bytes, n: int) -> float:
    """Seconds for one smtplib connection to hand the server n messages like `sample`."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for i in range(n):
            client.sendmail("portal@localhost", [f"plain-{i}@experts.test"], sample)
    return time.perf_counter() - started


def compare_batching(rows, *, size: int, profile: bool = False) -> None:
    """Where delivery time goes: the same rows sent in-process as one-row tasks do and as
    one 50-row batch does (the rows are re-queued first; the server just gets them again)."""
    from academy_portal.mail.models import OutboxMessage
    from academy_portal.mail.services import send_outbox_message, send_outbox_messages

    ids = list(rows.order_by("id").values_list("pk", flat=True)[: 2 * size])
    OutboxMessage.objects.filter(pk__in=ids).update(
        status=OutboxMessage.Status.QUEUED, sent_at=None, attempts=0, claim_token=None
    )
    single, batched = ids[:size], ids[size:]
    started = time.perf_counter()
    for pk in single:
        assert send_outbox_message(message_id=pk)
    single_ms = (time.perf_counter() - started) * 1000 / len(single)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    for start in range(0, len(batched), 50):
        assert len(send_outbox_messages(message_ids=batched[start : start + 50])) == len(
            batched[start : start + 50]
        )
    batch_ms = (time.perf_counter() - started) * 1000 / len(batched)
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    print(
        f"  compare   in-process, one process: one row per call {single_ms:.1f} ms/msg; "
        f"50 rows per call {batch_ms:.1f} ms/msg ({len(single)} + {len(batched)} rows)"
    )


def worker_task_stats(log_text: str) -> dict[str, object]:
    per_task: dict[str, list[float]] = {}
    for match in TASK_LINE.finditer(log_text):
        per_task.setdefault(match.group(1).rsplit(".", 1)[-1], []).append(float(match.group(2)))
    return {
        name: {
            "tasks": len(times),
            "total_s": round(sum(times), 2),
            "mean_ms": round(statistics.mean(times) * 1000, 1),
            "max_ms": round(max(times) * 1000, 1),
        }
        for name, times in per_task.items()
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench-invitations-"))
    smtp = SMTPServerProcess(workdir)
    worker = None
    recreate_database(args.database_url)
    flush_redis(args.redis_url)
    try:
        smtp.start()
        env = setup_django(args, smtp_port=smtp.port, workdir=workdir)
        from django.contrib.auth import get_user_model
        from django.db import connections, transaction
        from django.db.models import Count

        from academy_portal.mail.models import OutboxMessage
        from academy_portal.mail.services import build_email
        from forums.models import Edition, Forum, Invitation
        from forums.services import invite_expert, send_invitations

        n = args.n
        print(f"load average (1, 5, 15 min) at the start: {os.getloadavg()}")
        print(
            f"Benchmark: {n} invitations, worker concurrency {args.concurrency}, "
            f"{os.cpu_count()} CPUs"
        )
        staff = get_user_model().objects.create_user("bench-staff", "staff@academy.test", "x")
        import datetime as dt

        from django.utils import timezone

        today = timezone.localdate()
        forum = Forum.objects.create(
            name="Bench Ocean Dialogue",
            short_name="BOD",
            slug="bench-od",
            organising_unit="east_sea",
        )
        edition = Edition.objects.create(
            forum=forum,
            number=12,
            title="The 12th Ocean Dialogue",
            start_date=today + dt.timedelta(days=60),
            end_date=today + dt.timedelta(days=61),
            city="Hà Nội",
            venue="Diplomatic Academy",
            status=Edition.Status.INVITATIONS_OPEN,
            capacity=n,
            rsvp_deadline=today + dt.timedelta(days=40),
        )
        experts, elapsed = timed("experts", create_experts, n)
        print(f"  setup     {n} experts bulk-created in {elapsed:.1f}s (not measured)")

        def invite_all():
            for expert in experts:
                invite_expert(edition, expert=expert, invited_by=staff)

        _, invite_s = timed("invite", invite_all)
        print(f"  invite    {n} x invite_expert: {invite_s:.1f}s ({n / invite_s:.0f}/s)")

        profiler = None
        if args.profile_send:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()

        def send_all():
            invitations = Invitation.objects.filter(edition=edition).select_related("edition")
            if not args.one_transaction:
                return send_invitations(invitations, sent_by=staff)
            with transaction.atomic():
                return send_invitations(invitations, sent_by=staff)

        (sent, problems), send_s = timed("send", send_all)
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        assert sent == n and not problems, (sent, problems[:3])
        rows = OutboxMessage.objects.filter(kind="invitation")
        assert rows.count() == n
        print(
            f"  send      send_invitations (the admin action)"
            f"{' in ONE transaction' if args.one_transaction else ''}: {send_s:.1f}s "
            f"({n / send_s:.0f}/s) -> {rows.count()} outbox rows queued"
        )

        # The plain loop sends an invitation email as built by the outbox, minus its id.
        sample = build_email(rows.order_by("id").first()).message()
        del sample["X-Outbox-Id"]
        sample_bytes = sample.as_bytes(linesep="\r\n")  # as the SMTP backend sends it
        plain_s = plain_smtp_loop(smtp.port, sample_bytes, n)
        plain_rate = n / plain_s
        print(
            f"  plain     smtplib, 1 connection, {n} x {len(sample_bytes)} bytes: "
            f"{plain_s:.1f}s = {plain_rate:.0f} msg/s"
        )
        connections.close_all()

        worker = CeleryWorker(
            # INFO: the worker logs each task's duration, which the summary below reads.
            env={**env, "LOG_LEVEL": "INFO"},
            log_path=workdir / "worker.log",
            concurrency=args.concurrency,
        ).start(wait_ready=60)
        ready = time.time()
        deadline = time.monotonic() + args.timeout
        while len(smtp.outbox_ids) < n and time.monotonic() < deadline:
            time.sleep(0.2)
            smtp.poll()
        deliver_s = smtp.last_arrival - ready
        delivered = len(smtp.outbox_ids)
        worker.stop()
        worker_log = worker.log_text()
        worker = None
        deliver_rate = delivered / deliver_s if deliver_s > 0 else 0.0
        print(
            f"  deliver   worker ready -> {delivered} of {n} accepted by SMTP: {deliver_s:.1f}s "
            f"= {deliver_rate:.0f} msg/s ({smtp.total_with_id - delivered} duplicates)"
        )
        stats = worker_task_stats(worker_log)
        busy = sum(task["total_s"] for task in stats.values())
        print(
            f"  worker    {json.dumps(stats)}; busy {busy:.1f}s of "
            f"{args.concurrency} x {deliver_s:.1f}s = {busy / (args.concurrency * deliver_s):.0%}"
        )
        by_status = dict(
            OutboxMessage.objects.values_list("status").annotate(c=Count("id")).order_by()
        )
        print(f"  outbox    rows by status: {by_status}")
        ratio = deliver_rate / plain_rate
        print()
        print(f"RESULT delivered {delivered}/{n} in {deliver_s:.1f}s ({deliver_rate:.0f} msg/s)")
        print(f"RESULT plain smtplib loop {plain_rate:.0f} msg/s; ratio {ratio:.2f}")
        ok_time = delivered == n and deliver_s < 60 * n / 5000
        ok_ratio = ratio >= 1 / 3
        print(
            f"RESULT target: {n} in < {60 * n / 5000:.0f}s {'MET' if ok_time else 'MISSED'}; "
            f"ratio >= 0.33 {'MET' if ok_ratio else 'MISSED'}"
        )
        if args.compare_batching:
            compare_batching(rows, size=min(n // 2, 250), profile=args.profile_deliver)
        print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")
        connections.close_all()
        return 0 if delivered == n else 1
    finally:
        if worker is not None:
            worker.stop()
        smtp.stop()
        flush_redis(args.redis_url)
        shutil.rmtree(workdir, ignore_errors=True)
        if not args.keep_db:
            drop_database(args.database_url)


if __name__ == "__main__":
    sys.exit(main())
