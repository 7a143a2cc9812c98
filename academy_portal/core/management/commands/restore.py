from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from academy_portal.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup` into an EMPTY database (DATABASE_URL) and "
        "MEDIA_ROOT, then check every table's row count and every file's checksum."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar.gz written by `backup`.")

    def handle(self, *args, archive: Path, **options):
        try:
            result = restore_backup(archive=archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.mismatches:
            raise CommandError(
                "Restored, but these tables differ from the archive's manifest:\n  "
                + "\n  ".join(result.mismatches)
            )
        rows = sum(result.tables.values())
        self.stdout.write(
            f"Restored {archive.name}: {len(result.tables)} tables, {rows} rows, "
            f"{result.files} uploaded files; every count and checksum matches the archive."
        )
