#!/usr/bin/env python
"""Benchmark: staff pages and background jobs over a large academy, at two scales side by side.

For each scale (default 0.1 and 1: at 1, 20,000 experts, 200 editions, 200,000 invitations
with their history, 2,000 institutions, 5,000 MOUs, 50,000 outbox rows) it builds its own
PostgreSQL database (dropped and re-created: `<database>_<scale>`), migrated, with
`manage.py load_demo --scale N`, then, in a child process on that database:

- every admin changelist of the portal's models (default view, a search, each filter's first
  choice), the change pages of an edition, an expert, an invitation, an institution and an
  MOU, the staff home, the partner history page and the invitation exports (CSV, .xlsx of one
  edition, "select all"), through Django's test client signed in as the administrator (and as
  the forum coordinator for the forum pages, whose pages differ): queries and p50 / max
  milliseconds over --runs runs after one warm-up;
- expert searches by a diacritic-free name and by an expertise (goal < 100 ms);
- the hourly invitation chores and the daily MOU expiry check: rows due, rows the database
  examined for them (EXPLAIN ANALYZE of every SELECT, in a rolled-back first pass), time,
  then the same job once more (nothing left due).

The parent prints one table: queries at each scale (goal: equal) and the times at the largest
(goal: < 300 ms a page, < 10 s a job).

    .venv/bin/python bench/scale.py [--scales 0.1,1] [--runs 5] [--keep-db] [--reuse]
        [--database-url postgres://postgres@127.0.0.1:5432/h_scale_bench]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/h_scale_bench"
PAGE_GOAL_MS, SEARCH_GOAL_MS, JOB_GOAL_S = 300, 100, 10
PORTAL_APPS = {"core", "mail", "experts", "forums", "partners"}
SEARCH_TERMS = {
    "experts.expert": "nguyen van",
    "forums.invitation": "tran thi",
    "forums.sessionrole": "nguyen",
    "partners.institution": "vien nghien cuu",
    "partners.contact": "office",
    "mail.outboxmessage": "expert1",
    "core.accesslog": "admin",
}
EXPERT_SEARCHES = {
    "name, no diacritics": "tran van",
    "expertise alias": "UNCLOS",
    "expertise, Vietnamese folded": "luat bien",
    "expertise name": "maritime security",
}
COORDINATOR_MODELS = {"forums.invitation", "forums.edition", "experts.expert"}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("SCALE_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--scales", default="0.1,1")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep-db", action="store_true", help="keep the databases at the end")
    parser.add_argument("--reuse", action="store_true", help="reuse databases already built")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # output file of a measuring child
    return parser.parse_args(argv)


def scale_url(url: str, scale: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_" + scale.replace(".", "_")
    return urlunsplit(parts._replace(path="/" + name))


def environment(database_url: str, var_dir: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "academy_portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "REDIS_URL": "",
        "VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        # force_login: the bench measures pages, not the second factor.
        "STAFF_MFA_REQUIRED": "0",
    }


def psql_admin(database_url: str, sql: str) -> None:
    import psycopg2

    parts = urlsplit(database_url)
    connection = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname="postgres"
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


def database_exists(database_url: str) -> bool:
    import psycopg2

    try:
        psycopg2.connect(database_url).close()
    except psycopg2.OperationalError:
        return False
    return True


def build(database_url: str, scale: str, env: dict, reuse: bool) -> float | None:
    """Create, migrate and fill the database; the seconds load_demo --scale took."""
    name = urlsplit(database_url).path.lstrip("/")
    if reuse and database_exists(database_url):
        return None
    psql_admin(database_url, f'DROP DATABASE IF EXISTS "{name}"')
    psql_admin(database_url, f'CREATE DATABASE "{name}"')
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    started = time.monotonic()
    subprocess.run(
        [*manage, "load_demo", "--force", "--scale", scale],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - started


# --- the child: measures one database ------------------------------------------------------


def timed(client, method: str, url: str, data=None):
    """(queries, ms, status) of one request, the response read to its last byte."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.post(url, data) if method == "POST" else client.get(url)
        if response.streaming:
            for _ in response.streaming_content:
                pass
        else:
            _ = response.content
        elapsed = (time.perf_counter() - started) * 1000
        response.close()
    return len(queries), elapsed, response.status_code


def measure_page(client, runs: int, label: str, role: str, method: str, url: str, data=None):
    timed(client, method, url, data)  # warm-up: caches, the planner, the page's templates
    results = [timed(client, method, url, data) for _ in range(runs)]
    times = [ms for _, ms, _ in results]
    return {
        "page": label,
        "role": role,
        "url": url,
        "queries": max(q for q, _, _ in results),
        "p50": statistics.median(times),
        "max": max(times),
        "status": results[-1][2],
    }


