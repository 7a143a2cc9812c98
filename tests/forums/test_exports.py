"""Invitation exports: every selected invitation exactly once, at any size, streamed, masked per
role and logged with exactly the exported ids (issue: 998 rows written, 8 of them duplicates
and 8 invitations missing, when rows shared edition and family name)."""

import datetime as dt
import itertools

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academy_portal.core import roles
from academy_portal.core.models import AccessLog
from academy_portal.core.privacy import WITHHELD
from experts.models import Expert
from forums.models import Invitation
from tests.factories import EditionFactory, SessionFactory, UserFactory
from tests.support.exports import action_post, body, column, read_rows

pytestmark = pytest.mark.django_db
URL = reverse("admin:forums_invitation_changelist")
EMAIL_NUMBERS = itertools.count()


def same_name_invitations(edition, count, *, family="Nguyễn", given="Văn An", **answers):
    """`count` invitations to `edition` whose experts share every sort key but the id."""
    experts = Expert.objects.bulk_create(
        Expert(
            given_name=given,
            family_name=family,
            name_order=Expert.NameOrder.FAMILY_FIRST,
            email=f"an.{next(EMAIL_NUMBERS)}@example.vn",
        )
        for _ in range(count)
    )
    return Invitation.objects.bulk_create(
        Invitation(edition=edition, expert=expert, status=Invitation.Status.SENT, **answers)
        for expert in experts
    )


def exported_ids(rows):
    """Invitation ids of the exported rows, in file order (email and edition name each one)."""
    by_email = dict(Invitation.objects.values_list("expert__email", "pk"))
    return [by_email[email] for email in column(rows, "Email")]


@pytest.fixture
def coordinator_client(client):
    client.force_login(UserFactory(groups=[roles.FORUM_COORDINATORS]))
    return client


def export(client, file_format, ids=(), **kwargs):
    response = action_post(client, URL, f"export_{file_format}", ids, **kwargs)
    assert response.status_code == 200, response.status_code
    return read_rows(body(response), file_format)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_ticked_invitations_sharing_every_sort_key_are_each_exported_once(
    coordinator_client, settings, file_format
):
    settings.EXPORT_CHUNK_SIZE = 3  # 10 rows: four chunks
    edition = EditionFactory()
    invitations = same_name_invitations(edition, 10)
    same_name_invitations(EditionFactory(), 4)  # not selected
    selected = [i.pk for i in invitations]

    rows = export(coordinator_client, file_format, selected)

    ids = exported_ids(rows)
    assert len(ids) == len(set(ids)) == 10
    assert ids == sorted(selected)  # edition, family name, given name, then id


def test_a_realistic_chunk_size_exports_every_invitation_once(coordinator_client, settings):
    """The issue's case at the default chunk size: more than two chunks, all names equal."""
    count = 2 * settings.EXPORT_CHUNK_SIZE + 7
    edition = EditionFactory()
    invitations = same_name_invitations(edition, count)
    page = [i.pk for i in invitations[:100]]

    rows = export(
        coordinator_client,
        "csv",
        page,
        select_across=True,
        query=f"?edition__id__exact={edition.pk}",
    )

    ids = exported_ids(rows)
    assert len(ids) == len(set(ids)) == count
    assert set(ids) == {i.pk for i in invitations}


def test_select_all_across_pages_exports_the_filtered_list_without_posting_ids(
    coordinator_client, settings
):
    settings.EXPORT_CHUNK_SIZE = 4
    edition = EditionFactory()
    wanted = same_name_invitations(edition, 13)
    same_name_invitations(EditionFactory(), 5)

    page = [i.pk for i in wanted[:2]]  # the ticked rows of the page shown

    rows = export(
        coordinator_client,
        "csv",
        page,
        select_across=True,
        query=f"?edition__id__exact={edition.pk}",
    )

    assert exported_ids(rows) == [i.pk for i in wanted]
    log = AccessLog.objects.get()
    assert log.object_ids == [i.pk for i in wanted]


def test_ticking_1000_rows_answers_200_with_the_file(coordinator_client, settings):
    # Django's default (1,000 fields) answered this with 400 TooManyFieldsSent.
    invitations = same_name_invitations(EditionFactory(), 1000)

    rows = export(coordinator_client, "csv", [i.pk for i in invitations])

    assert sorted(exported_ids(rows)) == sorted(i.pk for i in invitations)
    # The bound still holds for a hostile POST.
    too_many = range(1, settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)
    assert action_post(coordinator_client, URL, "export_csv", too_many).status_code == 400


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_both_formats_are_streamed_as_attachments(coordinator_client, file_format):
    ids = [i.pk for i in same_name_invitations(EditionFactory(), 3)]
    response = action_post(coordinator_client, URL, f"export_{file_format}", ids)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="invitations-')
    assert response["Content-Disposition"].endswith(f'.{file_format}"')
    assert len(read_rows(body(response), file_format)) == 4


def export_queries(client, count):
    edition = EditionFactory()
    session = SessionFactory(edition=edition)
    invitations = same_name_invitations(edition, count)
    for invitation in invitations:
        invitation.sessions_attending.add(session)
    with CaptureQueriesContext(connection) as queries:
        rows = export(
            client,
            "csv",
            [invitations[0].pk],
            select_across=True,
            query=f"?edition__id__exact={edition.pk}",
        )
    assert len(rows) == count + 1
    assert column(rows, "Sessions attending") == [session.title] * count
    return len(queries)


