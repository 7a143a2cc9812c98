"""Load that holds: experts answering while staff send invitations and import partners, through
nginx with TLS, on PostgreSQL and Redis; optionally with a Celery worker killed and Redis
restarted midway. On loopback only; bounded (a fixed number of users and requests).

    .venv/bin/python bench/load.py                 # 500 experts, 2,000 invitations, 5,000 rows
    .venv/bin/python bench/load.py --faults        # the same, killing a worker and restarting Redis
    .venv/bin/python bench/load.py --experts 100 --invitations 300 --rows 1000   # a quick run

What runs, all real and all started here (and stopped at the end): its own PostgreSQL database
(--database-url, dropped and re-created), its own redis-server on a spare port (so restarting it
disturbs nobody else), a local SMTP server recording every message, 2 Celery workers and one
beat, gunicorn with 2 workers, and nginx with a throwaway certificate in front
(deploy/nginx/academy-portal.conf, as deploy/check uses it).

The load, within --duration seconds: N experts arrive evenly, each opens the personal link,
accepts, and opens it again; meanwhile a coordinator signs in and sends M draft invitations with
the admin action, and an officer signs in, uploads an R-row partner CSV (the preview) and
confirms it. With --faults, a worker is killed (SIGKILL) at 35% of the duration and never
restarted, and Redis is shut down at 50% and started again 3 s later (with no data: every task
waiting in it is lost; the outbox sweep must find the emails again).

Then it waits for the outbox to drain and prints, per page, requests, errors, p50/p95/p99, and
the verdict: errors, lost answers (invitations not accepted), emails queued vs received by the
SMTP server, duplicates (an outbox id received twice), imported rows.
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(BASE_DIR), str(BASE_DIR / "bench"), str(BASE_DIR / "deploy")]

import import_partners as import_bench  # noqa: E402
import invitations as invitation_bench  # noqa: E402
from verify import CSRF_INPUT, VERSION_INPUT, Client  # noqa: E402

from tests.support.smtp import free_port  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--invitations", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--threads", type=int, default=24, help="concurrent expert browsers")
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_load")
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    return parser.parse_args(argv)


class Timings:
    """Latency per page, and every error with what it was."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    def call(self, page: str, fn, *, ok=(200,)):
        started = time.perf_counter()
        try:
            status, headers, content = fn()
        except Exception as exc:  # a refused or reset connection is an error, not a crash
            with self.lock:
                self.errors.append(f"{page}: {type(exc).__name__}: {exc}")
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.samples[page].append(elapsed)
            if status not in ok:
                self.errors.append(f"{page}: HTTP {status}")
        return status, headers, content

    def table(self) -> str:
        lines = [f"  {'page':<28} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"]
        for page, values in sorted(self.samples.items()):
            ordered = sorted(values)
            q = statistics.quantiles(ordered, n=100) if len(ordered) > 1 else ordered * 99
            lines.append(
                f"  {page:<28} {len(ordered):>6} {q[49] * 1000:>8.0f} {q[94] * 1000:>8.0f} "
                f"{q[98] * 1000:>8.0f} {ordered[-1] * 1000:>8.0f}"
            )
        return "\n".join(lines)


