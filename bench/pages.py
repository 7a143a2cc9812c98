#!/usr/bin/env python
"""Benchmark: the expert-facing pages against a bare Django "hello" app, side by side, in one run.

Both apps run under gunicorn (2 sync workers, DEBUG off) on loopback; wrk loads them in turn,
hello first in every round, and each page's rate is printed with its ratio to hello's in the
same round (the median over the rounds). The pages: the RSVP page from the demo's link (GET),
the answer to it (POST, a real change of answer every time), the signed-in expert's /me/, the
staff sign-in page, the expert's code sign-in page and /healthz. Their queries per request are
counted in-process (CaptureQueriesContext, through Django's test client).

Real services only: PostgreSQL (the database in DATABASE_URL is DROPPED and re-created, then
migrated and loaded with `load_demo`) and Redis (REDIS_URL's db is FLUSHED before and after).
The hello app is made by `django-admin startproject` in a temporary folder at each run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pages \\
    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/pages.py [--duration 5] [--rounds 3]

Goals (issue 10): RSVP GET, /me/ and the sign-in pages >= 25% of hello, the answer (POST)
>= 10%, /healthz >= 50%, and at most 6 queries for each page.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

# bench/ is on sys.path as this script's folder: the scratch database helpers of the invitation
# bench, so that both benches create and drop databases the same way.
from invitations import drop_database, flush_redis, recreate_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_pages"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
VENV_BIN = BASE_DIR / ".venv" / "bin"
# What the reverse proxy in front of the portal adds (README, Deployment): TLS ended there.
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.10"}
GOALS = {"get": 0.25, "post": 0.10, "healthz": 0.50}
MAX_QUERIES = 6

HELLO_URLS = """\
from django.http import HttpResponse
from django.urls import path


def hello(request):
    return HttpResponse("hello")


urlpatterns = [path("", hello)]
"""

# wrk, one connection per thread: request() and response() of a thread alternate, so the
# thread knows which invitation an answer was for and keeps its version (the form's hidden
# field; a stale one is a 409). Each answer changes the previous one (accepted <-> declined),
# so every POST really writes; a 409 page carries the current version, which is taken over.
POST_LUA = """\
local next_id = 0
local threads = {}

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local path, nthreads = args[1], tonumber(args[2])
  mine, counts, position = {}, {}, 0
  local index = 0
  for line in io.lines(path) do
    local url, version, answer = line:match("^(%S+) (%d+) (%S+)$")
    if index % nthreads == id then
      table.insert(mine, {url = url, version = tonumber(version), answer = answer})
    end
    index = index + 1
  end
  headers = {}
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["X-Forwarded-Proto"] = "https"
  headers["X-Forwarded-For"] = "198.51.100.10"
end

function request()
  position = position % #mine + 1
  current = mine[position]
  local body = "answer=" .. current.answer .. "&version=" .. current.version
    .. "&attendance=in_person&privacy_consent=on&chatham_house_acknowledged=on"
  return wrk.format("POST", current.url, headers, body)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status == 302 then
    current.version = current.version + 1
    if current.answer == "accepted" then current.answer = "declined"
    else current.answer = "accepted" end
  elseif status == 409 then
    local version = body:match('name="version" value="(%d+)"')
    if version then current.version = tonumber(version) end
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, status .. "=" .. n) end
  io.write("STATUSES " .. table.concat(parts, " ") .. "\\n")
end
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        help="PostgreSQL; DROPPED and re-created (default: $DATABASE_URL, else bench_pages)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        help="a db number of its own: it is FLUSHED (default: $REDIS_URL, else db 14)",
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per page")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="wrk -t for the GETs")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c (POST: -t as well)")
    parser.add_argument("--port", type=int, default=8320, help="hello's; the portal's is +1")
    parser.add_argument("--only", default="", help="comma-separated page keys to measure")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also print where N in-process requests of each page spend their time (cProfile)",
    )
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    return parser.parse_args(argv)


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit(
            "wrk is needed (the load generator): on Debian/Ubuntu `sudo apt-get install wrk`"
        )
    return wrk


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ----------------------------------------------------------------------------- the two apps


