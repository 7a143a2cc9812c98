"""Screenshots and axe-core results of every page issue 9 ("Everyday use") names, for its closing
note: at 1366 px and 390 px, in English and Vietnamese, on the demo data.

It runs the portal found at --root (this checkout, or a `git worktree` of an older commit for
the "before" pictures) on a fresh SQLite database of its own, with the demo loaded, then walks
the pages in Debian's chromium and writes, into --out:

  <page>-<language>-<width>.png   the page (full length, cut at MAX_HEIGHT px)
  axe-results.json                every violation axe-core found, per page, width and language
  axe-summary.md                  a table: page, width, language, critical/serious/moderate/minor
                                  violations (axe rules), and whether the page scrolls sideways

    make screenshots-issue9                      # this checkout -> var/screenshots/issue-9/after
    python -m tests.screenshots.issue9 --root /path/to/old/checkout --out var/... --port 8312

Nothing it writes goes into the tree unless --out points there. Not a test: pytest does not
collect it (the browser tests check the pages; this only pictures them).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

from tests.conftest import CHROMIUM_ARGS, CHROMIUM_PATH
from tests.partners.officer_file import officer_csv
from tests.support.browser import run_axe

WIDTHS = {1366: 768, 390: 844}
LANGUAGES = ("en", "vi")
MAX_HEIGHT = 4000
IMPACTS = ("critical", "serious", "moderate", "minor")
PAGES = (
    "expert-search",
    "remind-now",
    "edition",
    "expert-participation",
    "staff-home-viewer",
    "rsvp",
    "rsvp-failed-submit",
    "me",
    "import-preview",
    "partner-history",
)
TITLES = {
    "expert-search": "Expert search: “UNCLOS” with the expertise filter",
    "remind-now": "Remind now (the confirmation page, where there is one)",
    "edition": "Edition change page",
    "expert-participation": "Expert change page (participation history)",
    "staff-home-viewer": "Staff home as a viewer",
    "rsvp": "RSVP page",
    "rsvp-failed-submit": "RSVP page after a failed submit",
    "me": "/me/ (the expert's own page)",
    "import-preview": "Partner import preview (an officer's Vietnamese file)",
    "partner-history": "Partner history page",
}

# Run inside the portal under --root (manage.py shell): sessions for each role and the expert,
# and the ids of the rows the pages show. Only models and services both old and new have.
FIND_ROWS = r"""
import json
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test import Client
from academy_portal.demo.data import EAST_SEA
from experts.models import Expert, ExpertiseArea
from forums import services
from forums.models import Edition, Invitation
from partners.models import Institution

User = get_user_model()
edition = Edition.objects.get(forum__slug=EAST_SEA, number=15)
pending = Invitation.objects.filter(edition=edition).pending().order_by("pk").first()
token = services.reissue_token(pending, issued_by=None)
expert = pending.expert
user = User.objects.filter(email__iexact=expert.email).first()
if user is None:
    user = User.objects.create(username=f"expert-{expert.pk}", email=expert.email)
    user.set_unusable_password()
    user.save()
EmailAddress.objects.get_or_create(
    user=user, email=expert.email, defaults={"verified": True, "primary": True}
)

def session(account):
    client = Client()
    client.force_login(account)
    return client.cookies[settings.SESSION_COOKIE_NAME].value

