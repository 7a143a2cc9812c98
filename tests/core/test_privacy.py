"""The personal-details rule: coordinators and administrators read, other roles see "given"."""

import pytest
from django.contrib.auth.models import Group

from academy_portal.core import roles
from academy_portal.core.privacy import WITHHELD, can_see_personal_details, shown_value
from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("group", "allowed"),
    [
        (roles.FORUM_COORDINATORS, True),
        (roles.ADMINISTRATORS, True),
        (roles.VIEWERS, False),
        (roles.PARTNERSHIPS_OFFICERS, False),
    ],
)
def test_only_coordinators_and_administrators_read_personal_details(group, allowed):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    assert can_see_personal_details(user) is allowed


@pytest.mark.django_db
def test_an_inactive_user_reads_nothing():
    user = UserFactory(is_staff=True, is_superuser=True, is_active=False)
    assert can_see_personal_details(user) is False


def test_shown_value_withholds_content_but_not_presence():
    assert shown_value("NGUYEN VAN A", visible=True) == "NGUYEN VAN A"
    assert shown_value("NGUYEN VAN A", visible=False) == WITHHELD
    assert shown_value("", visible=False) == ""
    assert shown_value(None, visible=False) == ""
