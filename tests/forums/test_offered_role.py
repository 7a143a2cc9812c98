import pytest

from forums.models import InvitationEvent, SessionRole
from forums.services import invite_expert, send_invitation, submit_rsvp, withdraw_invitation
from tests.factories import EditionFactory, ExpertFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def speaker_invitation(edition=None):
    staff = UserFactory(groups=["Forum coordinators"])
    session = SessionFactory(edition=edition or EditionFactory())
    invitation, _ = invite_expert(
        session.edition,
        expert=ExpertFactory(),
        invited_by=staff,
        offered_session=session,
        offered_role=SessionRole.Role.SPEAKER,
    )
    send_invitation(invitation, sent_by=staff)
    return invitation, session, staff


def answer(invitation, value):
    return submit_rsvp(
        invitation,
        answer=value,
        expected_version=invitation.version,
        attendance="in_person" if value == "accepted" else "",
        privacy_consent=value != "declined",
        chatham_house_acknowledged=value == "accepted",
    )


def test_accepting_puts_the_expert_on_the_panel_and_declining_takes_them_off():
    invitation, session, _ = speaker_invitation()
    assert not SessionRole.objects.exists()

    answer(invitation, "accepted")
    role = SessionRole.objects.get()
    assert (role.session, role.expert, role.role) == (session, invitation.expert, "speaker")
    assert invitation.events.filter(
        kind=InvitationEvent.Kind.NOTE, details__session_role="added"
    ).exists()

    answer(invitation, "declined")
    assert not SessionRole.objects.exists()
    assert invitation.events.filter(details__session_role="removed").exists()


def test_tentative_does_not_give_the_role_and_withdrawal_removes_it():
    invitation, _, staff = speaker_invitation()
    answer(invitation, "tentative")
    assert not SessionRole.objects.exists()

    answer(invitation, "accepted")
    assert SessionRole.objects.count() == 1
    withdraw_invitation(invitation, withdrawn_by=staff)
    assert not SessionRole.objects.exists()


def test_a_role_staff_already_entered_is_not_duplicated():
    invitation, session, _ = speaker_invitation()
    SessionRole.objects.create(session=session, expert=invitation.expert, role="speaker")
    answer(invitation, "accepted")
    assert SessionRole.objects.count() == 1
    assert not invitation.events.filter(details__session_role="added").exists()
