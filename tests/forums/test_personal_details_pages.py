"""Staff pages and personal details: viewers and partnerships officers see that a detail was
given, never its content; coordinators and administrators read it, and each page that shows it
to them writes one access-log row.

Every check goes through HTTP as each role, on an invitation answered with a Vietnamese passport
name, a dietary need and the other personal details.
"""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils.formats import date_format

from academy_portal.core import roles
from academy_portal.core.models import AccessLog
from forums.models import Invitation, InvitationEvent
from forums.services import invite_expert, send_invitation
from tests.factories import EditionFactory, ExpertFactory, UserFactory
from tests.forums.invitation_factories import InvitationFactory
from tests.forums.personal_details_fixtures import *  # noqa: F403  (pytest fixtures)
from tests.forums.personal_details_fixtures import (
    ALL_ROLES,
    COMPANION,
    CONTENT,
    DIETARY,
    NATIONALITY,
    PASSPORT_NAME,
    READERS_WITH,
    READERS_WITHOUT,
    WITHHELD,
)

pytestmark = pytest.mark.django_db


INVITATIONS_URL = reverse("admin:forums_invitation_changelist")


def change_url(invitation):
    return reverse("admin:forums_invitation_change", args=[invitation.pk])


def travel_dates(invitation):
    return [
        date_format(invitation.arrival_date, "DATE_FORMAT"),
        date_format(invitation.departure_date, "DATE_FORMAT"),
    ]


def logged_in(client, group):
    user = UserFactory(groups=[group])
    client.force_login(user)
    return user


