"""Staff's side of the programme: the edition page's warnings, publishing, schedule changes,
and the offered role and session named in the invitation email and on the RSVP page."""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from academy_portal.core import roles
from academy_portal.mail.models import OutboxMessage
from forums.models import Edition, Invitation, SessionRole
from forums.programme import programme_warnings
from forums.services import withdraw_invitation
from tests.factories import (
    EditionFactory,
    ExpertFactory,
    SessionFactory,
    SessionRoleFactory,
    UserFactory,
)
from tests.forums.invitation_factories import sent_invitation
from tests.forums.programme_factories import answer, speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    user = UserFactory(groups=[roles.FORUM_COORDINATORS])
    client.force_login(user)
    client.user = user
    return client


def change_page(client, edition) -> str:
    response = client.get(reverse("admin:forums_edition_change", args=[edition.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_every_role_without_an_invitation_that_brings_its_expert_is_warned_of(coordinator):
    edition = EditionFactory()
    opening = SessionFactory(edition=edition, title="Opening Session")
    never_invited = SessionRoleFactory(session=opening, expert=ExpertFactory(family_name="Noinv"))
    declined, declined_invitation, _ = speaker(opening, family_name="Declinedone")
    answer(declined_invitation, Invitation.Status.DECLINED)
    SessionRole.objects.create(session=opening, expert=declined, role="speaker")
    withdrawn, withdrawn_invitation, _ = speaker(opening, family_name="Withdrawnone")
    withdraw_invitation(withdrawn_invitation, withdrawn_by=coordinator.user)
    SessionRole.objects.create(session=opening, expert=withdrawn, role="moderator")
    fine, *_ = speaker(opening, family_name="Acceptedone")
    pending, *_ = speaker(opening, family_name="Pendingone", answered=None)
    SessionRole.objects.create(session=opening, expert=pending, role="speaker")
    other_edition_role = SessionRoleFactory(expert=ExpertFactory(family_name="Elsewhere"))

    warnings = programme_warnings(edition=edition)
    html = change_page(coordinator, edition)

    warned = {
        role.expert.family_name: role.invitation_status
        for role in warnings.roles_without_invitation
    }
    assert warned == {"Noinv": None, "Declinedone": "declined", "Withdrawnone": "withdrawn"}
    assert "The programme needs attention" in html
    assert "Opening Session" in html
    assert f"{never_invited.expert.full_name}</a> —" in html
    assert "not invited to this edition" in html
    assert "declined the invitation" in html and "invitation withdrawn" in html
    for quiet in (fine, pending, other_edition_role.expert):
        assert (
            quiet.full_name not in html.split("The programme needs attention")[1].split("</div>")[0]
        )


def test_an_accepted_role_that_is_not_on_the_programme_is_warned_of(coordinator):
    edition = EditionFactory()
    panel = SessionFactory(edition=edition, title="Panel 2: UNCLOS")
    moved, invitation, _ = speaker(panel, role="moderator", family_name="Moderatorwoman")
    assert not programme_warnings(edition=edition)  # accepting put her on the panel
    SessionRole.objects.filter(expert=moved).delete()  # a coordinator reshuffled the panel
    removed_session = SessionFactory(edition=edition, title="Panel 3: Dropped")
    speaker(removed_session, family_name="Sessionless")
    removed_session.delete()  # the offer keeps its role, its session is gone

    warnings = programme_warnings(edition=edition)
    html = change_page(coordinator, edition)

    assert {i.expert.family_name for i in warnings.offers_off_programme} == {
        "Moderatorwoman",
        "Sessionless",
    }
    assert "accepted a role that is not on the programme" in html
    assert "Moderator, Panel 2: UNCLOS" in html
    assert "the offered session was removed" in html
    assert reverse("admin:forums_invitation_change", args=[invitation.pk]) in html


def test_a_programme_without_problems_shows_no_warning(coordinator):
    edition = EditionFactory()
    speaker(SessionFactory(edition=edition))
    assert "The programme needs attention" not in change_page(coordinator, edition)


@pytest.mark.parametrize("roles_count", [1, 15])
def test_the_edition_page_makes_the_same_queries_whatever_the_warnings(
    coordinator, django_assert_num_queries, roles_count
):
    edition = EditionFactory()
    session = SessionFactory(edition=edition)
    SessionRoleFactory.create_batch(roles_count, session=session)
    for _ in range(roles_count):
        _, invitation, _ = speaker(session)
        SessionRole.objects.filter(expert=invitation.expert).delete()
    # Measured: 11 (session, user, edition, the two warnings' queries, the inline's sessions,
    # the attendance summary...), the same with 1 or 15 warnings.
    with django_assert_num_queries(11):
        html = change_page(coordinator, edition)
    assert html.count("not invited to this edition") == roles_count


def test_publish_and_unpublish_actions_log_who_did_it(coordinator, client):
    edition = EditionFactory()
    changelist = reverse("admin:forums_edition_changelist")
    programme = reverse("forums:programme", args=[edition.forum.slug, edition.number])

    response = coordinator.post(
        changelist, {"action": "publish_selected", "_selected_action": [edition.pk]}, follow=True
    )

    assert "1 programme published" in response.content.decode()
    edition.refresh_from_db()
    assert edition.is_published
    assert LogEntry.objects.filter(
        object_id=str(edition.pk), change_message="Programme published."
    ).exists()
    assert programme in change_page(coordinator, edition)  # the link to the public page
    assert coordinator.get(programme).status_code == 200

    coordinator.post(changelist, {"action": "unpublish_selected", "_selected_action": [edition.pk]})

    edition.refresh_from_db()
    assert not edition.is_published
    assert coordinator.get(programme).status_code == 404


def test_a_viewer_cannot_publish(client):
    client.force_login(UserFactory(groups=[roles.VIEWERS]))
    edition = EditionFactory()
    client.post(
        reverse("admin:forums_edition_changelist"),
        {"action": "publish_selected", "_selected_action": [edition.pk]},
    )
    edition.refresh_from_db()
    assert not edition.is_published


def test_changing_a_sessions_times_in_the_admin_raises_the_schedule_sequence(coordinator):
    session = SessionFactory(room="Hall A")
    edition = session.edition
    url = reverse("admin:forums_session_change", args=[session.pk])
    form = {
        "edition": edition.pk,
        "title": session.title,
        "title_vi": "",
        "kind": session.kind,
        "starts_at_0": session.starts_at.astimezone().date().isoformat(),
        "room": "Hall A",
        "attribution": "",
        "description": "",
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
    }
    local = session.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
    form |= {
        "starts_at_0": local.date().isoformat(),
        "starts_at_1": "09:00",
        "ends_at_0": local.date().isoformat(),
        "ends_at_1": "10:30",
    }
    assert coordinator.post(url, form).status_code == 302
    assert Edition.objects.get(pk=edition.pk).schedule_sequence == 0  # nothing moved

    form |= {"starts_at_1": "10:00", "ends_at_1": "11:30"}
    assert coordinator.post(url, form).status_code == 302

    assert Edition.objects.get(pk=edition.pk).schedule_sequence == 1


def test_the_invitation_email_and_the_rsvp_page_name_the_offered_role_and_session(client):
    session = SessionFactory(title="Panel 2: UNCLOS and International Law", room="Lotus Room")
    expert, _, token = speaker(session, role="moderator", answered=None)
    email = OutboxMessage.objects.get(to_email=expert.email, kind="invitation")

    assert "Panel 2: UNCLOS and International Law" in email.text_body
    assert "as Moderator" in email.text_body
    page = client.get(reverse("forums:rsvp", args=[token])).content.decode()
    assert "Panel 2: UNCLOS and International Law" in page
    assert "Your role" in page and "Moderator" in page


def test_the_consent_to_be_listed_is_asked_only_of_those_with_a_role(client):
    session = SessionFactory()
    _, _, with_role = speaker(session, answered=None)
    page = client.get(reverse("forums:rsvp", args=[with_role])).content.decode()
    assert "List my name in the public programme" in page
    assert 'name="listing_consent"' in page and 'name="listing_consent" checked' not in page

    _, plain = sent_invitation(edition=session.edition)
    page = client.get(reverse("forums:rsvp", args=[plain])).content.decode()
    assert "List my name in the public programme" not in page


def test_the_consent_ticked_on_the_form_is_stored_with_its_time(client):
    session = SessionFactory()
    _, invitation, token = speaker(session, answered=None)
    data = {
        "answer": "accepted",
        "privacy_consent": "on",
        "chatham_house_acknowledged": "on",
        "listing_consent": "on",
        "version": invitation.version,
    }
    response = client.post(reverse("forums:rsvp", args=[token]), data)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.listing_consent and invitation.listing_consented_at is not None
