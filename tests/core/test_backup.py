"""Backups for real: demo data and uploaded files -> backup -> a new, empty database -> restore;
every table's row count, a sample of rows, every file, and an RSVP link sent before the backup
all come back. On PostgreSQL (pg_dump/pg_restore, as in production) and on SQLite (the
embedded default)."""

import io
import json
import stat
import subprocess
import tarfile
import time
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from academy_portal.core.backup import count_rows
from academy_portal.demo.build import build_demo
from forums.models import Invitation
from forums.services.emails import rsvp_url
from forums.services.tokens import current_raw_token
from partners.models import MOU
from tests.core.test_settings import run_manage

BASE_DIR = Path(settings.BASE_DIR)
PDF = b"%PDF-1.4\n% signed MOU, scanned\n" + bytes(range(256)) * 40


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """manage.py in a fresh process with the production settings and the given environment
    (DEBUG, so pages render without collectstatic's manifest: the database is what is tested)."""
    return run_manage(*args, env={"DEBUG": "1", **env}, tmp_path=Path(env["VAR_DIR"]).parent)


SAMPLE = (
    "import json; from forums.models import Invitation; from experts.models import Expert; "
    "from partners.models import MOU; from academy_portal.core.backup import count_rows; "
    "from django.test import Client; "
    "inv = list(Invitation.objects.order_by('pk').values_list("
    "'pk', 'status', 'token_hash', 'passport_name', 'responded_at'))[:50]; "
    "experts = list(Expert.objects.order_by('pk').values_list("
    "'pk', 'given_name', 'family_name', 'email'))[:50]; "
    "docs = sorted(m.document.name for m in MOU.objects.exclude(document='')); "
    "page = Client().get(PATH, secure=True); "
    "print(json.dumps({'counts': count_rows(), 'inv': inv, 'experts': experts, 'docs': docs, "
    "'rsvp': [page.status_code, NAME in page.content.decode()]}, default=str))"
)


def sample_rows(*, path: str, name: str) -> dict:
    """The same sample, read in this process (the database being backed up)."""
    from django.test import Client  # noqa: PLC0415 - mirrors the subprocess's SAMPLE

    from experts.models import Expert  # noqa: PLC0415 - same

    page = Client().get(path)
    inv = list(
        Invitation.objects.order_by("pk").values_list(
            "pk", "status", "token_hash", "passport_name", "responded_at"
        )
    )[:50]
    experts = list(
        Expert.objects.order_by("pk").values_list("pk", "given_name", "family_name", "email")
    )[:50]
    docs = sorted(m.document.name for m in MOU.objects.exclude(document=""))
    return json.loads(
        json.dumps(
            {
                "counts": count_rows(),
                "inv": inv,
                "experts": experts,
                "docs": docs,
                "rsvp": [page.status_code, name in page.content.decode()],
            },
            default=str,
        )
    )


def demo_with_uploads(media_root: Path) -> tuple[str, str]:
    """Demo data, an uploaded MOU document, and an RSVP link as the expert received it."""
    build_demo()
    mou = MOU.objects.order_by("pk").first()
    mou.document.save("signed-agreement.pdf", ContentFile(PDF))
    invitation = (
        Invitation.objects.filter(status=Invitation.Status.SENT, token_revoked_at=None)
        .exclude(token_seed="")
        .select_related("expert")
        .order_by("pk")
        .first()
    )
    raw = current_raw_token(invitation)
    assert raw, "a sent demo invitation has a working link"
    return rsvp_url(raw).removeprefix(settings.SITE_URL), invitation.expert.family_name