def portal_env(args, workdir: Path) -> dict:
    """Production settings (DEBUG off), on the bench's database and Redis, behind a "proxy"."""
    return {
        "DJANGO_SETTINGS_MODULE": "academy_portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "USE_X_FORWARDED_PROTO": "1",
        "USE_X_FORWARDED_FOR": "1",
        "VAR_DIR": str(workdir / "var"),
        "STATIC_ROOT": str(workdir / "static"),
        "LOG_LEVEL": "WARNING",
        # The limiter still counts every answer; only its threshold is out of the way, since
        # the bench answers each of a few invitations hundreds of times a minute.
        "RSVP_RATE_LIMIT_PER_LINK": "100000000",
        "RSVP_RATE_LIMIT_PER_ADDRESS": "100000000",
    }


def prepare_portal(env: dict) -> str:
    """Migrate, collect static files and load the demo; returns the demo's RSVP link path."""
    run_env = {**os.environ, **env}
    manage = [str(VENV_BIN / "python"), "manage.py"]
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(manage + command, cwd=BASE_DIR, env=run_env, check=True, capture_output=True)
    demo = subprocess.run(
        [*manage, "load_demo", "--force"],
        cwd=BASE_DIR,
        env=run_env,
        check=True,
        capture_output=True,
        text=True,
    )
    found = re.search(r"https?://\S+?(/rsvp/\S+/)", demo.stdout)
    if not found:
        raise SystemExit("load_demo printed no RSVP link:\n" + demo.stdout)
    return found.group(1)


def make_hello(workdir: Path) -> Path:
    """`django-admin startproject hello`, DEBUG off, plus one view returning "hello"."""
    folder = workdir / "hello"
    folder.mkdir()
    subprocess.run(
        [str(VENV_BIN / "django-admin"), "startproject", "hello", str(folder)], check=True
    )
    settings_file = folder / "hello" / "settings.py"
    text = settings_file.read_text()
    text = text.replace("DEBUG = True", "DEBUG = False")
    text = text.replace("ALLOWED_HOSTS = []", 'ALLOWED_HOSTS = ["127.0.0.1"]')
    settings_file.write_text(text)
    (folder / "hello" / "urls.py").write_text(HELLO_URLS)
    return folder


class Gunicorn:
    """`gunicorn <module>.wsgi --workers 2` on 127.0.0.1:<port>, started and awaited."""

    def __init__(self, module: str, cwd: Path, env: dict, port: int, probe: str):
        self.port = port
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                f"{module}.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            cwd=cwd,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = fetch(port, probe)
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn {module} did not answer on port {port}")

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            _, stderr = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, stderr = self.process.communicate()
        return stderr or ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(port: int, path: str, headers: dict | None = None) -> tuple[int, str]:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


# ----------------------------------------------------------------------------- in-process


@dataclass
class Page:
    key: str
    label: str
    goal: str  # a key of GOALS
    path: str = ""
    cookie: str = ""
    expect: str = ""  # text the page must contain (checked once through gunicorn)
    queries: int | None = None
    cpu_ms: float = 0.0
    rates: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def setup_django(env: dict) -> None:
    os.environ.update(env)
    import django

    django.setup()


def expert_session(invitation_token_path: str) -> tuple[str, str]:
    """A signed-in session of the demo link's expert: (session cookie, the expert's name).

    Signing in by emailed code ends with allauth marking the address verified and logging the
    user in; the bench does both directly (force_login), as it measures pages, not sign-in."""
    from allauth.account.models import EmailAddress
    from django.db import transaction
    from django.test import Client

    from experts.services import ensure_expert_user
    from forums.services import find_invitation_by_token

    token = invitation_token_path.removeprefix("/rsvp/").rstrip("/")
    expert = find_invitation_by_token(token).expert
    with transaction.atomic():
        user = ensure_expert_user(email=expert.email)
        EmailAddress.objects.filter(user=user, email__iexact=expert.email).update(verified=True)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies["sessionid"].value, expert.family_name


def answer_pool(exclude_path: str) -> list[str]:
    """Fresh links for the demo's answerable invitations other than the GET page's own."""
    from django.contrib.auth import get_user_model

    from forums import services
    from forums.models import Invitation

    token = exclude_path.removeprefix("/rsvp/").rstrip("/")
    shown = services.find_invitation_by_token(token)
    staff = get_user_model().objects.filter(is_superuser=True).first()
    paths = []
    invitations = Invitation.objects.filter(edition=shown.edition).exclude(pk=shown.pk)
    for invitation in invitations.order_by("pk"):
        if invitation.is_answerable:
            paths.append(f"/rsvp/{services.reissue_token(invitation, issued_by=staff)}/")
    return paths


