"""Backups: one dated archive with a consistent database dump and the uploaded files, and its
restore into an empty database.

The archive (`academy-portal-<UTC time>.tar.gz`, mode 0600: it holds passport names and
personal links' seeds) contains:

- `database.dump`: `pg_dump --format=custom`, one consistent snapshot (PostgreSQL), or
  `database.sqlite3`: SQLite's online backup of the file (the embedded default);
- `media/...`: every uploaded file (MOU documents, letterheads, materials, import files);
- `manifest.json`: when, which engine, the row count of every table and the SHA-256 of every
  file, so a restore proves it brought back what was saved.

Files uploaded while the dump runs may be in the archive without their row; never the reverse
(the dump is taken first), and a row's file that is missing is reported by the restore.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_DUMP = "database.sqlite3"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class BackupResult:
    archive: Path
    tables: dict[str, int]
    files: int
    size: int


@dataclass
class RestoreResult:
    tables: dict[str, int]
    files: int
    mismatches: list[str] = field(default_factory=list)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _libpq_env() -> dict[str, str]:
    """The environment pg_dump/pg_restore need to reach the database Django uses."""
    db = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(args: list[str]) -> None:
    try:
        subprocess.run(args, env=_libpq_env(), check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(
            f"{args[0]} is not installed: apt-get install postgresql-client "
            "(the same major version as the server)"
        ) from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{args[0]} failed: {exc.stderr.strip()}") from exc


def count_rows() -> dict[str, int]:
    """Rows in every table of the database, by table name."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        return _count_rows_with(cursor, tables, connection.ops.quote_name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink())


def _count_rows_with(cursor, tables: list[str], quote) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _dump_postgres(dump: Path) -> dict[str, int]:
    """pg_dump of one snapshot, and the row counts of that same snapshot: a transaction on its
    own connection exports its snapshot, counts in it, and pg_dump reads it (--snapshot), so
    rows written meanwhile are in neither."""
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with raw.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = connection.introspection.table_names(cursor)
            counts = _count_rows_with(cursor, tables, connection.ops.quote_name)
            # No owners or grants, so it restores as any role.
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                ]
            )
        raw.rollback()
    finally:
        raw.close()
    return counts


def _dump_sqlite(dump: Path) -> dict[str, int]:
    """SQLite's online backup of the whole file; the counts are read from the copy itself."""
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        with target:
            connection.connection.backup(target)
        tables = [
            row[0]
            for row in target.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return _count_rows_with(target.cursor(), tables, connection.ops.quote_name)
    finally:
        target.close()


def create_backup(*, out_dir: Path) -> BackupResult:
    """Write a dated archive of the database and the uploaded files into `out_dir`.

    Invariant: the archive appears under its final name only when complete (written as
    `.partial`, then renamed), readable by its owner only, and its manifest matches its content.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    archive = out_dir / f"academy-portal-{stamp}.tar.gz"
    partial = archive.with_name(archive.name + ".partial")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as work:
        work_dir = Path(work)
        if _is_postgres():
            dump = work_dir / PG_DUMP
            tables = _dump_postgres(dump)
        else:
            dump = work_dir / SQLITE_DUMP
            tables = _dump_sqlite(dump)
        files = _media_files(media_root)
        manifest = {
            "format": 1,
            "created_at": timezone.now().isoformat(),
            "engine": connection.vendor,
            "database": dump.name,
            "tables": tables,
            "files": {str(p.relative_to(media_root)): _sha256(p) for p in files},
        }
        (work_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(work_dir / MANIFEST, arcname=MANIFEST)
            tar.add(dump, arcname=dump.name)
            for path in files:
                tar.add(path, arcname=f"media/{path.relative_to(media_root)}")
    partial.rename(archive)
    return BackupResult(
        archive=archive, tables=tables, files=len(files), size=archive.stat().st_size
    )


def _require_empty_database() -> None:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        name = connection.settings_dict["NAME"]
        raise BackupError(
            f"The database {name} is not empty ({len(tables)} tables): a restore goes into an "
            "empty database only, so nothing is overwritten. Create one (createdb), point "
            "DATABASE_URL at it, and run restore again."
        )


def restore_backup(*, archive: Path) -> RestoreResult:
    """Bring an archive back into the (empty) database and MEDIA_ROOT.

    Invariant: nothing existing is overwritten (an empty database is required, and an existing
    file that differs stops the restore before the database is touched); the restored tables'
    row counts and every file's SHA-256 are checked against the manifest.
    """
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
        work_dir = Path(work)
        try:
            with tarfile.open(archive, mode="r:gz") as tar:
                # "data": no absolute paths, no "..", no links out of the folder, no devices.
                tar.extractall(work_dir, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{archive.name} is not a readable backup archive: {exc}") from exc
        try:
            manifest = json.loads((work_dir / MANIFEST).read_text())
        except (OSError, ValueError) as exc:
            raise BackupError(f"{archive.name} has no readable {MANIFEST}") from exc
        if manifest.get("engine") != connection.vendor:
            raise BackupError(
                f"The archive holds a {manifest.get('engine')} database; this portal runs on "
                f"{connection.vendor}. Restore it with the same DATABASE_URL engine."
            )
        extracted = work_dir / "media"
        for relative, digest in manifest["files"].items():
            source = extracted / relative
            if not source.is_file() or _sha256(source) != digest:
                raise BackupError(f"The archive's copy of {relative} is missing or damaged")
            existing = media_root / relative
            if existing.exists() and _sha256(existing) != digest:
                raise BackupError(
                    f"{existing} exists with other content: restore into an empty MEDIA_ROOT"
                )
        _require_empty_database()
        if manifest["database"] == PG_DUMP:
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={connection.settings_dict['NAME']}",
                    str(work_dir / PG_DUMP),
                ]
            )
        else:
            source = sqlite3.connect(work_dir / SQLITE_DUMP)
            connection.ensure_connection()
            with source:
                source.backup(connection.connection)
            source.close()
        for relative in manifest["files"]:
            target = media_root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(extracted / relative, target)
    connection.close()  # the restored schema: no cached state from before
    tables = count_rows()
    mismatches = [
        f"{table}: {count} rows in the archive, {tables.get(table)} restored"
        for table, count in manifest["tables"].items()
        if tables.get(table) != count
    ]
    return RestoreResult(tables=tables, files=len(manifest["files"]), mismatches=mismatches)
