"""`manage.py load_demo`: fictional forums, partners, experts and staff logins to try the portal."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from academy_portal.demo.build import build_demo, count_rows
from academy_portal.demo.scale import ScalePlan, build_scale


class Command(BaseCommand):
    help = (
        "Load the demo data (forums, editions, partners, MOUs, experts, staff users). "
        "Safe to run again: it brings demo rows back to their demo state and adds nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even where this looks like production (DEBUG off, real SECRET_KEY).",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=None,
            help=(
                "Also build a large academy for measurements, once per database: at 1, about "
                "20,000 experts, 200 editions, 200,000 invitations, 2,000 institutions, 5,000 "
                "MOUs and 50,000 outbox rows; 0.01 for a small one."
            ),
        )

    def handle(self, *args, force=False, scale=None, **options):
        looks_like_production = (
            not settings.DEBUG and settings.SECRET_KEY != settings.INSECURE_DEV_SECRET_KEY
        )
        if looks_like_production and not force:
            raise CommandError(
                "This looks like a production deployment (DEBUG is off and SECRET_KEY is set). "
                "load_demo creates staff accounts with a published password. To load it anyway "
                "(e.g. on a staging server), set DEMO_ADMIN_PASSWORD and pass --force."
            )
        if scale is not None:
            try:
                ScalePlan.for_scale(scale)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        started = time.monotonic()
        summary = build_demo()
        elapsed = time.monotonic() - started
        if scale is not None:
            self._build_scale(scale)
            summary["counts"] = count_rows()  # with the scaled rows

        write = self.stdout.write
        write(self.style.SUCCESS(f"Demo data loaded in {elapsed:.1f}s."))
        write("  In the database: " + _listed(summary["counts"]))
        write(
            "  MOUs by status: " + ", ".join(f"{n} {s}" for s, n in summary["mou_statuses"].items())
        )
        changes = [
            f"{what} {_listed(rows)}"
            for what, rows in (("created", summary["created"]), ("updated", summary["updated"]))
            if rows
        ]
        write("  Changes this run: " + ("; ".join(changes) or "none (already loaded)"))
        edition = summary["upcoming_edition"]
        write(
            f"  Upcoming: {edition} — {edition.start_date:%d %b %Y}, {edition.city}; "
            f"{edition.get_status_display().lower()}, RSVP by {edition.rsvp_deadline:%d %b %Y}"
        )
        write("")
        write(self.style.MIGRATE_HEADING("Staff logins (demo only):"))
        for user in summary["users"]:
            password = user["password"] or "(changed since it was created; left as it is)"
            write(f"  {user['username']:<13} {password:<20} {user['role']}")
        for note in summary["notes"]:
            write(note)

    def _build_scale(self, scale: float) -> None:
        started = time.monotonic()
        try:
            written = build_scale(scale=scale)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Scaled data (--scale {scale:g}) written in {time.monotonic() - started:.1f}s: "
                + _listed(written)
            )
        )


def _listed(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {label}" for label, n in counts.items())
