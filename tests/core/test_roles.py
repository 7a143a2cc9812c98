import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from academy_portal.core.roles import (
    ADMINISTRATORS,
    FORUM_COORDINATORS,
    PARTNERSHIPS_OFFICERS,
    ROLE_RULES,
    VIEWERS,
    sync_roles,
)
from experts.models import Expert
from forums.models import Edition
from partners.models import MOU
from tests.factories import (
    ContactFactory,
    ExpertFactory,
    MOUFactory,
    SessionRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PORTAL_MODELS = [
    "partners_institution",
    "partners_mou",
    "partners_contact",
    "experts_expert",
    "experts_expertisearea",
    "forums_forum",
    "forums_edition",
    "forums_session",
    "forums_sessionrole",
]


def login(client, role):
    user = UserFactory(groups=[role])
    client.force_login(user)
    return user


@pytest.fixture
def rows():
    role = SessionRoleFactory()
    mou = MOUFactory()
    ContactFactory(institution=mou.institution)
    role.expert.expertise_areas.create(name="Law of the sea", slug="law-of-the-sea")
    return {"edition": role.session.edition, "expert": role.expert, "mou": mou}


def edition_data(edition, **overrides):
    data = {
        "forum": edition.forum_id,
        "number": edition.number,
        "title": edition.title,
        "theme": edition.theme,
        "status": edition.status,
        "start_date": edition.start_date.isoformat(),
        "end_date": edition.end_date.isoformat(),
        "city": edition.city,
        "venue": edition.venue,
        "format": edition.format,
        "capacity": edition.capacity,
        "rsvp_deadline": edition.rsvp_deadline.isoformat(),
        "default_attribution": edition.default_attribution,
        "contact_email": "",
        "practical_information": "",
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def mou_data(mou, **overrides):
    data = {
        "institution": mou.institution_id,
        "title": mou.title,
        "academy_unit": mou.academy_unit,
        "status": mou.status,
        "signed_on": mou.signed_on.isoformat(),
        "effective_from": mou.effective_from.isoformat(),
        "expires_on": mou.expires_on.isoformat(),
        "areas_of_cooperation": "",
        "signatories": "",
        "supersedes": "",
        "renewal_notes": "",
    }
    data.update(overrides)
    return data


def expert_data(expert, **overrides):
    data = {
        "honorific": expert.honorific,
        "given_name": expert.given_name,
        "family_name": expert.family_name,
        "name_order": expert.name_order,
        "email": expert.email,
        "preferred_language": expert.preferred_language,
        "capacity": expert.capacity,
        "affiliation": expert.affiliation_id,
    }
    data.update(overrides)
    return data


def test_role_groups_exist_after_migrate_with_their_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_RULES)
    viewers = set(Group.objects.get(name=VIEWERS).permissions.values_list("codename", flat=True))
    assert {"view_mou", "view_edition", "view_expert"} <= viewers
    assert not {c for c in viewers if not c.startswith("view_")}
    coordinators = Group.objects.get(name=FORUM_COORDINATORS).permissions
    assert coordinators.filter(codename="change_edition").exists()
    assert coordinators.filter(codename="change_expert").exists()
    assert not coordinators.filter(codename="change_mou").exists()
    officers = Group.objects.get(name=PARTNERSHIPS_OFFICERS).permissions
    assert officers.filter(codename="change_mou").exists()
    assert not officers.filter(codename="change_edition").exists()
    admins = Group.objects.get(name=ADMINISTRATORS).permissions
    assert admins.filter(codename="change_user").exists()


def test_sync_roles_restores_a_removed_permission_and_is_idempotent():
    viewers = Group.objects.get(name=VIEWERS)
    viewers.permissions.remove(Permission.objects.get(codename="view_mou"))
    sync_roles(group_model=Group, permission_model=Permission)
    sync_roles(group_model=Group, permission_model=Permission)
    assert viewers.permissions.filter(codename="view_mou").exists()
    assert Group.objects.filter(name=VIEWERS).count() == 1


def test_viewer_sees_everything_and_changes_nothing(client, rows):
    login(client, VIEWERS)
    for model in PORTAL_MODELS:
        response = client.get(reverse(f"admin:{model}_changelist"))
        assert response.status_code == 200, model
        assert reverse(f"admin:{model}_add") not in response.text, model
        assert 'value="delete_selected"' not in response.text, model

    url = reverse("admin:forums_edition_change", args=[rows["edition"].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.text
    assert "deletelink" not in response.text
    response = client.post(url, edition_data(rows["edition"], title="Changed by a viewer"))
    assert response.status_code == 403
    assert Edition.objects.get(pk=rows["edition"].pk).title != "Changed by a viewer"

    url = reverse("admin:partners_mou_change", args=[rows["mou"].pk])
    assert client.post(url, mou_data(rows["mou"], title="Changed")).status_code == 403
    assert client.get(reverse("admin:partners_mou_add")).status_code == 403
    delete_url = reverse("admin:experts_expert_delete", args=[rows["expert"].pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Expert.objects.filter(pk=rows["expert"].pk).exists()


def test_forum_coordinator_edits_experts_and_editions_but_not_mous(client, rows):
    login(client, FORUM_COORDINATORS)
    expert = rows["expert"]
    response = client.post(
        reverse("admin:experts_expert_change", args=[expert.pk]),
        expert_data(expert, position="Director"),
    )
    assert response.status_code == 302
    expert.refresh_from_db()
    assert expert.position == "Director"

    edition = rows["edition"]
    response = client.post(
        reverse("admin:forums_edition_change", args=[edition.pk]),
        edition_data(edition, title="Renamed edition"),
    )
    assert response.status_code == 302
    assert Edition.objects.get(pk=edition.pk).title == "Renamed edition"

    mou = rows["mou"]
    url = reverse("admin:partners_mou_change", args=[mou.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.text
    assert client.post(url, mou_data(mou, title="Changed by a coordinator")).status_code == 403
    assert MOU.objects.get(pk=mou.pk).title != "Changed by a coordinator"
    assert client.get(reverse("admin:partners_mou_add")).status_code == 403


def test_partnerships_officer_edits_mous_but_not_editions(client, rows):
    login(client, PARTNERSHIPS_OFFICERS)
    mou = rows["mou"]
    response = client.post(
        reverse("admin:partners_mou_change", args=[mou.pk]), mou_data(mou, title="Renewed MOU")
    )
    assert response.status_code == 302
    assert MOU.objects.get(pk=mou.pk).title == "Renewed MOU"

    edition = rows["edition"]
    url = reverse("admin:forums_edition_change", args=[edition.pk])
    assert 'name="_save"' not in client.get(url).text
    assert client.post(url, edition_data(edition, title="Changed")).status_code == 403
    assert client.get(reverse("admin:forums_edition_add")).status_code == 403
    expert_url = reverse("admin:experts_expert_change", args=[rows["expert"].pk])
    assert client.post(expert_url, expert_data(rows["expert"])).status_code == 403


def test_staff_without_a_role_sees_no_portal_data(client, rows):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert rows["mou"].title not in response.text
    assert client.get(reverse("admin:partners_mou_changelist")).status_code == 403


def test_non_staff_cannot_enter_the_admin(client):
    client.force_login(UserFactory(is_staff=False, groups=[ADMINISTRATORS]))
    response = client.get(reverse("admin:partners_mou_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert ExpertFactory._meta.model.objects.count() == 0
