"""`manage.py badges --edition ID --out FILE.pdf`: the name badges of an edition's confirmed
participants (forums.documents.badges), four A6 badges per A4 page."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forums.documents.badges import edition_badges_pdf
from forums.models import Edition


class Command(BaseCommand):
    help = "Write the name badges (PDF) of an edition's confirmed participants."

    def add_arguments(self, parser):
        parser.add_argument("--edition", type=int, required=True, help="Edition id")
        parser.add_argument("--out", required=True, help="PDF file to write")

    def handle(self, *args, edition, out, **options):
        found = Edition.objects.select_related("forum").filter(pk=edition).first()
        if found is None:
            raise CommandError(f"No edition with id {edition}.")
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"Folder {path.parent} does not exist.")
        pdf, count = edition_badges_pdf(found)
        path.write_bytes(pdf)
        pages = (count + 3) // 4 or 1
        self.stdout.write(f"{count} badges of {found} on {pages} A4 pages written to {path}")
