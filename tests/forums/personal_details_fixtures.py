"""An invitation answered with every personal detail, and the roles that may or may not read
them; shared by the page and browser tests (import the fixtures with `import *`).
"""

import datetime as dt

import pytest

from academy_portal.core import roles
from forums.services import invite_expert, send_invitation, submit_rsvp
from tests.factories import EditionFactory, ExpertFactory, UserFactory

__all__ = ["answered", "coordinator"]

PASSPORT_NAME = "NGUYỄN THỊ BÍCH"
DIETARY = "halal"
ACCESSIBILITY = "step-free access to the podium"
COMPANION = "Lê Văn Hải"
# Shown on the invitation page only; other pages may list every country (a nationality select).
NATIONALITY = ("NZ", "New Zealand")
# Strings that no staff page may show to a reader without the permission.
CONTENT = (PASSPORT_NAME, DIETARY, ACCESSIBILITY, COMPANION)
WITHHELD = "given (restricted)"

READERS_WITHOUT = (roles.VIEWERS, roles.PARTNERSHIPS_OFFICERS)
READERS_WITH = (roles.FORUM_COORDINATORS, roles.ADMINISTRATORS)
ALL_ROLES = READERS_WITHOUT + READERS_WITH


@pytest.fixture
def coordinator():
    return UserFactory(groups=[roles.FORUM_COORDINATORS])


@pytest.fixture
def answered(coordinator):
    """A sent invitation the expert accepted with every personal detail filled in."""
    edition = EditionFactory(allows_accompanying_person=True)
    # The expert's own name differs from the passport name, so a hit on it is a leak.
    expert = ExpertFactory(given_name="Anna", family_name="Tran", nationality="AU")
    invitation, _ = invite_expert(edition, expert=expert, invited_by=coordinator)
    send_invitation(invitation, sent_by=coordinator)
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=0,
        attendance="in_person",
        dietary_needs=DIETARY,
        accessibility_needs=ACCESSIBILITY,
        arrival_date=edition.start_date - dt.timedelta(days=2),
        departure_date=edition.end_date + dt.timedelta(days=3),
        needs_hotel=True,
        needs_visa_letter=True,
        passport_name=PASSPORT_NAME,
        passport_nationality=NATIONALITY[0],
        accompanying_person=COMPANION,
        privacy_consent=True,
        chatham_house_acknowledged=True,
    )
    invitation.refresh_from_db()
    assert invitation.passport_name == PASSPORT_NAME  # the answer was saved
    return invitation