def write_answer_state(paths: list[str], data_file: Path) -> None:
    """One line per link: its path, its invitation's version and the answer that changes it."""
    from forums.models import Invitation
    from forums.services import find_invitation_by_token

    lines = []
    for path in paths:
        invitation = find_invitation_by_token(path.removeprefix("/rsvp/").rstrip("/"))
        answer = "declined" if invitation.status == Invitation.Status.ACCEPTED else "accepted"
        lines.append(f"{path} {invitation.version} {answer}")
    data_file.write_text("\n".join(lines) + "\n")


def count_queries(page: Page, post_path: str, repeat: int = 30) -> tuple[int, float]:
    """Queries of one request, the second (the first warms per-process caches), and the CPU
    milliseconds of this process per request over `repeat` more (Django's test client, no
    HTTP server: a figure that depends less on what else the machine runs than req/s)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    request = _client_request(page, post_path)
    request()
    with CaptureQueriesContext(connection) as captured:
        status = request()
    if status >= 400:
        raise SystemExit(f"{page.label}: in-process request answered {status}")
    queries = len(captured)  # now: each request's start empties the connection's query log
    started = time.process_time()
    for _ in range(repeat):
        request()
    return queries, (time.process_time() - started) * 1000 / repeat


def _client_request(page: Page, post_path: str):
    from django.test import Client

    from forums.models import Invitation
    from forums.services import find_invitation_by_token

    client = Client(headers=PROXY_HEADERS)
    if page.cookie:
        client.cookies["sessionid"] = page.cookie
    if page.key != "post":
        return lambda: client.get(page.path).status_code

    def answer():
        invitation = find_invitation_by_token(post_path.removeprefix("/rsvp/").rstrip("/"))
        accepted = invitation.status == Invitation.Status.ACCEPTED
        data = {
            "answer": "declined" if accepted else "accepted",
            "version": invitation.version,
            "attendance": "in_person",
            "privacy_consent": "on",
            "chatham_house_acknowledged": "on",
        }
        return client.post(post_path, data).status_code

    return answer


def profile(page: Page, post_path: str, n: int) -> None:
    request = _client_request(page, post_path)
    request()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        request()
    profiler.disable()
    print(f"\n--- profile: {page.label}, {n} requests in-process ---")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(30)


# ----------------------------------------------------------------------------- wrk


def run_wrk(wrk: str, args, port: int, page: Page, lua: Path | None, data: Path | None):
    """(req/s, error texts) of one wrk run against `page` on `port`."""
    if page.key == "post":
        threads = connections = args.connections
    else:
        threads, connections = args.threads, args.connections
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{args.duration}s", "--timeout", "10s"]
    if page.key == "post":
        command += ["-s", str(lua), f"http://127.0.0.1:{port}/", "--", str(data), str(threads)]
    else:
        headers = dict(PROXY_HEADERS)
        if page.cookie:
            headers["Cookie"] = f"sessionid={page.cookie}"
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command.append(f"http://127.0.0.1:{port}{page.path}")
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    errors = []
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        errors.append(f"{non_2xx.group(1)} non-2xx/3xx")
    sockets = re.search(r"Socket errors: (.+)", out)
    if sockets:
        errors.append(f"socket errors: {sockets.group(1)}")
    statuses = re.search(r"STATUSES (.*)", out)
    if statuses:
        bad = [part for part in statuses.group(1).split() if not part.startswith(("2", "3"))]
        if bad:
            errors.append("statuses " + " ".join(bad))
    return rate, errors


# ----------------------------------------------------------------------------- main


def main(argv=None) -> int:
    args = parse_args(argv)
    wrk = require_wrk()
    hello_port, portal_port = args.port, args.port + 1
    for port in (hello_port, portal_port):
        if not port_free(port):
            raise SystemExit(f"port {port} is in use (--port picks another pair)")
    print(f"load average at the start: {load_average()} ({os.cpu_count()} CPUs)")
    print(f"database  {args.database_url} (dropped and re-created); redis {args.redis_url}")

    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        workdir = Path(tmp)
        env = portal_env(args, workdir)
        recreate_database(args.database_url)
        flush_redis(args.redis_url)
        started = time.monotonic()
        rsvp_path = prepare_portal(env)
        print(f"setup     migrate, collectstatic, load_demo: {time.monotonic() - started:.0f}s")
        setup_django(env)
        cookie, expert_name = expert_session(rsvp_path)
        post_paths = answer_pool(rsvp_path)
        data_file = workdir / "answers.txt"
        lua_file = workdir / "answer.lua"
        lua_file.write_text(POST_LUA)

        hello = Page("hello", "hello (bare Django)", "", "/", expect="hello")
        pages = [
            Page("rsvp", "RSVP page (GET)", "get", rsvp_path, expect='name="answer"'),
            Page("me", "/me/ (signed in)", "get", "/me/", cookie, expect=expert_name),
            Page("login", "/accounts/login/", "get", "/accounts/login/", expect='name="login"'),
            Page("code", "/accounts/login/code/", "get", "/accounts/login/code/", expect="email"),
            Page("post", "RSVP answer (POST)", "post", post_paths[0]),
            Page("healthz", "/healthz", "healthz", "/healthz", expect='"status": "ok"'),
        ]
        if args.only:
            keep = set(args.only.split(","))
            pages = [page for page in pages if page.key in keep]
        print(f"answers   {len(post_paths)} invitations answered in turn (accepted <-> declined)")

        for page in pages:
            page.queries, page.cpu_ms = count_queries(page, post_paths[0])
            if args.profile:
                profile(page, post_paths[0], args.profile)

        servers = []
        try:
            hello_env = {"DJANGO_SETTINGS_MODULE": "hello.settings"}
            servers.append(Gunicorn("hello", make_hello(workdir), hello_env, hello_port, "/"))
            servers.append(Gunicorn("academy_portal", BASE_DIR, env, portal_port, "/healthz"))
            for page in [hello, *pages]:
                if page.key == "post":
                    continue
                port = hello_port if page is hello else portal_port
                headers = {**PROXY_HEADERS, "Cookie": f"sessionid={page.cookie}"}
                status, body = fetch(port, page.path, headers if page.cookie else PROXY_HEADERS)
                if status != 200 or page.expect not in body:
                    raise SystemExit(f"{page.label}: {status}, without {page.expect!r}")
            command = f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s"
            print(f"load      {command} per page (POST: -t{args.connections}), hello first")
            for round_number in range(1, args.rounds + 1):
                before = load_average()
                hello_rate, hello_errors = run_wrk(wrk, args, hello_port, hello, None, None)
                hello.rates.append(hello_rate)
                hello.errors += hello_errors
                line = [f"hello {hello_rate:.0f}"]
                for page in pages:
                    if page.key == "post":
                        write_answer_state(post_paths, data_file)
                    rate, errors = run_wrk(wrk, args, portal_port, page, lua_file, data_file)
                    page.rates.append(rate)
                    page.ratios.append(rate / hello_rate)
                    page.errors += errors
                    line.append(f"{page.key} {rate:.0f}")
                print(
                    f"round {round_number}   req/s: {', '.join(line)}"
                    f"  [load {before} -> {load_average()}]"
                )
        finally:
            for server in reversed(servers):
                stderr = server.stop()
                if "Traceback" in stderr:
                    print(stderr[-3000:])

        print_table(hello, pages)
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            drop_database(args.database_url)
        flush_redis(args.redis_url)
    print(f"load average at the end: {load_average()}")
    missed = [page for page in pages if not met(page)]
    return 1 if missed else 0


def met(page: Page) -> bool:
    ratio_ok = statistics.median(page.ratios) >= GOALS[page.goal]
    queries_ok = page.key == "post" or (page.queries or 0) <= MAX_QUERIES
    return ratio_ok and queries_ok and not page.errors


def print_table(hello: Page, pages: list[Page]) -> None:
    rows = [("page", "req/s", "ratio", "goal", "queries", "CPU ms", "errors", "")]
    hello_rate = f"{statistics.median(hello.rates):,.0f}"
    rows.append((hello.label, hello_rate, "100%", "", "", "", "", ""))
    for page in pages:
        rows.append(
            (
                page.label,
                f"{statistics.median(page.rates):,.0f}",
                f"{statistics.median(page.ratios):.1%}",
                f">= {GOALS[page.goal]:.0%}",
                str(page.queries),
                f"{page.cpu_ms:.1f}",
                "; ".join(page.errors) or "0",
                "MET" if met(page) else "MISSED",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print("\nmedian over the rounds (ratio: to hello in the same round):")
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)))
    print(
        textwrap.dedent(f"""\
        queries: one in-process request after a warm-up (goal <= {MAX_QUERIES} for the GETs);
        CPU ms: this process's CPU time per in-process request (test client, 30 requests)""")
    )


if __name__ == "__main__":
    sys.exit(main())
