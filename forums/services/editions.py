"""Saving an edition and what follows from it: default reminders, places for the waitlist.

Not a signal: a plain `edition.save()` (shell, data migration, fixture) changes only the row and
emails nobody; the admin, the demo data and the test factories call `save_edition`.
"""

from django.db import transaction

from forums.models import Edition, Invitation

from .reminders import create_default_reminder_rules
from .waitlist import fill_places_from_waitlist


@transaction.atomic
def save_edition(*, edition: Edition, changed_by) -> Edition:
    """Save the edition; a new one gets the default reminder rules, and a saved one whose
    capacity now has room confirms waitlisted experts (emailing them), recorded as done by
    `changed_by` (the coordinator who raised the capacity; None for the portal itself).

    Invariant: after it returns, every edition saved through here has its default reminder
    rules (or those staff kept), and no expert waits while the edition has a free place.
    """
    created = edition._state.adding
    edition.save()
    if created:
        create_default_reminder_rules(edition)
    elif edition.invitations.filter(status=Invitation.Status.WAITLISTED).exists():
        fill_places_from_waitlist(edition, actor=changed_by)
    return edition
