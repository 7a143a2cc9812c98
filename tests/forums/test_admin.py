import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from forums.admin import editions as editions_admin
from forums.admin.editions import edition_filter_label
from forums.models import Edition, Session
from tests.factories import (
    EditionFactory,
    ExpertFactory,
    ForumFactory,
    SessionFactory,
    SessionRoleFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST_MAX_QUERIES = 8


def edition_post_data(forum, **overrides):
    data = {
        "forum": forum.pk,
        "number": "16",
        "title": "The 16th South China Sea Conference",
        "theme": "",
        "status": Edition.Status.PLANNING,
        "start_date": "2026-11-20",
        "end_date": "2026-11-21",
        "city": "Hà Nội",
        "venue": "",
        "format": Edition.Format.IN_PERSON,
        "capacity": "200",
        "rsvp_deadline": "",
        "default_attribution": "chatham_house",
        "contact_email": "",
        "practical_information": "",
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("rows", [1, 60])
def test_forum_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, rows
):
    for forum in ForumFactory.create_batch(rows):
        EditionFactory(forum=forum)
    with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES):
        response = admin_client.get(reverse("admin:forums_forum_changelist"))
    assert response.context["cl"].result_count == rows


@pytest.mark.parametrize("rows", [1, 60])
def test_edition_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, rows
):
    # Each edition has its own forum, so the forum filter grows too.
    for edition in EditionFactory.create_batch(rows):
        SessionFactory(edition=edition)
    with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES):
        response = admin_client.get(reverse("admin:forums_edition_changelist"))
    assert response.context["cl"].result_count == rows


@pytest.mark.parametrize("rows", [1, 60])
def test_session_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, rows
):
    for session in SessionFactory.create_batch(rows):
        SessionRoleFactory(session=session)
    with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES):
        response = admin_client.get(reverse("admin:forums_session_changelist"))
    assert response.context["cl"].result_count == rows


@pytest.mark.parametrize("rows", [1, 60])
def test_session_role_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, rows
):
    SessionRoleFactory.create_batch(rows)
    with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES):
        response = admin_client.get(reverse("admin:forums_sessionrole_changelist"))
    assert response.context["cl"].result_count == rows


def test_edition_ending_before_it_starts_is_a_form_error(admin_client):
    forum = ForumFactory()
    response = admin_client.post(
        reverse("admin:forums_edition_add"),
        edition_post_data(forum, start_date="2026-11-20", end_date="2026-11-19"),
    )
    assert response.status_code == 200
    assert "The end date cannot be before the start date." in response.text
    assert not Edition.objects.exists()


def test_duplicate_edition_number_is_a_form_error(admin_client):
    edition = EditionFactory(number=16)
    response = admin_client.post(
        reverse("admin:forums_edition_add"), edition_post_data(edition.forum)
    )
    assert response.status_code == 200
    assert Edition.objects.count() == 1
    assert response.context["adminform"].form.errors


def test_edition_with_inline_session_ending_before_start_is_a_form_error(admin_client):
    forum = ForumFactory()
    data = edition_post_data(
        forum,
        **{
            "sessions-TOTAL_FORMS": "1",
            "sessions-0-title": "Opening",
            "sessions-0-kind": "opening",
            "sessions-0-starts_at_0": "2026-11-20",
            "sessions-0-starts_at_1": "09:00",
            "sessions-0-ends_at_0": "2026-11-20",
            "sessions-0-ends_at_1": "08:00",
            "sessions-0-room": "",
            "sessions-0-attribution": "",
        },
    )
    response = admin_client.post(reverse("admin:forums_edition_add"), data)
    assert response.status_code == 200
    assert "A session cannot end before it starts." in response.text
    assert not Edition.objects.exists()

    data["sessions-0-ends_at_1"] = "10:30"
    response = admin_client.post(reverse("admin:forums_edition_add"), data)
    assert response.status_code == 302
    assert Session.objects.get().edition.title == "The 16th South China Sea Conference"


def test_edition_page_lists_sessions_and_session_page_lists_roles(admin_client):
    session = SessionFactory(title="Panel 1: Freedom of navigation")
    speaker = ExpertFactory(given_name="Jane", family_name="Smith")
    SessionRoleFactory(session=session, expert=speaker)
    response = admin_client.get(reverse("admin:forums_edition_change", args=[session.edition.pk]))
    assert response.status_code == 200
    assert "Panel 1: Freedom of navigation" in response.text
    response = admin_client.get(reverse("admin:forums_session_change", args=[session.pk]))
    assert response.status_code == 200
    assert "Jane Smith" in response.text


def test_edition_and_session_filters(admin_client):
    upcoming = EditionFactory(status=Edition.Status.INVITATIONS_OPEN)
    EditionFactory(
        status=Edition.Status.HELD,
        start_date=timezone.localdate() - dt.timedelta(days=400),
        end_date=timezone.localdate() - dt.timedelta(days=399),
        rsvp_deadline=None,
    )
    response = admin_client.get(
        reverse("admin:forums_edition_changelist"), {"status__exact": "invitations_open"}
    )
    assert list(response.context["cl"].result_list) == [upcoming]
    response = admin_client.get(
        reverse("admin:forums_edition_changelist"), {"forum__id__exact": upcoming.forum_id}
    )
    assert list(response.context["cl"].result_list) == [upcoming]

    session = SessionFactory(edition=upcoming)
    SessionFactory()
    response = admin_client.get(
        reverse("admin:forums_session_changelist"), {"edition__id__exact": upcoming.pk}
    )
    assert list(response.context["cl"].result_list) == [session]
    assert edition_filter_label(upcoming) in response.text.split('id="changelist-filter"')[1]


def test_session_shows_effective_attribution(admin_client):
    SessionFactory(edition=EditionFactory(default_attribution="chatham_house"), attribution="")
    response = admin_client.get(reverse("admin:forums_session_changelist"))
    assert "Chatham House Rule" in response.text


def test_session_role_search_ignores_diacritics(admin_client):
    son = ExpertFactory(given_name="Hùng Sơn", family_name="Nguyễn", name_order="family_first")
    role = SessionRoleFactory(expert=son)
    SessionRoleFactory()
    response = admin_client.get(
        reverse("admin:forums_sessionrole_changelist"), {"q": "nguyen hung son"}
    )
    assert list(response.context["cl"].result_list) == [role]


def test_edition_filter_lists_those_to_come_then_the_latest_and_the_chosen_one(
    admin_client, monkeypatch
):
    monkeypatch.setattr(editions_admin, "EDITIONS_SHOWN", 2)
    today = timezone.localdate()
    forum = ForumFactory(short_name="SCS")

    def edition(number, days):
        start = today + dt.timedelta(days=days)
        return EditionFactory(
            forum=forum, number=number, start_date=start, end_date=start, rsvp_deadline=None
        )

    oldest, older, soon = edition(1, -800), edition(2, -400), edition(3, 30)

    def listed(**params):
        response = admin_client.get(reverse("admin:forums_invitation_changelist"), params)
        spec = next(s for s in response.context["cl"].filter_specs if s.field_path == "edition")
        return [pk for pk, _ in spec.lookup_choices]

    assert listed() == [soon.pk, older.pk]
    assert listed(edition__id__exact=oldest.pk) == [soon.pk, older.pk, oldest.pk]
