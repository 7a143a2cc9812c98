"""The staff endpoint of invitation counts per edition (a key with `invitations:read`)."""

import pytest
from django.urls import reverse

from academy_portal.core.models import ApiToken
from forums.models import Invitation
from tests.api_helpers import bearer, issued_key
from tests.factories import EditionFactory, ExpertFactory
from tests.forums.invitation_factories import sent_invitation
from tests.forums.programme_factories import answer

pytestmark = pytest.mark.django_db
PATH = "/api/v1/staff/invitation-counts/"


@pytest.fixture
def key():
    return issued_key(ApiToken.Scope.INVITATIONS_READ)[1]


def test_each_edition_has_its_invitations_counted_by_every_status(client, key):
    edition = EditionFactory()
    empty = EditionFactory(start_date=edition.start_date.replace(year=edition.start_date.year + 1))
    invitations = [sent_invitation(edition=edition)[0] for _ in range(4)]
    answer(invitations[0])
    answer(invitations[1], Invitation.Status.DECLINED)

    data = client.get(PATH, **bearer(key)).json()

    assert reverse("api:invitation_counts") == PATH
    assert [row["id"] for row in data["results"]] == [edition.pk, empty.pk]
    first = data["results"][0]
    assert first["invitations"] == {
        "draft": 0,
        "sent": 2,
        "accepted": 1,
        "declined": 1,
        "tentative": 0,
        "waitlisted": 0,
        "withdrawn": 0,
        "expired": 0,
    }
    assert first["total"] == 4
    assert (first["forum"], first["number"], first["status"]) == (
        edition.forum.slug,
        edition.number,
        edition.status,
    )
    assert set(data["results"][1]["invitations"].values()) == {0}
    assert data["results"][1]["total"] == 0


def test_no_expert_is_named_in_the_counts(client, key):
    expert = ExpertFactory(family_name="Secretive", email="secret@example.org")
    sent_invitation(expert=expert)
    text = client.get(PATH, **bearer(key)).content.decode()
    assert "Secretive" not in text and "secret@example.org" not in text


def test_counts_filter_by_forum_and_dates_and_refuse_bad_dates(client, key):
    edition = EditionFactory()
    EditionFactory()
    data = client.get(f"{PATH}?forum={edition.forum.slug}", **bearer(key)).json()
    assert [row["id"] for row in data["results"]] == [edition.pk]
    response = client.get(f"{PATH}?from=soon", **bearer(key))
    assert response.status_code == 400 and "from" in response.json()


def test_counts_query_count_does_not_grow_with_editions_or_invitations(
    client, key, django_assert_num_queries
):
    sent_invitation(edition=EditionFactory())
    # The key, the count, the page, the counts, the access log row (+ the key's first use).
    client.get(PATH, **bearer(key))
    with django_assert_num_queries(5):
        assert client.get(PATH, **bearer(key)).status_code == 200
    for _ in range(10):
        edition = EditionFactory()
        for _ in range(3):
            sent_invitation(edition=edition)
    with django_assert_num_queries(5):
        data = client.get(PATH, **bearer(key)).json()
    assert data["count"] == 11 and sum(row["total"] for row in data["results"]) == 31
