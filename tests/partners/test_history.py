import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from academy_portal.core.roles import PARTNERSHIPS_OFFICERS, VIEWERS
from forums.models import Invitation, SessionRole
from partners import services
from tests.factories import (
    ContactFactory,
    EditionFactory,
    ExpertFactory,
    ForumFactory,
    InstitutionFactory,
    MOUFactory,
    SessionFactory,
    SessionRoleFactory,
    UserFactory,
)


def history_url(institution):
    return reverse("partners:institution_history", args=[institution.pk])


@pytest.fixture
def viewer(db):
    return UserFactory(username="viewer", groups=[VIEWERS])


@pytest.fixture
def officer(db):
    return UserFactory(username="officer", groups=[PARTNERSHIPS_OFFICERS])


def add_partner_rows(institution, *, n: int, officer):
    """n renewal chains of two MOUs, n contacts, n experts each with an invitation and a role."""
    today = timezone.localdate()
    forum = ForumFactory(short_name="ICSCS")
    for i in range(n):
        old = MOUFactory(
            institution=institution,
            title=f"Research MOU {i}",
            signed_on=today - dt.timedelta(days=2000 + i),
            expires_on=today + dt.timedelta(days=30 + i),
        )
        services.renew_mou(
            old,
            signed_on=today,
            expires_on=today + dt.timedelta(days=1800),
            renewed_by=officer,
            title=f"Research MOU {i} (renewed)",
        )
        ContactFactory(institution=institution, name=f"Contact {i}")
        expert = ExpertFactory(affiliation=institution, family_name=f"Expert{i}")
        edition = EditionFactory(forum=forum)
        Invitation.objects.create(
            edition=edition,
            expert=expert,
            status=Invitation.Status.ACCEPTED,
            attendance=Invitation.Attendance.IN_PERSON,
        )
        SessionRoleFactory(
            expert=expert, session=SessionFactory(edition=edition), role=SessionRole.Role.SPEAKER
        )


def test_history_shows_mous_over_time_contacts_experts_and_participation(client, viewer, officer):
    today = timezone.localdate()
    institution = InstitutionFactory(name="Lowy Institute", acronym="LOWY")
    first = MOUFactory(
        institution=institution,
        title="MOU on Indo-Pacific studies",
        signed_on=dt.date(2015, 5, 1),
        effective_from=dt.date(2015, 5, 1),
        expires_on=dt.date(2020, 4, 30),
        status="expired",
    )
    second = services.renew_mou(
        first,
        title="MOU on Indo-Pacific studies 2020",
        signed_on=dt.date(2020, 4, 20),
        expires_on=today + dt.timedelta(days=45),
        renewed_by=officer,
    )
    MOUFactory(institution=institution, title="MOU on student exchange", expires_on=None)
    MOUFactory(title="Someone else's MOU")
    ContactFactory(institution=institution, name="Ms. Rory Medcalf", email="rory@lowy.test")
    expert = ExpertFactory(
        honorific="Dr.", given_name="Susannah", family_name="Patton", affiliation=institution
    )
    ExpertFactory(given_name="Idle", family_name="Fellow", affiliation=institution)
    edition = EditionFactory(
        forum=ForumFactory(short_name="ICSCS"), number=15, start_date=dt.date(2026, 10, 20)
    )
    Invitation.objects.create(
        edition=edition,
        expert=expert,
        status=Invitation.Status.ACCEPTED,
        attendance=Invitation.Attendance.ONLINE,
        offered_role=SessionRole.Role.SPEAKER,
    )
    SessionRoleFactory(
        expert=expert,
        session=SessionFactory(edition=edition, title="Panel 2: Maritime order"),
        role=SessionRole.Role.MODERATOR,
    )
    older = EditionFactory(forum=edition.forum, number=9, start_date=dt.date(2017, 11, 1))
    SessionRoleFactory(
        expert=expert, session=SessionFactory(edition=older, title="Panel 1: Law of the sea")
    )
    client.force_login(viewer)

    response = client.get(history_url(institution))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Lowy Institute" in page
    chains = response.context["history"].mou_chains
    # Newest relationship first; each renewal chain oldest first.
    assert [[m.title for m in chain] for chain in chains] == [
        ["MOU on student exchange"],
        ["MOU on Indo-Pacific studies", "MOU on Indo-Pacific studies 2020"],
    ]
    assert "Renewal chain of 2 MOUs" in page
    assert "Renewed by “MOU on Indo-Pacific studies 2020”" in page
    assert "Renews “MOU on Indo-Pacific studies”" in page
    assert "Expiring" in page and "45 days left" in page  # the derived status
    assert "Open-ended" in page
    assert "Someone else" not in page
    assert reverse("admin:partners_mou_change", args=[second.pk]) in page
    assert "Ms. Rory Medcalf" in page and "rory@lowy.test" in page
    assert "Dr. Susannah Patton" in page
    assert "ICSCS 15" in page and "ICSCS 9" in page
    assert "Accepted" in page and "Online" in page
    assert "Moderator: Panel 2: Maritime order" in page
    assert "Speaker: Panel 1: Law of the sea" in page
    assert "Idle Fellow" in page and "Not invited to any forum edition yet." in page
    # Participation newest first.
    expert_history = next(e for e in response.context["history"].experts if e.expert == expert)
    assert [p.edition.number for p in expert_history.participations] == [15, 9]
    # Viewers may look but not renew.
    assert reverse("partners:mou_renew", args=[second.pk]) not in page


