"""The access log: written by record_access, readable by administrators only, never editable."""

import pytest
from django.contrib.auth.models import Group

from academy_portal.core import roles
from academy_portal.core.models import AccessLog
from academy_portal.core.services import record_access
from tests.factories import UserFactory


def _staff(group):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.mark.django_db
def test_record_access_keeps_who_what_and_which_records():
    user = _staff(roles.FORUM_COORDINATORS)
    row = record_access(
        user=user,
        action=AccessLog.Action.EXPORT,
        model=AccessLog,
        what="Invitations CSV",
        object_ids=[3, 1, 2],
        personal_details=True,
    )
    row.refresh_from_db()
    assert (row.user, row.action, row.model_label) == (user, "export", "core.accesslog")
    assert (row.record_count, row.object_ids, row.personal_details) == (3, [3, 1, 2], True)
    assert row.at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("group", "status"),
    [
        (roles.ADMINISTRATORS, 200),
        (roles.VIEWERS, 403),
        (roles.FORUM_COORDINATORS, 403),
        (roles.PARTNERSHIPS_OFFICERS, 403),
    ],
)
def test_only_administrators_read_the_access_log(client, group, status):
    user = _staff(group)
    record_access(
        user=user, action="view", model=AccessLog, what="x", object_ids=[1], personal_details=True
    )
    client.force_login(user)
    assert client.get("/admin/core/accesslog/").status_code == status
    row = AccessLog.objects.get()
    assert client.get(f"/admin/core/accesslog/{row.pk}/change/").status_code == status


@pytest.mark.django_db
def test_nobody_edits_or_deletes_the_access_log(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    row = record_access(user=admin_user, action="view", model=AccessLog, what="x", object_ids=[1])
    client.force_login(admin_user)
    response = client.post(f"/admin/core/accesslog/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AccessLog.objects.filter(pk=row.pk).exists()
    assert client.get("/admin/core/accesslog/add/").status_code == 403
