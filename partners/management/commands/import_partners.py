"""python manage.py import_partners FILE [--dry-run] [--format csv|xlsx]

Exit codes: 0 imported (or a clean dry run), 1 nothing imported because of errors in the file
(on stderr: the first IMPORT_ERRORS_SHOWN, then counts per column and kind), 2 usage errors
(missing file, unknown format).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from partners.importing import import_partner_file
from partners.importing.errors import count_line


class ProgressBar:
    """A one-line bar for a terminal; never printed into pipes or log files."""

    def __init__(self, stream, width=30):
        self.stream, self.width, self.last = stream, width, -1

    def __call__(self, done, total):
        percent = int(100 * done / total) if total else 100
        if percent == self.last:
            return
        self.last = percent
        filled = self.width * percent // 100
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}%")
        self.stream.flush()

    def close(self):
        if self.last >= 0:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Import MOU partners from a CSV or .xlsx file: every row or none (see docs/import.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the CSV or .xlsx file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and show what would change"
        )
        parser.add_argument(
            "--format", dest="file_format", choices=("csv", "xlsx"), help="override detection"
        )

    def handle(self, *args, file, dry_run, file_format, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}", returncode=2)
        size = path.stat().st_size
        if size > settings.IMPORT_MAX_FILE_SIZE:
            # Refused before reading it; the service records and words the refusal.
            data = path.open("rb").read(settings.IMPORT_MAX_FILE_SIZE + 1)
        else:
            data = path.read_bytes()
        progress = ProgressBar(self.stdout) if _isatty(self.stdout) else None
        outcome = import_partner_file(
            data, file_name=path.name, file_format=file_format, dry_run=dry_run,
            progress=progress,
        )  # fmt: skip
        if progress:
            progress.close()
        record = outcome.record
        if not outcome.ok:
            if outcome.file_error:
                self.stderr.write(outcome.file_error)
            if outcome.database_error:
                self.stderr.write(outcome.database_error)
            for error in outcome.errors:
                self.stderr.write(str(error))
            if outcome.more_errors:
                self.stderr.write(
                    f"... and {outcome.more_errors:,} more errors not listed. All errors by column:"
                )
                for count in outcome.error_counts:
                    self.stderr.write(f"  {count_line(count)}")
            if outcome.error_count:
                self.stderr.write(
                    f"{outcome.error_count:,} error(s) in {record.rows_errors:,} row(s): "
                    "nothing was imported."
                )
            raise CommandError("Nothing was imported.", returncode=1)
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {record.file_name}: {record.rows_total} rows — {record.rows_new} new, "
            f"{record.rows_updated} updated, {record.rows_unchanged} unchanged."
        )
        if outcome.nothing_to_do:
            self.stdout.write("Nothing to change: the portal already has everything in this file.")
        if dry_run:
            for row in outcome.rows:
                for field, old, new in row.changes:
                    self.stdout.write(f"  row {row.row}, {field}: {old} -> {new}")


def _isatty(stream) -> bool:
    target = getattr(stream, "_out", stream)
    try:
        return bool(target.isatty())
    except (AttributeError, ValueError):
        return False