def page(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def assert_no_content(text):
    for value in CONTENT:
        assert value not in text, value


# --- the invitation change page -----------------------------------------------------------


@pytest.mark.parametrize("group", READERS_WITHOUT)
def test_change_page_shows_readers_without_permission_only_that_details_were_given(
    client, answered, group
):
    logged_in(client, group)
    text = page(client.get(change_url(answered)))
    assert_no_content(text)
    assert NATIONALITY[1] not in text
    for shown_date in travel_dates(answered):
        assert shown_date not in text
    # Seven details, each replaced by the same words; the yes/no needs stay readable.
    assert text.count(WITHHELD) == 7
    assert "Name as in passport" in text and "Dietary needs" in text
    assert "Needs a visa support letter" in text


@pytest.mark.parametrize("group", READERS_WITH)
def test_change_page_shows_coordinators_and_administrators_every_detail(client, answered, group):
    logged_in(client, group)
    text = page(client.get(change_url(answered)))
    for value in (*CONTENT, NATIONALITY[1], *travel_dates(answered)):
        assert value in text, value
    assert WITHHELD not in text


@pytest.mark.parametrize("group", READERS_WITHOUT)
def test_change_page_shows_nothing_for_details_not_given(client, coordinator, group):
    invitation, _ = invite_expert(EditionFactory(), expert=ExpertFactory(), invited_by=coordinator)
    send_invitation(invitation, sent_by=coordinator)
    logged_in(client, group)
    text = page(client.get(change_url(invitation)))
    assert WITHHELD not in text
    # A detail not given reads as the admin's empty mark, as it does for coordinators.
    assert ">None<" not in text


def test_draft_change_page_withholds_details_in_its_editable_variant(client, coordinator):
    # A draft (the editable form for coordinators) with details, e.g. copied by hand.
    draft = InvitationFactory(passport_name=PASSPORT_NAME, dietary_needs=DIETARY)
    logged_in(client, roles.VIEWERS)
    text = page(client.get(change_url(draft)))
    assert_no_content(text)
    assert text.count(WITHHELD) == 2

    client.force_login(coordinator)
    text = page(client.get(change_url(draft)))
    assert PASSPORT_NAME in text and DIETARY in text
    assert 'name="personal_message"' in text


def test_coordinator_still_edits_a_draft_and_the_details_stay(client, coordinator):
    draft = InvitationFactory(passport_name=PASSPORT_NAME, dietary_needs=DIETARY)
    client.force_login(coordinator)
    response = client.post(
        change_url(draft),
        {
            "offered_session": "",
            "offered_role": "",
            "personal_message": "We would value your view.",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "0",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.personal_message == "We would value your view."
    assert (draft.passport_name, draft.dietary_needs) == (PASSPORT_NAME, DIETARY)
    # The admin's own history names the changed field, never a value.
    entry = LogEntry.objects.get(object_id=str(draft.pk))
    assert "personal" in entry.get_change_message().lower()
    assert PASSPORT_NAME not in entry.change_message and DIETARY not in entry.change_message


@pytest.mark.parametrize("group", READERS_WITHOUT)
def test_readers_without_permission_still_cannot_change(client, group):
    draft = InvitationFactory(passport_name=PASSPORT_NAME)
    logged_in(client, group)
    response = client.post(change_url(draft), {"personal_message": "changed"})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.personal_message == ""


# --- the changelist: columns, search, filters, lookups --------------------------------------


@pytest.mark.parametrize("group", ALL_ROLES)
def test_changelist_shows_no_detail_to_any_role(client, answered, group):
    logged_in(client, group)
    text = page(client.get(INVITATIONS_URL, {"_facets": "1"}))
    assert "Anna Tran" in text
    assert_no_content(text)


@pytest.mark.parametrize("group", READERS_WITHOUT)
@pytest.mark.parametrize("term", [PASSPORT_NAME, "nguyen thi bich", "BÍCH", DIETARY, COMPANION])
def test_search_finds_no_invitation_by_its_details_for_readers_without_permission(
    client, answered, group, term
):
    logged_in(client, group)
    response = client.get(INVITATIONS_URL, {"q": term})
    assert page(response)
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize("group", READERS_WITH)
def test_coordinators_find_an_invitation_by_its_passport_name(client, answered, group):
    logged_in(client, group)
    response = client.get(INVITATIONS_URL, {"q": "BÍCH"})
    assert list(response.context["cl"].result_list) == [answered]
    # A hit shows the expert, not the passport name.
    assert_no_content(page(response))


@pytest.mark.parametrize("group", READERS_WITHOUT)
@pytest.mark.parametrize(
    "lookup",
    [
        {"passport_name__startswith": "N"},
        {"passport_name": PASSPORT_NAME},
        {"dietary_needs__icontains": DIETARY},
        {"passport_nationality": NATIONALITY[0]},
        {"arrival_date__gte": "2000-01-01"},
        {"accompanying_person__isnull": "False"},
    ],
)
def test_changelist_lookups_cannot_probe_details(client, answered, group, lookup):
    # Any model field is a URL filter in the admin: "?passport_name__startswith=N" would tell
    # letter by letter what the passport says through the number of rows shown.
    logged_in(client, group)
    response = client.get(INVITATIONS_URL, lookup)
    assert response.status_code == 400


def test_autocomplete_finds_no_invitation_by_passport_name_for_viewers(client, answered):
    logged_in(client, roles.VIEWERS)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "forums",
            "model_name": "invitationevent",
            "field_name": "invitation",
            "term": "BÍCH",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"] == []


# --- other staff pages ----------------------------------------------------------------------


@pytest.mark.parametrize("group", ALL_ROLES)
def test_other_staff_pages_show_no_detail(client, answered, group):
    logged_in(client, group)
    urls = [
        reverse("admin:index"),
        reverse("admin:forums_edition_change", args=[answered.edition_id]),
        reverse("admin:experts_expert_change", args=[answered.expert_id]),
        reverse("admin:forums_invitation_history", args=[answered.pk]),
        reverse("admin:experts_expert_changelist"),
        reverse("admin:forums_edition_changelist"),
    ]
    for url in urls:
        assert_no_content(page(client.get(url)))
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("group", READERS_WITH)
def test_withdraw_confirmation_names_the_expert_only(client, answered, group):
    logged_in(client, group)
    text = page(
        client.post(
            INVITATIONS_URL, {"action": "withdraw_selected", ACTION_CHECKBOX_NAME: [answered.pk]}
        )
    )
    assert "Anna Tran" in text
    assert_no_content(text)
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("group", READERS_WITHOUT)
def test_readers_without_permission_get_no_withdraw_page(client, answered, group):
    logged_in(client, group)
    response = client.post(
        INVITATIONS_URL, {"action": "withdraw_selected", ACTION_CHECKBOX_NAME: [answered.pk]}
    )
    assert "Withdraw invitations" not in response.content.decode()
    answered.refresh_from_db()
    assert answered.status == Invitation.Status.ACCEPTED


def test_history_events_never_store_the_answer_content(answered):
    stored = str(list(InvitationEvent.objects.values_list("details", flat=True)))
    assert InvitationEvent.objects.filter(kind=InvitationEvent.Kind.ANSWERED).exists()
    for value in (*CONTENT, NATIONALITY[0]):
        assert value not in stored


@pytest.mark.parametrize("group", READERS_WITHOUT)
def test_history_shows_readers_without_permission_no_detail_an_event_recorded(
    client, answered, group
):
    # Should an event ever record a detail, the history withholds it like the page does.
    InvitationEvent.objects.create(
        invitation=answered,
        kind=InvitationEvent.Kind.NOTE,
        details={"passport_name": PASSPORT_NAME, "dietary_needs": DIETARY},
    )
    logged_in(client, group)
    text = page(client.get(change_url(answered)))
    assert_no_content(text)

    client.force_login(UserFactory(groups=[roles.FORUM_COORDINATORS]))
    assert PASSPORT_NAME in page(client.get(change_url(answered)))


# --- who saw what: the access log ----------------------------------------------------------


@pytest.mark.parametrize("group", READERS_WITH)
def test_each_view_of_passport_data_writes_one_access_log_row(client, answered, group):
    user = logged_in(client, group)
    page(client.get(change_url(answered)))
    row = AccessLog.objects.get()
    assert (row.user, row.action, row.model_label) == (user, "view", "forums.invitation")
    assert (row.object_ids, row.record_count, row.personal_details) == ([answered.pk], 1, True)

    page(client.get(change_url(answered)))
    assert AccessLog.objects.filter(user=user).count() == 2


@pytest.mark.parametrize("group", READERS_WITHOUT)
def test_readers_who_saw_only_given_write_no_access_log(client, answered, group):
    logged_in(client, group)
    page(client.get(change_url(answered)))
    assert not AccessLog.objects.exists()


def test_a_page_with_nothing_personal_writes_no_access_log(client, coordinator):
    invitation, _ = invite_expert(EditionFactory(), expert=ExpertFactory(), invited_by=coordinator)
    send_invitation(invitation, sent_by=coordinator)
    client.force_login(coordinator)
    page(client.get(change_url(invitation)))
    page(client.get(INVITATIONS_URL))
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("group", READERS_WITHOUT)
@pytest.mark.parametrize(
    ("url_name", "lookup"),
    [
        ("admin:experts_expert_changelist", "invitations__passport_name__startswith"),
        ("admin:forums_edition_changelist", "invitations__dietary_needs__icontains"),
        ("admin:forums_session_changelist", "edition__invitations__passport_name__startswith"),
    ],
)
def test_related_lists_cannot_probe_details_either(client, answered, group, url_name, lookup):
    logged_in(client, group)
    response = client.get(reverse(url_name), {lookup: "N"})
    assert response.status_code == 400


@pytest.mark.parametrize("group", [roles.VIEWERS, roles.FORUM_COORDINATORS])
@pytest.mark.parametrize("rows", [1, 30])
def test_changelist_queries_stay_bounded_for_each_role(
    client, coordinator, django_assert_max_num_queries, group, rows
):
    edition = EditionFactory()
    for _ in range(rows):
        invitation, _ = invite_expert(edition, expert=ExpertFactory(), invited_by=coordinator)
        send_invitation(invitation, sent_by=coordinator)
    logged_in(client, group)
    with django_assert_max_num_queries(10):
        response = client.get(INVITATIONS_URL, {"edition__id__exact": edition.pk, "q": "a"})
    assert response.status_code == 200


@pytest.mark.parametrize("group", READERS_WITH)
def test_change_page_queries_do_not_grow_with_history(
    client, answered, django_assert_max_num_queries, group
):
    for _ in range(20):
        InvitationEvent.objects.create(invitation=answered, kind=InvitationEvent.Kind.NOTE)
    logged_in(client, group)
    # 8 today (session, user, permissions, invitation, sessions, events, access-log row)...
    with django_assert_max_num_queries(10):
        page(client.get(change_url(answered)))
