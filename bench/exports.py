#!/usr/bin/env python
"""Benchmark: the invitation export of one edition of N invitations, through a real gunicorn.

For each N (default 1,000, 10,000 and 200,000) and each format (CSV, .xlsx), a fresh gunicorn
(one sync worker, --timeout 60, as in the README's deployment) serves the admin action
"Export selected" with "select all" over the edition's filtered list, exactly as the browser
posts it (one ticked id, select_across=1). The script reads the whole response and prints:
rows in the file, seconds to the last byte, rows/s, seconds to the first byte, and the
worker's peak RSS (VmHWM from /proc: the most memory the worker process ever held) next to
its RSS before the request. A worker killed by gunicorn's timeout shows as FAILED.

The queries an export runs are counted in-process (CaptureQueriesContext), same code path.

Data (built once in the database, reused on the next run unless --rebuild): one forum with
three editions of 1,000, 10,000 and 200,000 invitations; 200,000 experts whose family names
come from a list of 14 Vietnamese family names (so most rows tie on the sort keys but the id).

    .venv/bin/python bench/exports.py [--database-url postgres://postgres@127.0.0.1:5432/h_exports]
        [--sizes 1000,10000,200000] [--formats csv,xlsx] [--port 8140] [--rebuild]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/h_exports"
FORUM_SLUG = "bench-exports"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
FAMILY += ["Bùi", "Đỗ", "Hồ", "Ngô"]
GIVEN = ["Văn An", "Thị Hồng Hạnh", "Hùng Sơn", "Đức Lương", "Thu Hà", "Minh Châu", "Quốc Bảo"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--sizes", default="1000,10000,200000")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--port", type=int, default=8140)
    parser.add_argument("--timeout", type=int, default=60, help="gunicorn --timeout")
    parser.add_argument("--rebuild", action="store_true", help="delete and rebuild the data")
    return parser.parse_args(argv)


def setup_django(args, var_dir: str) -> dict:
    env = {
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "academy_portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": "",
        "VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        # The bench signs its user in with force_login (no password, no authenticator code):
        # it measures exports, not the second factor.
        "STAFF_MFA_REQUIRED": "0",
    }
    os.environ.update(env)
    import django

    django.setup()
    return env


def build(sizes: list[int], rebuild: bool):
    """One forum, an edition per size; experts shared (an expert is invited once per edition)."""
    from django.contrib.auth import get_user_model

    from academy_portal.core import roles
    from experts.models import (
        Expert,
        expert_name_sort_key,
        expert_profile_search_text,
        expert_search_text,
    )
    from forums.models import Edition, Forum, Invitation, Session
    from tests.factories import EditionFactory, ForumFactory, SessionFactory, UserFactory

    def with_search_text(expert):
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
        return expert

    forum = Forum.objects.filter(slug=FORUM_SLUG).first()
    if forum and rebuild:
        Invitation.objects.filter(edition__forum=forum).delete()
        Session.objects.filter(edition__forum=forum).delete()
        Edition.objects.filter(forum=forum).delete()
        Expert.objects.filter(email__endswith="@bench.example").delete()
        forum.delete()
        forum = None
    if forum is None:
        forum = ForumFactory(slug=FORUM_SLUG, name="Bench Forum", short_name="BENCH")
    user = UserFactory(username="bench-coordinator", groups=[roles.FORUM_COORDINATORS])
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)

    needed = max(sizes)
    have = Expert.objects.filter(email__endswith="@bench.example").count()
    batch = 5000
    started = time.monotonic()
    for start in range(have, needed, batch):
        Expert.objects.bulk_create(
            with_search_text(
                Expert(
                    given_name=GIVEN[n % len(GIVEN)],
                    family_name=FAMILY[n % len(FAMILY)],
                    name_order=Expert.NameOrder.FAMILY_FIRST,
                    email=f"expert{n}@bench.example",
                )
            )
            for n in range(start, min(start + batch, needed))
        )
    expert_ids = list(
        Expert.objects.filter(email__endswith="@bench.example")
        .order_by("pk")
        .values_list("pk", flat=True)
    )[:needed]

    editions = {}
    for number, size in enumerate(sizes, start=1):
        edition = Edition.objects.filter(forum=forum, number=number).first()
        if edition is None:
            edition = EditionFactory(forum=forum, number=number)
        session = Session.objects.filter(edition=edition).first() or SessionFactory(edition=edition)
        existing = Invitation.objects.filter(edition=edition).count()
        if existing != size:
            Invitation.objects.filter(edition=edition).delete()
            through = Invitation.sessions_attending.through
            for start in range(0, size, batch):
                created = Invitation.objects.bulk_create(
                    Invitation(
                        edition=edition,
                        expert_id=expert_id,
                        status=Invitation.Status.ACCEPTED,
                        attendance="in_person",
                        passport_name=f"NGUYEN VAN {expert_id}",
                        passport_nationality="VN",
                        dietary_needs="Chay (vegetarian)" if expert_id % 5 == 0 else "",
                        needs_hotel=expert_id % 2 == 0,
                        needs_visa_letter=expert_id % 3 == 0,
                    )
                    for expert_id in expert_ids[start : min(start + batch, size)]
                )
                through.objects.bulk_create(
                    through(invitation_id=i.pk, session_id=session.pk) for i in created
                )
        editions[size] = edition
    print(f"data      ready in {time.monotonic() - started:.0f}s: editions {sorted(editions)}")
    return user, editions


def count_queries(user, edition, file_format) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from forums.models import Invitation
    from forums.resources import invitation_export_response

    with CaptureQueriesContext(connection) as queries:
        response = invitation_export_response(
            Invitation.objects.filter(edition=edition), user=user, file_format=file_format
        )
        for _ in response:
            pass
        response.close()
    return len(queries)


def session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class Gunicorn:
    def __init__(self, env: dict, port: int, timeout: int):
        self.port = port
        self.process = subprocess.Popen(
            [
                str(BASE_DIR / ".venv/bin/gunicorn"),
                "academy_portal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                str(timeout),
            ],
            cwd=BASE_DIR,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")

    def worker_pid(self) -> int:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return int(children.split()[0])

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        try:
            _, stderr = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, stderr = self.process.communicate()
        return stderr


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of `pid` in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    values = {
        k: int(v.split()[0]) / 1024 for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(.+)$", status, re.M)
    }
    return values["VmRSS"], values["VmHWM"]


def request(port, method, path, cookie, body=b"", headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request(method, path, body=body, headers={"Cookie": cookie, **(headers or {})})
    return connection, connection.getresponse()


def csv_rows(path: str) -> tuple[int, int]:
    """(rows, distinct emails) of an exported invitation CSV."""
    import csv

    with open(path, encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        email = next(reader).index("Email")
        emails = [row[email] for row in reader]
    return len(emails), len(set(emails))


def xlsx_rows(path: str) -> int:
    """Rows in the first sheet, counted in the zip stream (no workbook loaded)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
        rows = 0
        tail = b""
        with archive.open(name) as sheet:
            while chunk := sheet.read(1 << 20):
                data = tail + chunk
                rows += data.count(b"<row")
                tail = data[-3:]
                rows -= tail.count(b"<row")
        return rows


