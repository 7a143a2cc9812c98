"""Erase personal data past its retention period now (beat does it daily); --dry-run counts."""

from django.conf import settings
from django.core.management.base import BaseCommand

from forums.services import retention

KIND_LABELS = {
    retention.PASSPORT: "Passport name and nationality, {days} days after the edition ended",
    retention.NOT_ATTENDING: (
        "Personal details of declined, expired and withdrawn invitations, after {months} months"
    ),
}


class Command(BaseCommand):
    help = (
        "Erase passport details and the personal details of declined, expired and withdrawn "
        "invitations once past their retention period. Prints counts and editions, never data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is due; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        result = retention.purge_personal_data(dry_run=dry_run)
        edition_ids = {pk for counts in result.by_kind.values() for pk in counts}
        labels = retention.describe_editions(edition_ids)
        verb = "Due (dry run, nothing erased)" if dry_run else "Erased"
        for kind in retention.KINDS:
            label = KIND_LABELS[kind].format(
                days=settings.RETENTION_PASSPORT_DAYS,
                months=settings.RETENTION_NOT_ATTENDING_MONTHS,
            )
            self.stdout.write(f"{verb}: {label}: {result.count(kind)} invitation(s)")
            for edition_id, count in sorted(
                result.by_kind[kind].items(), key=lambda item: labels.get(item[0], "")
            ):
                self.stdout.write(f"  {labels.get(edition_id, edition_id)}: {count}")
        self.stdout.write(f"{verb}: {result.total} invitation(s) in all")