class Stack:
    """Every process of the installation, started and stopped here."""

    def __init__(self, workdir: Path, args):
        self.workdir, self.args = workdir, args
        self.processes: dict[str, subprocess.Popen] = {}
        self.redis_port = free_port()
        self.app_port, self.http_port, self.https_port = free_port(), free_port(), free_port()
        self.https = f"https://localhost:{self.https_port}"
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.nginx = shutil.which("nginx") or "/usr/sbin/nginx"

    def start_redis(self):
        self.processes["redis"] = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port),
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True
                ).stdout.strip()
                == b"PONG"
            ):
                return
            time.sleep(0.05)
        raise SystemExit("redis-server did not start")

    def restart_redis(self, pause: float = 3.0):
        subprocess.run(["redis-cli", "-p", str(self.redis_port), "shutdown", "nosave"],
                       capture_output=True)  # fmt: skip
        self.processes["redis"].wait(timeout=10)
        time.sleep(pause)
        self.start_redis()

    def spawn(self, name: str, args: list[str], env: dict[str, str]):
        log = (self.workdir / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(
            args, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )

    def start_nginx(self):
        cert, key = self.workdir / "cert.pem", self.workdir / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        site = (BASE_DIR / "deploy/nginx/academy-portal.conf").read_text()
        for name, value in {
            "SERVER_NAME": "localhost",
            "HTTP_PORT": f"127.0.0.1:{self.http_port}",
            "HTTPS_PORT": f"127.0.0.1:{self.https_port}",
            "TLS_CERT": str(cert),
            "TLS_KEY": str(key),
            "UPSTREAMS": f"server 127.0.0.1:{self.app_port};",
            "NGINX_DIR": str(BASE_DIR / "deploy/nginx"),
            "HTTPS_REDIRECT_PORT": f":{self.https_port}",
        }.items():
            site = site.replace(f"@{name}@", value)
        (self.workdir / "site.conf").write_text(site)
        (self.workdir / "tmp").mkdir()
        user = "user root;" if os.geteuid() == 0 else ""
        w = self.workdir
        (w / "nginx.conf").write_text(
            f"{user}\nworker_processes 2;\npid {w}/nginx.pid;\nerror_log {w}/nginx-error.log;\n"
            "events { worker_connections 1024; }\nhttp {\n  include /etc/nginx/mime.types;\n"
            f"  access_log off;\n  client_body_temp_path {w}/tmp/body;\n"
            f"  proxy_temp_path {w}/tmp/proxy;\n  fastcgi_temp_path {w}/tmp/fcgi;\n"
            f"  uwsgi_temp_path {w}/tmp/uwsgi;\n  scgi_temp_path {w}/tmp/scgi;\n"
            f"  include {w}/site.conf;\n}}\n"
        )
        subprocess.run([self.nginx, "-p", str(w), "-c", str(w / "nginx.conf")], check=True)

    def stop(self):
        if (self.workdir / "nginx.pid").exists():
            subprocess.run(
                [self.nginx, "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf"),
                 "-s", "stop"],
                capture_output=True,
            )  # fmt: skip
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def sign_in(client: Client, timings: Timings, username: str, password: str) -> bool:
    page = timings.call("sign-in GET", lambda: client.request("GET", "/accounts/login/"))
    if not page:
        return False
    token = CSRF_INPUT.search(page[2].decode()).group(1)
    done = timings.call(
        "sign-in POST",
        lambda: client.form_post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "login": username, "password": password},
        ),
        ok=(302,),
    )
    return bool(done and done[0] == 302)


def expert_visit(base: str, ca: str, path: str, timings: Timings, *, index: int):
    # Each expert from an address of their own (127.0.0.0/8 is all loopback), as on the
    # internet: the per-address rate limit of the RSVP page is not what is measured.
    client = Client(base, ca=ca, source=f"127.0.{1 + index // 250}.{2 + index % 250}")
    page = timings.call("RSVP GET", lambda: client.request("GET", path))
    if not page:
        return
    found = VERSION_INPUT.search(page[2].decode())
    if not found:
        timings.errors.append("RSVP GET: no form on the page")
        return
    fields = {
        "answer": "accepted",
        "attendance": "in_person",
        "privacy_consent": "on",
        "chatham_house_acknowledged": "on",
        "version": found.group(1),
    }
    timings.call("RSVP POST (answer)", lambda: client.form_post(path, fields), ok=(302, 303))
    timings.call("RSVP GET (after)", lambda: client.request("GET", path))


def coordinator_sends(base, ca, timings, password, draft_ids, result):
    client = Client(base, ca=ca)
    if not sign_in(client, timings, "bench-coordinator", password):
        result["coordinator"] = "could not sign in"
        return
    listing = timings.call(
        "invitations changelist",
        lambda: client.request("GET", "/admin/forums/invitation/?status__exact=draft"),
    )
    token = CSRF_INPUT.search(listing[2].decode()).group(1)
    fields = {
        "csrfmiddlewaretoken": token,
        "action": "send_selected",
        "index": "0",
        "_selected_action": [str(pk) for pk in draft_ids],
    }
    sent = timings.call(
        "send invitations (action)",
        lambda: client.form_post("/admin/forums/invitation/", fields),
        ok=(302,),
    )
    result["coordinator"] = f"action answered {sent[0] if sent else 'no response'}"


def officer_imports(base, ca, timings, password, csv_bytes, result):
    client = Client(base, ca=ca)
    if not sign_in(client, timings, "bench-officer", password):
        result["officer"] = "could not sign in"
        return
    upload_path = "/admin/partners/partnerimport/upload/"
    form = timings.call("import upload form", lambda: client.request("GET", upload_path))
    token = CSRF_INPUT.search(form[2].decode()).group(1)
    body, content_type = multipart(
        {"csrfmiddlewaretoken": token, "file_format": ""},
        {"file": ("partners.csv", csv_bytes, "text/csv")},
    )
    preview = timings.call(
        "import preview (upload)",
        lambda: client.request(
            "POST", upload_path, body=body,
            headers={"Content-Type": content_type, "Referer": client.base + upload_path},
        ),
    )  # fmt: skip
    html = preview[2].decode() if preview else ""
    confirm = re.search(r'action="([^"]*/confirm/)"', html)
    if not confirm:
        result["officer"] = "the preview offered no confirm button"
        return
    token = CSRF_INPUT.search(html).group(1)
    done = timings.call(
        "import confirm",
        lambda: client.form_post(confirm.group(1), {"csrfmiddlewaretoken": token}),
        ok=(302,),
    )
    result["officer"] = f"confirm answered {done[0] if done else 'no response'}"


