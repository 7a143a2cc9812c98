"""Confirmed participants for the attendance tests: invited, sent and accepted through the
services, as a coordinator and an expert would; an edition moved into the past when needed."""

import datetime as dt

from django.utils import timezone

from forums.models import Edition
from forums.services import submit_rsvp
from tests.factories import EditionFactory, ExpertFactory, UserFactory
from tests.forums.invitation_factories import sent_invitation


def accepted_invitation(*, edition=None, expert=None, staff=None, **invite_kwargs):
    """(invitation accepted, RSVP link token)."""
    invitation, token = sent_invitation(
        staff or UserFactory(),
        edition=edition or EditionFactory(),
        expert=expert or ExpertFactory(),
        **invite_kwargs,
    )
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=invitation.version,
        attendance="in_person",
        privacy_consent=True,
    )
    invitation.refresh_from_db()
    return invitation, token


def move_to_past(edition: Edition, *, days_ago: int = 3) -> Edition:
    """The edition ended `days_ago` days ago (invitations were answered while it was ahead)."""
    end = timezone.localdate() - dt.timedelta(days=days_ago)
    Edition.objects.filter(pk=edition.pk).update(
        start_date=end - dt.timedelta(days=1), end_date=end, rsvp_deadline=None
    )
    edition.refresh_from_db()
    return edition