def check_round_trip(*, before: dict, archive: Path, restored_env: dict, path: str, name: str):
    started = time.monotonic()
    restored = manage("restore", str(archive), env=restored_env)
    restore_seconds = time.monotonic() - started
    assert restored.returncode == 0, restored.stderr
    assert "every count and checksum matches" in restored.stdout

    code = SAMPLE.replace("PATH", repr(path)).replace("NAME", repr(name))
    after = manage("shell", "-c", code, env=restored_env)
    assert after.returncode == 0, after.stderr
    after_rows = json.loads(after.stdout.strip().splitlines()[-1])

    # The RSVP page renders for the expert on both sides: the link survived the round trip.
    assert before["rsvp"] == [200, True], path
    assert after_rows["rsvp"] == [200, True], path
    # django_session differs only by what the page views above wrote; every other table equal.
    skip = {"django_session"}
    assert {t: c for t, c in after_rows["counts"].items() if t not in skip} == {
        t: c for t, c in before["counts"].items() if t not in skip
    }
    for key in ("inv", "experts", "docs"):
        assert after_rows[key] == before[key], key
    media = Path(restored_env["MEDIA_ROOT"])
    assert (media / before["docs"][0]).read_bytes() == PDF

    # Restoring again over what is now a full database is refused, and changes nothing.
    again = manage("restore", str(archive), env=restored_env)
    assert again.returncode != 0
    assert "is not empty" in again.stderr
    rows = sum(c for t, c in before["counts"].items() if t not in skip)
    print(
        f"\nround trip: {len(before['counts'])} tables, {rows} rows, "
        f"{archive.stat().st_size / 1e6:.2f} MB archive, restore {restore_seconds:.1f} s"
    )


def make_backup(tmp_path: Path) -> Path:
    out = tmp_path / "backups"
    started = time.monotonic()
    call_command("backup", "--out", str(out), stdout=io.StringIO())
    print(f"\nbackup {time.monotonic() - started:.1f} s")
    (archive,) = out.glob("academy-portal-*.tar.gz")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600, "the archive holds personal data"
    assert not list(out.glob("*.partial"))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names
    assert any(n.startswith("media/mous/") and n.endswith("signed-agreement.pdf") for n in names)
    return archive


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_on_postgresql(require_postgres, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    path, name = demo_with_uploads(tmp_path / "media")
    before = sample_rows(path=path, name=name)
    archive = make_backup(tmp_path)

    db = connection.settings_dict
    restored_name = f"{db['NAME']}_restored"
    admin = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
        password=db["PASSWORD"] or None,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
        cursor.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{restored_name}"
        check_round_trip(
            before=before,
            archive=archive,
            restored_env={
                "DATABASE_URL": url,
                "MEDIA_ROOT": str(tmp_path / "media-restored"),
                "VAR_DIR": str(tmp_path / "var"),
            },
            path=path,
            name=name,
        )
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')
        admin.close()


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_on_sqlite(tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL round trip is the test above; this one is SQLite's")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    path, name = demo_with_uploads(tmp_path / "media")
    before = sample_rows(path=path, name=name)
    archive = make_backup(tmp_path)

    check_round_trip(
        before=before,
        archive=archive,
        restored_env={
            "DATABASE_URL": f"sqlite:///{tmp_path / 'restored.sqlite3'}",
            "MEDIA_ROOT": str(tmp_path / "media-restored"),
            "VAR_DIR": str(tmp_path / "var"),
        },
        path=path,
        name=name,
    )


def test_a_damaged_archive_is_refused_with_a_clear_message(tmp_path):
    broken = tmp_path / "academy-portal-20260101-000000.tar.gz"
    broken.write_bytes(b"not a tar file")

    with pytest.raises(CommandError, match="is not a readable backup archive"):
        call_command("restore", str(broken))


def test_an_archive_with_a_tampered_file_is_refused_before_the_database_is_touched(
    tmp_path, settings
):
    manifest = {
        "format": 1,
        "engine": connection.vendor,
        "database": "database.sqlite3",
        "tables": {},
        "files": {"mous/2026/a.pdf": "0" * 64},
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "a.pdf").write_bytes(b"changed")
    archive = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "manifest.json", arcname="manifest.json")
        tar.add(tmp_path / "a.pdf", arcname="media/mous/2026/a.pdf")
    settings.MEDIA_ROOT = str(tmp_path / "media")

    with pytest.raises(CommandError, match="missing or damaged"):
        call_command("restore", str(archive))
    assert not (tmp_path / "media").exists()