def test_officers_get_a_renew_button_for_mous_not_yet_renewed(client, officer):
    mou = MOUFactory()
    client.force_login(officer)

    page = client.get(history_url(mou.institution)).content.decode()

    assert reverse("partners:mou_renew", args=[mou.pk]) in page


def test_history_of_a_partner_with_nothing_on_file(client, viewer):
    institution = InstitutionFactory()
    client.force_login(viewer)

    page = client.get(history_url(institution)).content.decode()

    assert "No MOU with this institution is on file." in page
    assert "No contact is on file." in page
    assert "No expert on file is affiliated with this institution." in page


def test_history_is_for_staff_with_view_permission_only(client, db):
    institution = InstitutionFactory()
    no_role = UserFactory(username="norole")
    not_staff = UserFactory(username="expert", is_staff=False, groups=[VIEWERS])

    anonymous = client.get(history_url(institution))
    client.force_login(not_staff)
    as_non_staff = client.get(history_url(institution))
    client.force_login(no_role)
    as_no_role = client.get(history_url(institution))

    for response in (anonymous, as_non_staff):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert as_no_role.status_code == 403


def test_unknown_institution_is_a_404(client, viewer):
    client.force_login(viewer)
    assert client.get("/staff/partners/999999/history/").status_code == 404


def test_institution_admin_links_to_the_history(client, officer):
    institution = InstitutionFactory()
    client.force_login(officer)

    page = client.get(reverse("admin:partners_institution_change", args=[institution.pk]))

    assert history_url(institution) in page.content.decode()


@pytest.mark.parametrize("rows", [1, 12])
def test_history_query_count_does_not_grow_with_rows(
    client, viewer, officer, rows, django_assert_max_num_queries
):
    institution = InstitutionFactory()
    add_partner_rows(institution, n=rows, officer=officer)
    client.force_login(viewer)

    # session, user, 2 x permissions, institution, MOUs, contacts, experts, roles, invitations
    with django_assert_max_num_queries(10):
        response = client.get(history_url(institution))

    assert response.status_code == 200
    history = response.context["history"]
    assert len(history.mou_chains) == rows
    assert all(len(chain) == 2 for chain in history.mou_chains)
    assert len(history.contacts) == rows
    assert len(history.experts) == rows
    assert all(e.participations[0].invitation for e in history.experts)
    assert all(e.participations[0].roles for e in history.experts)


@pytest.mark.parametrize("language", ["en", "vi"])
def test_history_dates_are_day_first_in_both_languages(client, viewer, language):
    """8 January 2024 was shown as 01/08/2024 (Django's American English format)."""
    mou = MOUFactory(
        signed_on=dt.date(2024, 1, 8), effective_from=None, expires_on=dt.date(2026, 12, 31)
    )
    client.force_login(viewer)

    page = client.get(history_url(mou.institution), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert "08/01/2024" in page and "31/12/2026" in page
    assert "01/08/2024" not in page and "12/31/2026" not in page
