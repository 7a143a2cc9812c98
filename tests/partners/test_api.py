"""The staff MOU list (a key with `mous:read`): status, unit, dates, institution; no one named."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from academy_portal.core.models import ApiToken
from academy_portal.core.units import AcademyUnit
from partners.models import MOU
from tests.api_helpers import bearer, issued_key
from tests.factories import ContactFactory, InstitutionFactory, MOUFactory

pytestmark = pytest.mark.django_db
PATH = "/api/v1/staff/mous/"
MOU_KEYS = {
    "id",
    "title",
    "status",
    "status_label",
    "unit",
    "unit_label",
    "signed_on",
    "effective_from",
    "expires_on",
    "institution",
    "institution_id",
    "supersedes_id",
}


@pytest.fixture
def key():
    return issued_key(ApiToken.Scope.MOUS_READ)[1]


def test_mous_by_expiry_with_their_institution_and_no_personal_data(client, key):
    today = timezone.localdate()
    institution = InstitutionFactory(name="Lowy Institute")
    ContactFactory(institution=institution, name="Ms Contact", email="contact@lowy.test")
    soon = MOUFactory(
        institution=institution,
        title="Soon",
        expires_on=today + dt.timedelta(days=30),
        signatories="Director Private Person",
        notes="Internal remark",
    )
    open_ended = MOUFactory(title="Open-ended", expires_on=None)
    later = MOUFactory(title="Later", status=MOU.Status.DRAFT)

    response = client.get(PATH, **bearer(key))
    data = response.json()

    assert reverse("api:mou_list") == PATH
    assert [row["id"] for row in data["results"]] == [soon.pk, later.pk, open_ended.pk]
    first = data["results"][0]
    assert set(first) == MOU_KEYS
    assert first["institution"] == "Lowy Institute"
    assert (first["status"], first["status_label"]) == ("expiring", "Expiring")
    assert first["unit"] == AcademyUnit.EAST_SEA
    assert first["expires_on"] == soon.expires_on.isoformat()
    text = response.content.decode()
    for private in ("Director Private Person", "Internal remark", "Ms Contact", "contact@lowy"):
        assert private not in text


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("status=draft", ["Draft"]),
        ("status=active", ["Expiring", "Active"]),
        ("status=expiring", ["Expiring"]),
        (f"unit={AcademyUnit.EAST_SEA}", ["Expiring", "Active", "Draft"]),
    ],
)
def test_mous_filter_by_status_and_unit(client, key, query, titles):
    today = timezone.localdate()
    MOUFactory(title="Expiring", expires_on=today + dt.timedelta(days=10))
    MOUFactory(title="Active", expires_on=today + dt.timedelta(days=500))
    MOUFactory(title="Draft", status=MOU.Status.DRAFT, expires_on=today + dt.timedelta(days=900))
    data = client.get(f"{PATH}?{query}", **bearer(key)).json()
    assert [row["title"] for row in data["results"]] == titles


def test_a_bad_filter_is_a_400_naming_it(client, key):
    response = client.get(f"{PATH}?status=lost", **bearer(key))
    assert response.status_code == 400
    assert response.json() == {"status": ['"lost" is not a valid choice.']}


def test_mous_are_paginated(client, key):
    for _ in range(5):
        MOUFactory()
    first = client.get(f"{PATH}?page_size=2", **bearer(key)).json()
    last = client.get(f"{PATH}?page_size=2&page=3", **bearer(key)).json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["next"]
    assert len(last["results"]) == 1 and last["next"] is None


def test_mou_list_query_count_does_not_grow(client, key, django_assert_num_queries):
    MOUFactory()
    client.get(PATH, **bearer(key))  # the key's first use is written once
    # The key, the count, the page with institutions, the access log row.
    with django_assert_num_queries(4):
        assert client.get(PATH, **bearer(key)).status_code == 200
    for _ in range(30):
        MOUFactory()
    with django_assert_num_queries(4):
        assert len(client.get(PATH, **bearer(key)).json()["results"]) == 31