def first_filter_choices(client, url: str):
    """(filter title, query string) of each sidebar filter's first choice that is not "All"."""
    response = client.get(url)
    context = getattr(response, "context_data", None) or {}
    changelist = context.get("cl")
    if changelist is None:
        return []
    found = []
    for spec in changelist.filter_specs:
        for choice in spec.choices(changelist):
            if not choice.get("selected") and choice.get("query_string") not in ("?", ""):
                found.append((str(spec.title), choice["query_string"]))
                break
    return found


def page_plan(admin_user, coordinator):
    """(label, role, method, url, data) of every page measured."""
    from django.contrib import admin
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from experts.models import Expert
    from forums.models import Edition, Invitation
    from partners.models import MOU, Institution

    probe = Client()
    probe.force_login(admin_user)
    pages = [("staff home", "admin", "GET", reverse("admin:index"), None)]
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower
    ):
        meta = model._meta
        if meta.app_label not in PORTAL_APPS:
            continue
        label = meta.label_lower
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        opened = probe.get(url)
        if opened.status_code == 302:
            # A singleton's list (the letter settings) opens its one page: measure that page.
            pages.append((f"{label} (its one page)", "admin", "GET", opened["Location"], None))
            continue
        roles = ["admin", "coordinator"] if label in COORDINATOR_MODELS else ["admin"]
        for role in roles:
            pages.append((f"{label} list", role, "GET", url, None))
        if model_admin.search_fields:
            term = SEARCH_TERMS.get(label, "regional")
            pages.append((f"{label} search {term!r}", "admin", "GET", f"{url}?q={term}", None))
        for title, query in first_filter_choices(probe, url):
            pages.append((f"{label} filter {title}", "admin", "GET", f"{url}{query}", None))

    expert_list = reverse("admin:experts_expert_changelist")
    for what, term in EXPERT_SEARCHES.items():
        pages.append(
            (f"expert search: {what} {term!r}", "admin", "GET", f"{expert_list}?q={term}", None)
        )

    # The upcoming edition with the most invitations: the one a coordinator works on.
    edition = Edition.objects.upcoming().annotate(n=Count("invitations")).order_by("-n", "pk")[0]
    expert = (
        Expert.objects.filter(affiliation__isnull=False)
        .annotate(n=Count("invitations"))
        .order_by("-n", "pk")
        .first()
    )
    invitation = (
        Invitation.objects.filter(edition=edition)
        .annotate(n=Count("events"))
        .order_by("-n")
        .first()
    )
    institution = Institution.objects.annotate(n=Count("experts")).order_by("-n", "pk").first()
    mou = MOU.objects.order_by("pk").last()

    def change(label, name, pk, roles=("admin",)):
        for role in roles:
            pages.append((label, role, "GET", reverse(name, args=[pk]), None))

    both = ("admin", "coordinator")
    change("edition change", "admin:forums_edition_change", edition.pk, both)
    change("expert change", "admin:experts_expert_change", expert.pk, both)
    change("invitation change", "admin:forums_invitation_change", invitation.pk)
    change("institution change", "admin:partners_institution_change", institution.pk)
    change("MOU change", "admin:partners_mou_change", mou.pk)
    change("partner history", "partners:institution_history", institution.pk)

    invitation_list = reverse("admin:forums_invitation_changelist")
    one = Invitation.objects.filter(edition=edition).values_list("pk", flat=True).first()
    for file_format in ("csv", "xlsx"):
        for role in ("admin", "coordinator"):
            pages.append(
                (
                    f"invitation export {file_format} (upcoming edition, all rows)",
                    role,
                    "POST",
                    f"{invitation_list}?edition__id__exact={edition.pk}",
                    {
                        "action": f"export_{file_format}",
                        "select_across": "1",
                        "index": "0",
                        "_selected_action": [str(one)],
                    },
                )
            )
    return pages


def rows_examined(plan_json) -> int:
    """Rows every scan node of an EXPLAIN ANALYZE plan read, filtered-out rows included."""
    total = 0

    def walk(node):
        nonlocal total
        if "Relation Name" in node:
            loops = node.get("Actual Loops", 1)
            read = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
            total += (read + node.get("Rows Removed by Index Recheck", 0)) * loops
        for child in node.get("Plans", []):
            walk(child)

    for entry in plan_json:
        walk(entry["Plan"])
    return total