def prepare(args, stack: Stack, env: dict[str, str], password: str):
    """Data as the academy would have it, built in this process before the load starts."""
    os.environ.update(env)
    import django

    django.setup()
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from academy_portal.core import roles
    from forums.models import Edition, Forum, Invitation
    from forums.services import invite_expert, send_invitations
    from forums.services.emails import rsvp_url
    from forums.services.tokens import current_raw_token

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    users = get_user_model().objects
    coordinator = users.create_user("bench-coordinator", "coord@academy.test", password,
                                    is_staff=True)  # fmt: skip
    coordinator.groups.add(Group.objects.get(name=roles.FORUM_COORDINATORS))
    officer = users.create_user("bench-officer", "officer@academy.test", password, is_staff=True)
    officer.groups.add(Group.objects.get(name=roles.PARTNERSHIPS_OFFICERS))
    today = timezone.localdate()
    forum = Forum.objects.create(name="Bench Mekong Forum", short_name="BMF", slug="bench-mf",
                                 organising_unit="east_sea")  # fmt: skip
    edition = Edition.objects.create(
        forum=forum, number=9, title="The 9th Mekong Forum",
        start_date=today + dt.timedelta(days=60), end_date=today + dt.timedelta(days=61),
        city="Hà Nội", venue="Diplomatic Academy", status=Edition.Status.INVITATIONS_OPEN,
        rsvp_deadline=today + dt.timedelta(days=40),
    )  # fmt: skip
    experts = invitation_bench.create_experts(args.experts + args.invitations)
    answering = [invite_expert(edition, expert=e, invited_by=coordinator)[0]
                 for e in experts[: args.experts]]  # fmt: skip
    sent, problems = send_invitations(
        Invitation.objects.filter(pk__in=[i.pk for i in answering]), sent_by=coordinator
    )
    assert sent == args.experts and not problems, problems[:3]
    drafts = [invite_expert(edition, expert=e, invited_by=coordinator)[0].pk
              for e in experts[args.experts :]]  # fmt: skip
    paths = [
        rsvp_url(current_raw_token(invitation)).removeprefix(stack.https)
        for invitation in Invitation.objects.filter(pk__in=[i.pk for i in answering])
    ]
    from django.db import connections

    connections.close_all()
    return edition.pk, paths, drafts


def outcome(edition_id: int) -> dict:
    from django.db import connections
    from django.db.models import Count

    from academy_portal.mail.models import OutboxMessage
    from forums.models import Invitation
    from partners.models import MOU

    connections.close_all()
    statuses = dict(
        Invitation.objects.filter(edition_id=edition_id).values_list("status")
        .annotate(n=Count("pk")).values_list("status", "n")
    )  # fmt: skip
    mail = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("pk")))
    return {"statuses": statuses, "mail": mail, "mous": MOU.objects.count()}


