"""A published edition with a programme, and speakers who answered as experts do (services)."""

from django.urls import reverse

from forums.models import Invitation, SessionRole
from forums.services import publish_programme, submit_rsvp
from tests.factories import EditionFactory, ExpertFactory, SessionFactory, UserFactory
from tests.forums.invitation_factories import sent_invitation


def published_edition(**kwargs):
    edition = EditionFactory(**kwargs)
    publish_programme(edition=edition, published_by=None)
    return edition


def programme_path(edition) -> str:
    return reverse("forums:programme", args=[edition.forum.slug, edition.number])


def answer(invitation, value=Invitation.Status.ACCEPTED, *, listed=True, sessions=()):
    """The expert's answer through the RSVP service (accept with consents by default)."""
    invitation.refresh_from_db()
    attending = value != Invitation.Status.DECLINED
    return submit_rsvp(
        invitation,
        answer=value,
        expected_version=invitation.version,
        attendance=Invitation.Attendance.IN_PERSON if attending else "",
        sessions=list(sessions) if attending else [],
        privacy_consent=attending,
        chatham_house_acknowledged=attending,
        listing_consent=listed and attending,
    )


def speaker(
    session,
    *,
    role=SessionRole.Role.SPEAKER,
    answered=Invitation.Status.ACCEPTED,
    listed=True,
    staff=None,
    **expert_kwargs,
):
    """An expert invited to `role` in `session`; answers `answered` (None: not answered)."""
    expert = ExpertFactory(**expert_kwargs)
    invitation, token = sent_invitation(
        staff or UserFactory(),
        edition=session.edition,
        expert=expert,
        offered_session=session,
        offered_role=role,
    )
    if answered:
        invitation = answer(invitation, answered, listed=listed)
    return expert, invitation, token


def session_with(edition, **kwargs):
    return SessionFactory(edition=edition, **kwargs)