busy = Expert.objects.annotate(n=Count("invitations")).order_by("-n", "pk").first()
partner = (
    Institution.objects.annotate(n=Count("experts", distinct=True) + Count("mous", distinct=True))
    .order_by("-n", "pk")
    .first()
)
print("ROWS=" + json.dumps({
    "cookie": settings.SESSION_COOKIE_NAME,
    "sessions": {
        name: session(User.objects.get(username=name))
        for name in ("viewer", "coordinator", "partnerships")
    } | {"expert": session(user)},
    "token": token,
    "edition": edition.pk,
    "expert": busy.pk,
    "area": ExpertiseArea.objects.get(name__icontains="law of the sea").pk,
    "institution": partner.pk,
}))
"""


def portal_env(var_dir: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DEBUG="1",
        VAR_DIR=str(var_dir),
        SITE_URL=f"http://127.0.0.1:{port}",
        STAFF_MFA_REQUIRED="0",
        CELERY_TASK_ALWAYS_EAGER="1",
        DJANGO_SETTINGS_MODULE="academy_portal.settings",
    )
    return env


def python_of(root: Path) -> str:
    python = root / ".venv" / "bin" / "python"
    return str(python if python.exists() else sys.executable)


def manage(root: Path, env: dict, *args: str) -> str:
    done = subprocess.run(
        [python_of(root), "manage.py", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args[:1])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def wait_for_port(port: int, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit("the portal did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answers on port {port}")


class Walk:
    """One language at one width: a browser context per role, each page shot and checked."""

    def __init__(self, browser, base, rows, out, language, width):
        self.browser, self.base, self.rows, self.out = browser, base, rows, out
        self.language, self.width = language, width
        self.results: dict[str, list[dict]] = {}
        self.wide: dict[str, bool] = {}

    def context(self, role: str | None):
        context = self.browser.new_context(
            viewport={"width": self.width, "height": WIDTHS[self.width]},
            locale=self.language,
            extra_http_headers={"Accept-Language": self.language},
            bypass_csp=True,  # to inject axe-core; the pages have no inline code to let through
            timezone_id="Asia/Ho_Chi_Minh",  # the academy's, as the server's TIME_ZONE
        )
        context.set_default_timeout(30_000)
        cookies = [{"name": "django_language", "value": self.language, "url": self.base}]
        if role:
            session = self.rows["sessions"][role]
            cookies.append({"name": self.rows["cookie"], "value": session, "url": self.base})
        context.add_cookies(cookies)
        return context

    def shoot(self, page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        self.results[name] = run_axe(page)
        # Sideways scrolling of the whole page (a table scrolling in its own box is not).
        self.wide[name] = page.evaluate("document.documentElement.scrollWidth") > self.width
        height = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(
            path=str(self.out / f"{name}-{self.language}-{self.width}.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": self.width, "height": min(height, MAX_HEIGHT)},
        )

    def run(self, import_file: Path) -> dict[str, list[dict]]:
        rows, base = self.rows, self.base
        with closing(self.context("coordinator")) as context:
            page = context.new_page()
            page.goto(
                f"{base}/admin/experts/expert/?q=UNCLOS&expertise_areas__id__exact={rows['area']}"
            )
            self.shoot(page, "expert-search")
            page.goto(f"{base}/admin/forums/invitation/?edition__id__exact={rows['edition']}")
            page.check("#action-toggle")
            page.select_option("select[name=action]", "remind_selected")
            page.click("#changelist-form button[name=index]")
            self.shoot(page, "remind-now")
            page.goto(f"{base}/admin/forums/edition/{rows['edition']}/change/")
            self.shoot(page, "edition")
            page.goto(f"{base}/admin/experts/expert/{rows['expert']}/change/")
            self.shoot(page, "expert-participation")
        with closing(self.context("viewer")) as context:
            page = context.new_page()
            page.goto(f"{base}/admin/")
            self.shoot(page, "staff-home-viewer")
        with closing(self.context(None)) as context:
            page = context.new_page()
            page.goto(f"{base}/rsvp/{rows['token']}/")
            self.shoot(page, "rsvp")
            page.click("form:has([name=answer]) [type=submit]")
            self.shoot(page, "rsvp-failed-submit")
        with closing(self.context("expert")) as context:
            page = context.new_page()
            page.goto(f"{base}/me/")
            self.shoot(page, "me")
        with closing(self.context("partnerships")) as context:
            page = context.new_page()
            page.goto(f"{base}/admin/partners/partnerimport/upload/")
            page.set_input_files("#id_file", str(import_file))
            page.click(".partner-import-form [type=submit]")
            self.shoot(page, "import-preview")
            page.goto(f"{base}/staff/partners/{rows['institution']}/history/")
            self.shoot(page, "partner-history")
        return self.results


def summary_table(results: dict, wide: dict) -> str:
    lines = [
        "| Page | Width | Language | Critical | Serious | Moderate | Minor | Sideways scroll |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in PAGES:
        for width in WIDTHS:
            for language in LANGUAGES:
                found = results.get(f"{name}-{language}-{width}")
                if found is None:
                    continue
                counts = Counter(v["impact"] for v in found)
                cells = " | ".join(str(counts[impact]) for impact in IMPACTS)
                scrolls = "yes" if wide[f"{name}-{language}-{width}"] else "no"
                lines.append(f"| {TITLES[name]} | {width} | {language} | {cells} | {scrolls} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the portal checkout")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8310)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only when pictures are taken

    root, out = args.root.resolve(), args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="issue9-") as scratch:
        scratch = Path(scratch)
        env = portal_env(scratch / "var", args.port)
        manage(root, env, "migrate", "--noinput")
        manage(root, env, "load_demo")
        rows = json.loads(manage(root, env, "shell", "-c", FIND_ROWS).split("ROWS=", 1)[1])
        import_file = scratch / "doi-tac.csv"
        import_file.write_bytes(officer_csv())
        server = subprocess.Popen(
            [python_of(root), "manage.py", "runserver", f"127.0.0.1:{args.port}", "--noreload"],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        results: dict[str, list[dict]] = {}
        wide: dict[str, bool] = {}
        try:
            wait_for_port(args.port, server)
            base = f"http://127.0.0.1:{args.port}"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True
                )
                for language in LANGUAGES:
                    for width in WIDTHS:
                        walk = Walk(browser, base, rows, out, language, width)
                        for name, found in walk.run(import_file).items():
                            results[f"{name}-{language}-{width}"] = found
                            wide[f"{name}-{language}-{width}"] = walk.wide[name]
                        print(f"{language} {width}: {len(walk.results)} pages", flush=True)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    (out / "axe-results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    (out / "axe-summary.md").write_text(summary_table(results, wide))
    print(summary_table(results, wide))


if __name__ == "__main__":
    main()