def measure(env, port, timeout, cookie_value, edition, ticked_id, file_format):
    from urllib.parse import urlencode

    server = Gunicorn(env, port, timeout)
    try:
        worker = server.worker_pid()
        csrf = secrets.token_hex(16)  # 32 characters: accepted as the unmasked secret
        cookie = f"sessionid={cookie_value}; csrftoken={csrf}"
        # Warm the worker (URLconf, admin, a database connection); its page needs no statics.
        warm_connection, warm = request(port, "GET", "/healthz", cookie)
        warm.read()
        warm_connection.close()
        rss_before, _ = memory_mb(worker)
        body = urlencode(
            {
                "csrfmiddlewaretoken": csrf,
                "action": f"export_{file_format}",
                "_selected_action": ticked_id,
                "index": 0,
                "select_across": 1,
            }
        ).encode()
        started = time.monotonic()
        connection, response = request(
            port,
            "POST",
            f"/admin/forums/invitation/?edition__id__exact={edition.pk}",
            cookie,
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/"},
        )
        first_byte = None
        size = lines = 0
        out = tempfile.NamedTemporaryFile(suffix=f".{file_format}", delete=False)  # noqa: SIM115
        try:
            while True:
                try:
                    chunk = response.read1(1 << 16)
                except (http.client.IncompleteRead, ConnectionError):
                    chunk = b""
                    lines = -1
                if not chunk:
                    break
                if first_byte is None:
                    first_byte = time.monotonic() - started
                size += len(chunk)
                if file_format == "csv":
                    lines += chunk.count(b"\n")
                out.write(chunk)
            seconds = time.monotonic() - started
            out.close()
            status = response.status
            connection.close()
            alive = server.process.poll() is None and Path(f"/proc/{worker}").exists()
            _, peak = memory_mb(worker) if alive else (0, 0)
            if file_format == "csv":
                rows, distinct = csv_rows(out.name)
            else:
                rows, distinct = xlsx_rows(out.name) - 1, None
        finally:
            os.unlink(out.name)
    finally:
        stderr = server.stop()
    failed = status != 200 or "WORKER TIMEOUT" in stderr or lines < 0
    failed = failed or (distinct is not None and distinct != rows)
    return {
        "status": status,
        "rows": rows,
        "seconds": seconds,
        "first_byte": first_byte or 0,
        "rss_before": rss_before,
        "peak": peak,
        "bytes": size,
        "distinct": distinct,
        "failed": failed,
        "stderr": stderr[-500:] if failed else "",
    }


