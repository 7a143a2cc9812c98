import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from academy_portal.core.roles import FORUM_COORDINATORS, VIEWERS
from academy_portal.staff.dashboard import get_staff_home_context
from forums.models import Edition
from partners.models import MOU
from tests.factories import (
    EditionFactory,
    ExpertFactory,
    ForumFactory,
    InstitutionFactory,
    MOUFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INDEX_MAX_QUERIES = 17  # the figures, lists and charts


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def test_staff_home_lists_upcoming_editions_and_expiring_mous(admin_client):
    forum = ForumFactory(short_name="SCS")
    EditionFactory(forum=forum, number=16, title="The 16th SCS Conference", start_date=days(30))
    EditionFactory(
        forum=forum,
        number=14,
        title="The 14th SCS Conference",
        start_date=days(-400),
        end_date=days(-399),
        rsvp_deadline=None,
        status=Edition.Status.HELD,
    )
    EditionFactory(
        forum=forum, number=17, title="Archived plan", start_date=days(90), status="archived"
    )
    partner = InstitutionFactory(name="Lowy Institute", acronym="")
    MOUFactory(institution=partner, title="MOU expiring soon", expires_on=days(12))
    MOUFactory(title="MOU running long", expires_on=days(400))
    MOUFactory(title="Draft MOU", status=MOU.Status.DRAFT, expires_on=days(10))
    ExpertFactory.create_batch(3)

    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.text
    upcoming = html.split('id="upcoming-editions"')[1].split('id="expiring-mous"')[0]
    assert "The 16th SCS Conference" in upcoming
    assert "The 14th SCS Conference" not in upcoming
    assert "Archived plan" not in upcoming
    assert "Invitations open" in upcoming
    expiring = html.split('id="expiring-mous"')[1]
    assert "MOU expiring soon" in expiring
    assert "Lowy Institute" in expiring
    assert "12 days" in expiring
    assert "MOU running long" not in expiring
    assert "Draft MOU" not in expiring
    assert "MOUs expiring within 90 days" in html

    counts = response.context["counts"]
    assert counts.forums == 1
    assert counts.editions == 3
    assert counts.upcoming_editions == 1
    assert counts.experts == 3
    assert counts.active_mous == 2
    assert counts.expiring_mous == 1
    assert counts.institutions == 6  # 3 partners of MOUs + 3 affiliations of experts
    # The usual app list follows.
    assert 'class="app-partners module' in html
    # Strict CSP: nothing inline on the page.
    assert 'style="' not in html
    assert "<script>" not in html


@pytest.mark.parametrize("rows", [1, 40])
def test_staff_home_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, rows
):
    for i in range(rows):
        EditionFactory(start_date=days(10 + i))
        MOUFactory(expires_on=days(5 + i))
    ExpertFactory.create_batch(rows)
    with django_assert_max_num_queries(INDEX_MAX_QUERIES):
        response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert len(response.context["upcoming_editions"]) == min(rows, 8)
    assert len(response.context["expiring_mous"]) == min(rows, 10)
    if rows > 10:
        assert f"All {rows} expiring MOUs" in response.text
        assert f"All {rows} upcoming editions" in response.text


def test_staff_home_for_a_viewer_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    client.force_login(UserFactory(groups=[VIEWERS]))
    MOUFactory.create_batch(20, expires_on=days(30))
    with django_assert_max_num_queries(INDEX_MAX_QUERIES + 2):  # + the user's permissions
        response = client.get(reverse("admin:index"))
    assert response.context["counts"].expiring_mous == 20


def test_sections_follow_permissions():
    coordinator = UserFactory(groups=[FORUM_COORDINATORS])
    context = get_staff_home_context(user=coordinator)
    assert "upcoming_editions" in context
    assert "expiring_mous" in context  # coordinators may view partners

    nobody = UserFactory()
    context = get_staff_home_context(user=nobody)
    assert "upcoming_editions" not in context
    assert "expiring_mous" not in context
    assert context["counts"].experts is None


def test_expiring_window_follows_the_setting(admin_client, settings):
    settings.MOU_EXPIRING_WINDOW_DAYS = 30
    MOUFactory(title="In 20 days", expires_on=days(20))
    MOUFactory(title="In 60 days", expires_on=days(60))
    response = admin_client.get(reverse("admin:index"))
    assert [m.title for m in response.context["expiring_mous"]] == ["In 20 days"]
    assert "MOUs expiring within 30 days" in response.text
