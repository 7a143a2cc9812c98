"""What staff did through the services shows in the admin log ("Recent actions", History);
the staff home offers each role only what it can use."""

from pathlib import Path

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from academy_portal.core import roles
from forums.models import Edition, Invitation
from forums.services import withdraw_invitation
from forums.services.privacy import anonymise_expert, request_erasure
from forums.services.reminders import remind_invitation_now
from forums.services.rsvp import submit_rsvp
from partners.models import PartnerImport
from tests.factories import EditionFactory, ExpertFactory, UserFactory
from tests.forums.invitation_factories import sent_invitation

pytestmark = pytest.mark.django_db
INDEX = reverse("admin:index")
PARTNER_FILES = Path(__file__).parent.parent / "partners" / "files"


def recent_actions(html: str) -> str:
    return html.split('id="recent-actions-module"')[1]


def messages_for(obj) -> list[str]:
    return list(
        LogEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
        .order_by("pk")
        .values_list("change_message", flat=True)
    )


def test_sent_reminded_and_withdrawn_invitations_are_in_recent_actions(client, settings):
    settings.MANUAL_REMINDER_MIN_GAP = 0
    coordinator = UserFactory(groups=[roles.FORUM_COORDINATORS])
    expert = ExpertFactory(given_name="Linh", family_name="Tran")
    invitation, _ = sent_invitation(coordinator, expert=expert)
    assert remind_invitation_now(invitation, reminded_by=coordinator)
    withdraw_invitation(invitation, withdrawn_by=coordinator)

    assert messages_for(invitation) == [
        "Invitation sent.",
        "Reminder sent.",
        "Invitation withdrawn.",
    ]
    entry = LogEntry.objects.filter(object_id=str(invitation.pk)).first()
    assert (entry.user, entry.action_flag) == (coordinator, CHANGE)

    client.force_login(coordinator)
    recent = recent_actions(client.get(INDEX).text)
    assert str(invitation) in recent
    # The entry links to the invitation's admin page (the admin's own History works too).
    assert reverse("admin:forums_invitation_change", args=[invitation.pk]) in recent
    history = client.get(reverse("admin:forums_invitation_history", args=[invitation.pk]))
    assert "Invitation withdrawn." in history.text


def test_an_experts_answer_and_a_scheduled_task_are_not_admin_actions():
    invitation, _token = sent_invitation()
    LogEntry.objects.all().delete()
    submit_rsvp(invitation, answer=Invitation.Status.DECLINED, expected_version=invitation.version)
    assert not LogEntry.objects.exists()
    withdraw_invitation(invitation, withdrawn_by=None)  # e.g. a task without a user
    assert not LogEntry.objects.exists()


def test_an_erasure_is_logged_without_the_erased_name():
    administrator = UserFactory(groups=[roles.ADMINISTRATORS])
    expert = ExpertFactory(given_name="Minh", family_name="Nguyen")
    anonymise_expert(erasure_request=request_erasure(expert=expert), by=administrator)
    entry = LogEntry.objects.get(object_id=str(expert.pk), content_type__model="expert")
    assert entry.change_message == "Personal data erased on request."
    assert "Minh" not in entry.object_repr and "Nguyen" not in entry.object_repr


def test_a_confirmed_partner_import_is_logged(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = UserFactory(groups=[roles.PARTNERSHIPS_OFFICERS])
    client.force_login(officer)
    name = "valid_utf8_bom_semicolon_vi.csv"
    data = (PARTNER_FILES / name).read_bytes()
    client.post(
        reverse("admin:partners_partnerimport_upload"), {"file": SimpleUploadedFile(name, data)}
    )
    assert not LogEntry.objects.exists()  # a preview changes nothing
    record = PartnerImport.objects.get()
    client.post(reverse("admin:partners_partnerimport_confirm", args=[record.pk]))
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id) == (officer, ADDITION, str(record.pk))
    assert entry.change_message == "Partner file imported."
    assert str(record) in recent_actions(client.get(INDEX).text)


@pytest.mark.parametrize(
    ("role", "sees_invite"),
    [
        (roles.VIEWERS, False),
        (roles.PARTNERSHIPS_OFFICERS, False),
        (roles.FORUM_COORDINATORS, True),
    ],
)
def test_invite_experts_is_offered_only_to_roles_that_may_invite(client, role, sees_invite):
    edition = EditionFactory(status=Edition.Status.INVITATIONS_OPEN)
    client.force_login(UserFactory(groups=[role]))
    invite_link = f"?not_invited_to={edition.pk}"
    edition_page = client.get(reverse("admin:forums_edition_change", args=[edition.pk]))
    assert edition_page.status_code == 200
    assert (invite_link in edition_page.text) is sees_invite
    invitations = client.get(
        reverse("admin:forums_invitation_changelist"), {"edition__id__exact": edition.pk}
    )
    assert invitations.status_code == 200
    assert ("Invite experts<" in invitations.text) is sees_invite


ADMIN_ONLY_LINKS = (
    reverse("admin:sites_site_changelist"),
    reverse("admin:account_emailaddress_changelist"),
)


@pytest.mark.parametrize(
    "role", [roles.VIEWERS, roles.FORUM_COORDINATORS, roles.PARTNERSHIPS_OFFICERS]
)
def test_sites_and_email_addresses_are_not_on_other_roles_staff_home(client, role):
    user = UserFactory(groups=[role])
    # Even given the permissions, a non-administrator's home is not cluttered with them.
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_site", "view_emailaddress"])
    )
    client.force_login(user)
    html = client.get(INDEX).text
    for link in ADMIN_ONLY_LINKS:
        assert link not in html


def test_administrators_and_superusers_keep_them(client, admin_client):
    client.force_login(UserFactory(groups=[roles.ADMINISTRATORS]))
    html = client.get(INDEX).text
    for link in ADMIN_ONLY_LINKS:
        assert link in html
    superuser_home = admin_client.get(INDEX).text
    assert reverse("admin:mfa_authenticator_changelist") in superuser_home
    for link in ADMIN_ONLY_LINKS:
        assert link in superuser_home