def main(argv=None):
    args = parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = args.formats.split(",")
    var_dir = tempfile.mkdtemp(prefix="bench-exports-")
    env = setup_django(args, var_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    user, editions = build(sizes, args.rebuild)
    from forums.models import Invitation

    cookie = session_cookie(user)
    count_queries(user, editions[sizes[0]], "csv")  # warm caches (content types, permissions)
    load = os.getloadavg()[0]
    print(
        f"machine   {os.cpu_count()} cores, load average {load:.1f}; "
        f"gunicorn 1 sync worker, --timeout {args.timeout}"
    )
    print()
    print(
        "| invitations | format | rows in file | seconds | rows/s | first byte "
        "| peak RSS (worker) | RSS before | queries |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    results = []
    for size in sizes:
        edition = editions[size]
        ticked = Invitation.objects.filter(edition=edition).values_list("pk", flat=True).first()
        for file_format in formats:
            queries = (
                count_queries(user, edition, file_format)
                if size <= 10000 or file_format == "csv"
                else None
            )
            result = measure(env, args.port, args.timeout, cookie, edition, ticked, file_format)
            results.append(result)
            mark = " FAILED" if result["failed"] else ""
            print(
                f"| {size:,} | {file_format} | {result['rows']:,}{mark} "
                f"| {result['seconds']:.1f} | "
                f"{result['rows'] / result['seconds']:,.0f} | {result['first_byte']:.2f} s | "
                f"{result['peak']:.0f} MB | {result['rss_before']:.0f} MB | "
                f"{queries if queries is not None else '-'} |",
                flush=True,
            )
            if result["failed"]:
                print(result["stderr"])
    print()
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    ok = all(not r["failed"] for r in results) and all(
        r["rows"] == s for r, s in zip(results, [s for s in sizes for _ in formats], strict=True)
    )
    print(
        "RESULT",
        "every export complete with N rows (CSV: N distinct invitations)" if ok else "FAILED",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
