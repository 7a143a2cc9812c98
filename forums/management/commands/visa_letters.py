"""`manage.py visa_letters --edition ID --out DIR`: the edition's visa support letters as PDFs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forums.documents.visa_letter import letter_file_name
from forums.models import Edition
from forums.services.visa_letters import (
    edition_letter_candidates,
    issue_visa_letters,
    render_visa_letter,
)


class Command(BaseCommand):
    help = (
        "Write one PDF per visa support letter of an edition (accepted experts who asked for "
        "one and gave a passport name) into a folder, numbering those not in the register yet "
        "(a letter already numbered keeps its number), and say who was skipped and why."
    )

    def add_arguments(self, parser):
        parser.add_argument("--edition", type=int, required=True, help="The edition's id.")
        parser.add_argument("--out", required=True, help="Folder to write the PDFs into.")
        parser.add_argument(
            "--new-numbers",
            action="store_true",
            help="Give every letter a new number (the old ones are marked replaced).",
        )

    def handle(self, *args, edition, out, new_numbers=False, **options):
        edition_row = Edition.objects.select_related("forum").filter(pk=edition).first()
        if edition_row is None:
            raise CommandError(f"No edition with id {edition}.")
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Cannot create {folder}: {exc.strerror}.") from exc
        outcome = issue_visa_letters(edition_letter_candidates(edition_row), new_number=new_numbers)
        write = self.stdout.write
        write(f"Visa support letters for {edition_row}:")
        written = 0
        for letter in outcome.letters:
            content = render_visa_letter(letter)
            if content is None:  # erased between issuing and now
                write(f"  skipped {letter.expert}: passport name erased")
                continue
            path = folder / letter_file_name(letter)
            path.write_bytes(content)
            written += 1
            write(f"  wrote {path}  {letter.reference}  {letter.expert}")
        for skipped in outcome.skipped:
            write(f"  skipped {skipped.invitation.expert}: {skipped.reason}")
        write(
            self.style.SUCCESS(
                f"{written} written ({outcome.created} newly numbered), "
                f"{len(outcome.skipped)} skipped."
            )
        )
