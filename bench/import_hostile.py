"""Preview of a hostile partner file through the admin: seconds, HTML bytes, peak memory.

    .venv/bin/python bench/import_hostile.py [--rows 200000] [--ref GIT_REV]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_import_hostile]

Generates the file that tests/partners/test_import_hostile.py uploads (200,000 rows, every
one invalid, about 9 MB), then, in a fresh Python process per code version, logs in a partnerships
officer and uploads the file to Admin > Partner imports > Import a partner file with
Django's test client: the whole request, from the multipart upload through the import service
to the rendered preview page. Each process prints its wall time, the size of the HTML answer
and its peak resident memory (ru_maxrss), with the memory it held before the request.

--ref runs the same measurement first on another commit (exported with `git archive` to a
temporary directory), e.g. `--ref 6668f1c` for the code before the error cap; the working
tree's code runs second. The database (created if missing, migrated, never dropped) only
holds the users and the import records of these runs.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEADER = "Institution name,Country,MOU title,Academy unit,Signed on,Status"
HOSTILE_ROWS = 200_000


def hostile_csv(rows: int = HOSTILE_ROWS) -> bytes:
    """`rows` rows, every one invalid: 3 in 5 name an unknown country (each a different one),
    1 in 5 an impossible date, 1 in 5 an unknown academy unit, and every 8th row also an
    unknown status. For 200,000 rows: 225,000 errors, about 9 MB."""
    lines = [HEADER]
    for i in range(rows):
        country = f"Atlantis {i}" if i % 5 < 3 else "SG"
        signed = "31/02/2025" if i % 5 == 3 else "01/06/2022"
        unit = "Ministry" if i % 5 == 4 else "iss"
        status = "Pending" if i % 8 == 0 else "Active"
        lines.append(f"P{i},{country},M{i},{unit},{signed},{status}")
    return ("\r\n".join(lines) + "\r\n").encode()


def child(tree: Path, file: Path) -> None:
    """Runs in its own process with `tree` (a checkout of the portal) first on sys.path."""
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "academy_portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from academy_portal.core import roles

    setup_test_environment()  # the test client's host and in-memory email
    # Production settings (DEBUG off) but no collected static manifest in a checkout.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="bench-hostile-media-"))
    user, _ = get_user_model().objects.get_or_create(
        username="bench-hostile-officer", defaults={"email": "officer@bench.example"}
    )
    user.is_staff = True
    user.save()
    user.groups.set([Group.objects.get(name=roles.PARTNERSHIPS_OFFICERS)])
    client = Client()
    client.force_login(user)
    data = file.read_bytes()
    upload = reverse("admin:partners_partnerimport_upload")
    client.get(upload, secure=True)  # templates and translations loaded before measuring
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    response = client.post(upload, {"file": SimpleUploadedFile(file.name, data)}, secure=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "status": response.status_code,
                "seconds": round(seconds, 2),
                "html_bytes": len(response.content),
                "rss_before_mb": round(before),
                "peak_rss_mb": round(peak),
            }
        )
    )


def measure(label: str, tree: Path, file: Path, env: dict) -> None:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(tree), str(file)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode or '"status": 200' not in result.stdout:
        sys.exit(f"{label}: the run failed\n{result.stderr[-3000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(
        f"{label:<28} HTTP {figures['status']}  {figures['seconds']:6.2f} s  "
        f"{figures['html_bytes']:>12,} bytes of HTML  peak RSS {figures['peak_rss_mb']:,} MB "
        f"(before the request {figures['rss_before_mb']:,} MB)  load {os.getloadavg()[0]:.1f}"
    )


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--ref", help="also measure this commit first (e.g. the code before)")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/bench_import_hostile"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from bench.import_partners import ensure_database

    ensure_database(args.database_url)
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "VAR_DIR": os.environ.get("VAR_DIR", "/tmp/bench_import_hostile-var"),
        "DEBUG": "0",
        # The child signs in with force_login: it measures the preview, not the second factor.
        "STAFF_MFA_REQUIRED": "0",
    }
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        file = Path(tmp) / "hostile.csv"
        file.write_bytes(hostile_csv(args.rows))
        print(f"{args.rows:,} invalid rows, {file.stat().st_size / 1e6:.1f} MB CSV")
        if args.ref:
            old = Path(tmp) / "old"
            old.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", args.ref], capture_output=True, check=True
            )
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
            measure(f"before (commit {args.ref})", old, file, env)
        measure("after (working tree)", ROOT, file, env)


if __name__ == "__main__":
    main()