def test_the_query_count_does_not_grow_with_the_export(coordinator_client):
    export_queries(coordinator_client, 1)  # warm caches (content types, translations)
    assert export_queries(coordinator_client, 10) == export_queries(coordinator_client, 200)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_vietnamese_names_and_answers_read_back_intact_and_escaped(coordinator_client, file_format):
    edition = EditionFactory()
    [invitation] = same_name_invitations(
        edition,
        1,
        family="Nguyễn",
        given="Thị Hồng Hạnh",
        passport_name="NGUYEN THI HONG HANH",
        dietary_needs='=HYPERLINK("http://evil")',
        accompanying_person="Trần Đức Lương",
        arrival_date=dt.date(2026, 12, 1),
        needs_visa_letter=True,
    )

    rows = export(coordinator_client, file_format, [invitation.pk])

    assert column(rows, "Expert") == ["Nguyễn Thị Hồng Hạnh"]
    assert column(rows, "Name in passport") == ["NGUYEN THI HONG HANH"]
    assert column(rows, "Accompanying person") == ["Trần Đức Lương"]
    assert column(rows, "Dietary needs") == ['\'=HYPERLINK("http://evil")']
    assert column(rows, "Arrival") == ["2026-12-01"]
    assert column(rows, "Visa letter") == ["yes"]
    assert column(rows, "Edition") == [str(edition)]


def test_headers_and_labels_are_in_the_staff_members_language(coordinator_client):
    [invitation] = same_name_invitations(
        EditionFactory(), 1, passport_name="NGUYEN VAN AN", needs_hotel=True
    )
    response = action_post(
        coordinator_client, URL, "export_xlsx", [invitation.pk], HTTP_ACCEPT_LANGUAGE="vi"
    )
    rows = read_rows(body(response), "xlsx")
    assert column(rows, "Chuyên gia") == ["Nguyễn Văn An"]
    assert column(rows, "Họ tên theo hộ chiếu") == ["NGUYEN VAN AN"]
    assert "có" in rows[1]  # needs a hotel: "yes"


PERSONAL_COLUMNS = (
    "Arrival",
    "Departure",
    "Name in passport",
    "Passport nationality",
    "Dietary needs",
    "Accessibility needs",
    "Accompanying person",
)


def answered_invitation():
    [invitation] = same_name_invitations(
        EditionFactory(),
        1,
        passport_name="NGUYEN VAN AN",
        passport_nationality="VN",
        dietary_needs="Vegetarian",
        accessibility_needs="Wheelchair",
        arrival_date=dt.date(2026, 12, 1),
        departure_date=dt.date(2026, 12, 4),
        accompanying_person="Lê Thị Mai",
        needs_hotel=True,
    )
    return invitation


def change_only_user():
    """Export right (change) but not the personal-details permission: a custom role."""
    user = UserFactory()
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="forums", codename__in=["view_invitation", "change_invitation"]
        )
    )
    return user


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("make_user", "visible"),
    [
        (lambda: UserFactory(groups=[roles.FORUM_COORDINATORS]), True),
        (lambda: UserFactory(groups=[roles.ADMINISTRATORS]), True),
        (change_only_user, False),
    ],
)
def test_personal_details_are_written_only_for_readers_who_may_see_them(
    client, make_user, visible, file_format
):
    invitation = answered_invitation()
    client.force_login(make_user())

    rows = export(client, file_format, [invitation.pk])

    shown = {header: column(rows, header)[0] for header in PERSONAL_COLUMNS}
    if visible:
        assert shown == {
            "Arrival": "2026-12-01",
            "Departure": "2026-12-04",
            "Name in passport": "NGUYEN VAN AN",
            "Passport nationality": "Vietnam",
            "Dietary needs": "Vegetarian",
            "Accessibility needs": "Wheelchair",
            "Accompanying person": "Lê Thị Mai",
        }
    else:
        assert shown == dict.fromkeys(PERSONAL_COLUMNS, str(WITHHELD))
    assert column(rows, "Hotel") == ["yes"]  # yes/no needs are not personal details
    log = AccessLog.objects.get()
    assert log.personal_details is visible


@pytest.mark.parametrize("group", [roles.VIEWERS, roles.PARTNERSHIPS_OFFICERS])
def test_roles_without_the_export_right_get_no_file_and_no_log(client, group):
    invitation = answered_invitation()
    client.force_login(UserFactory(groups=[group]))
    response = action_post(client, URL, "export_csv", [invitation.pk])
    assert not response.get("Content-Disposition")
    assert b"NGUYEN VAN AN" not in body(response)
    assert not AccessLog.objects.exists()


def test_the_access_log_holds_exactly_the_exported_ids_before_the_file_leaves(
    coordinator_client, settings
):
    settings.EXPORT_CHUNK_SIZE = 3
    edition = EditionFactory()
    first = same_name_invitations(edition, 4, family="Trần")
    second = same_name_invitations(edition, 4, family="Lê")
    ids = [i.pk for i in first + second]

    response = action_post(coordinator_client, URL, "export_csv", ids)
    # Written when the response is built, before the first byte of the body is produced.
    log = AccessLog.objects.get()
    rows = read_rows(body(response), "csv")

    assert log.object_ids == exported_ids(rows)
    assert sorted(log.object_ids) == sorted(ids) and log.record_count == 8
    assert (log.action, log.model_label) == (AccessLog.Action.EXPORT, "forums.invitation")
    assert log.personal_details is True
    assert log.user.groups.filter(name=roles.FORUM_COORDINATORS).exists()