def main(argv=None) -> int:
    args = parse_args(argv)
    for program in ("redis-server", "redis-cli", "openssl"):
        if not shutil.which(program):
            raise SystemExit(f"{program} is missing")
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        raise SystemExit("nginx is missing: apt-get install nginx-light")
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    stack = Stack(workdir, args)
    smtp = invitation_bench.SMTPServerProcess(workdir)
    password = secrets.token_urlsafe(16)
    invitation_bench.recreate_database(args.database_url)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DJANGO_SETTINGS_MODULE": "academy_portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "SITE_URL": stack.https,
        "CSRF_TRUSTED_ORIGINS": stack.https,
        "USE_X_FORWARDED_PROTO": "1",
        "USE_X_FORWARDED_FOR": "1",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": stack.redis_url,
        "VAR_DIR": str(workdir / "var"),
        "STATIC_ROOT": str(workdir / "static"),
        "STAFF_MFA_REQUIRED": "0",
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        # A worker killed mid-send leaves rows "sending": the sweep takes them back after this.
        "OUTBOX_SENDING_TIMEOUT": "30",
    }
    timings, result = Timings(), {}
    print(f"load average at the start: {os.getloadavg()}; {os.cpu_count()} CPUs")
    try:
        stack.start_redis()
        smtp.start()
        env["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp.port}"
        started = time.perf_counter()
        edition_id, paths, drafts = prepare(args, stack, env, password)
        print(f"setup: {len(paths)} invited experts with links, {len(drafts)} drafts, "
              f"{time.perf_counter() - started:.0f} s (not measured)")  # fmt: skip
        csv_bytes = import_bench.to_csv(import_bench.generate(args.rows))
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "academy_portal"]
        for n in (1, 2):
            stack.spawn(f"worker{n}", [*celery, "worker", "--concurrency", "1", "-n",
                        f"w{n}@%h", "--loglevel", "WARNING"], env)  # fmt: skip
        stack.spawn("beat", [*celery, "beat", "--loglevel", "WARNING",
                    "-s", str(workdir / "beat-schedule")], env)  # fmt: skip
        stack.spawn("gunicorn", [python, "-m", "gunicorn", "academy_portal.wsgi", "--bind",
                    f"127.0.0.1:{stack.app_port}", "--workers", "2", "--timeout", "60"],
                    env)  # fmt: skip
        stack.start_nginx()
        probe = Client(stack.https, ca=str(workdir / "cert.pem"))
        for _ in range(200):
            try:
                if probe.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)

        ca = str(workdir / "cert.pem")
        load_started = time.perf_counter()
        staff = [
            threading.Thread(target=coordinator_sends,
                             args=(stack.https, ca, timings, password, drafts, result)),
            threading.Thread(target=officer_imports,
                             args=(stack.https, ca, timings, password, csv_bytes, result)),
        ]  # fmt: skip
        fault_log: list[str] = []

        def faults():
            time.sleep(args.duration * 0.35)
            stack.processes["worker1"].send_signal(signal.SIGKILL)
            fault_log.append(f"{time.perf_counter() - load_started:.0f} s: worker 1 killed")
            time.sleep(args.duration * 0.15)
            stack.restart_redis()
            fault_log.append(
                f"{time.perf_counter() - load_started:.0f} s: Redis shut down, restarted empty"
            )

        fault_thread = threading.Thread(target=faults) if args.faults else None
        queue = list(enumerate(paths))
        queue_lock = threading.Lock()
        spread = args.duration * 0.8 / max(1, len(paths))

        def expert_browser():
            while True:
                with queue_lock:
                    if not queue:
                        return
                    index, path = queue.pop(0)
                delay = load_started + index * spread - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                expert_visit(stack.https, ca, path, timings, index=index)

        browsers = [threading.Thread(target=expert_browser) for _ in range(args.threads)]
        for thread in [*browsers, *staff, *([fault_thread] if fault_thread else [])]:
            thread.start()
        for thread in [*browsers, *staff]:
            thread.join()
        load_seconds = time.perf_counter() - load_started
        if fault_thread:
            fault_thread.join()

        # Drain: every email the outbox holds must reach the SMTP server, exactly once.
        deadline = time.monotonic() + args.drain_timeout
        while True:
            smtp.poll()
            state = outcome(edition_id)
            pending = sum(state["mail"].get(s, 0) for s in ("queued", "sending"))
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(2)
        drained_after = time.perf_counter() - load_started
        smtp.poll()
    finally:
        stack.stop()
        if smtp.__dict__.get("process"):
            smtp.stop()

    statuses, mail = state["statuses"], state["mail"]
    accepted = statuses.get("accepted", 0)
    invited_total = args.experts + args.invitations
    sent_rows = mail.get("sent", 0)
    duplicates = smtp.total_with_id - len(smtp.outbox_ids)
    print(f"\nload: {len(paths)} experts over {load_seconds:.0f} s"
          f"{' with faults: ' + '; '.join(fault_log) if args.faults else ''}")  # fmt: skip
    print(f"staff: coordinator {result.get('coordinator')}; officer {result.get('officer')}")
    print(timings.table())
    print(f"\n  errors            {len(timings.errors)}"
          + (f"  (first: {timings.errors[:5]})" if timings.errors else ""))  # fmt: skip
    print(f"  answers           {accepted}/{len(paths)} accepted; lost {len(paths) - accepted}")
    print(f"  invitations       {statuses}")
    print(f"  emails            outbox {mail}; SMTP received {len(smtp.outbox_ids)} distinct, "
          f"{duplicates} duplicates; drained {drained_after:.0f} s after the start")  # fmt: skip
    print(f"  partner import    {state['mous']} MOUs from {args.rows} rows")
    sent_invites = invited_total - statuses.get("draft", 0)
    ok = (
        not timings.errors
        and accepted == len(paths)
        and sent_invites == invited_total
        and sent_rows == len(smtp.outbox_ids)
        and not mail.get("queued")
        and not mail.get("sending")
        and not mail.get("failed")
        and duplicates == 0
        and state["mous"] > 0
    )
    print(
        f"\nRESULT {'PASS' if ok else 'FAIL'}: 0 errors, 0 lost answers, every email delivered "
        "once, every invitation sent, the import done"
        if ok
        else "\nRESULT FAIL"
    )
    invitation_bench.drop_database(args.database_url)
    shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