def measure_job(label: str, job, due_of):
    """A rolled-back pass counting rows examined, then two real runs (due work, then none)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    examined = {"rows": 0, "selects": 0}

    def explain(execute, sql, params, many, context):
        if not many and sql.lstrip().upper().startswith("SELECT"):
            cursor = context["cursor"]
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            examined["rows"] += rows_examined(plan if isinstance(plan, list) else json.loads(plan))
            examined["selects"] += 1
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(explain):
        job()
        transaction.set_rollback(True)
    results = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            outcome = job()
            seconds = time.perf_counter() - started
        results.append({"due": due_of(outcome), "seconds": seconds, "queries": len(queries)})
    return {"job": label, "examined": examined["rows"], "runs": results}


def jobs():
    from forums.services import reminders
    from partners import services as partner_services

    return [
        ("expire unanswered invitations (hourly)", reminders.expire_unanswered_invitations, int),
        ("send due reminders (hourly)", reminders.send_due_reminders, int),
        ("mark expired MOUs (daily)", partner_services.mark_expired_mous, len),
        ("notify expiring MOUs (daily)", partner_services.notify_expiring_mous, len),
    ]


def child(out_path: str, runs: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from experts.models import Expert
    from forums.models import Invitation
    from partners.models import MOU

    staff = get_user_model().objects.filter(username__in=["admin", "coordinator"])
    users = {user.username: user for user in staff}
    clients = {}
    for role, user in (("admin", users["admin"]), ("coordinator", users["coordinator"])):
        clients[role] = Client()
        clients[role].force_login(user)
    pages = []
    for label, role, method, url, data in page_plan(users["admin"], users["coordinator"]):
        pages.append(measure_page(clients[role], runs, label, role, method, url, data))
    sizes = {
        "experts": Expert.objects.count(),
        "invitations": Invitation.objects.count(),
        "MOUs": MOU.objects.count(),
    }
    job_results = [measure_job(label, job, due) for label, job, due in jobs()]
    Path(out_path).write_text(json.dumps({"pages": pages, "jobs": job_results, "sizes": sizes}))


# --- the parent: builds, runs the children, prints the table --------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        child(args.child, args.runs)
        return 0
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as var_dir:
        # DEBUG off: pages name the hashed static files, so they must be collected.
        subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), "collectstatic", "--noinput", "-v0"],
            env=environment(scale_url(args.database_url, scales[0]), var_dir),
            check=True,
        )
        for scale in scales:
            url = scale_url(args.database_url, scale)
            env = environment(url, var_dir)
            seconds = build(url, scale, env, args.reuse)
            built = f"built in {seconds:.0f}s" if seconds is not None else "reused"
            out = Path(var_dir) / f"result-{scale}.json"
            started = time.monotonic()
            subprocess.run(
                [sys.executable, __file__, "--child", str(out), "--runs", str(args.runs)],
                env=env,
                check=True,
            )
            results[scale] = json.loads(out.read_text())
            sizes = ", ".join(f"{n} {k}" for k, n in results[scale]["sizes"].items())
            took = time.monotonic() - started
            print(f"scale {scale}: {sizes}; data {built}, measured in {took:.0f}s")
            if not args.keep_db:
                name = urlsplit(url).path.lstrip("/")
                psql_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    report(scales, results)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def report(scales, results) -> None:
    large = scales[-1]
    by_key = {s: {(p["page"], p["role"]): p for p in results[s]["pages"]} for s in scales}
    print()
    head = f"{'page':<62} {'role':<11} " + " ".join(f"{'q@' + s:>7}" for s in scales)
    print(f"{head} {'p50 ms':>8} {'max ms':>8}  verdict")
    failures = 0
    for key, page in by_key[large].items():
        counts = [by_key[s].get(key, {}).get("queries", "-") for s in scales]
        goal = SEARCH_GOAL_MS if page["page"].startswith("expert search") else PAGE_GOAL_MS
        problems = []
        if len(set(counts)) > 1:
            problems.append("queries grow")
        if page["max"] >= goal:
            problems.append(f">= {goal} ms")
        if page["status"] not in (200,):
            problems.append(f"HTTP {page['status']}")
        failures += bool(problems)
        verdict = "ok" if not problems else "; ".join(problems)
        label = page["page"][:62]
        cells = " ".join(f"{c:>7}" for c in counts)
        times = f"{page['p50']:>8.0f} {page['max']:>8.0f}"
        print(f"{label:<62} {page['role']:<11} {cells} {times}  {verdict}")
    print()
    title = f"background job (scale {large})"
    columns = f"{'due':>6} {'examined':>9} {'queries':>8} {'seconds':>8}"
    print(f"{title:<42} {columns}   again: due, s")
    for job in results[large]["jobs"]:
        first, again = job["runs"]
        ok = first["seconds"] < JOB_GOAL_S and again["seconds"] < JOB_GOAL_S
        print(
            f"{job['job']:<42} {first['due']:>6} {job['examined']:>9} {first['queries']:>8} "
            f"{first['seconds']:>8.2f}   {again['due']}, {again['seconds']:.2f}"
            f"  {'ok' if ok else f'>= {JOB_GOAL_S} s'}"
        )
        failures += not ok
    print(f"\nRESULT {'all goals met' if not failures else f'{failures} rows miss a goal'}")


if __name__ == "__main__":
    sys.exit(main())
