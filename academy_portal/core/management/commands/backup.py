from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from academy_portal.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write a dated archive (mode 0600) with a consistent database dump and every uploaded "
        "file, and a manifest of row counts and checksums. Restore it with `restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out",
            type=Path,
            default=None,
            help="Folder for the archive (default: VAR_DIR/backups).",
        )

    def handle(self, *args, out: Path | None, **options):
        out_dir = out or Path(settings.VAR_DIR) / "backups"
        try:
            result = create_backup(out_dir=out_dir)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(result.tables.values())
        self.stdout.write(
            f"Backup written: {result.archive}\n"
            f"  {len(result.tables)} tables, {rows} rows, {result.files} uploaded files, "
            f"{result.size / 1_000_000:.1f} MB"
        )
