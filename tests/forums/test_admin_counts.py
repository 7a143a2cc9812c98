"""The invitation list counts its rows once: with no status filter, the counts by status in
its header give the list's length (no COUNT(*) of its own, a scan of 200,000 rows at scale);
with one, the list is counted as Django does. Either way the numbers are the list's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forums.models import Invitation
from tests.factories import EditionFactory, ExpertFactory
from tests.forums.invitation_factories import InvitationFactory

pytestmark = pytest.mark.django_db

INVITATIONS_URL = reverse("admin:forums_invitation_changelist")
PLAIN_COUNT = 'SELECT COUNT(*) AS "__count"'


@pytest.fixture
def invitations():
    edition = EditionFactory()
    made = {
        "sent": InvitationFactory.create_batch(3, edition=edition, status="sent"),
        "accepted": InvitationFactory.create_batch(2, edition=edition, status="accepted"),
        "declined": InvitationFactory.create_batch(1, edition=edition, status="declined"),
    }
    InvitationFactory(status="accepted")  # another edition's
    return edition, made


def get(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INVITATIONS_URL, params)
    assert response.status_code == 200
    counted = [q["sql"] for q in queries if q["sql"].startswith(PLAIN_COUNT)]
    return response, counted


def header_counts(response):
    return {item["status"]: item["count"] for item in response.context["status_counts"]}


def test_without_a_status_filter_the_counts_by_status_give_the_length(admin_client, invitations):
    response, counted = get(admin_client)
    assert counted == []
    changelist = response.context["cl"]
    assert changelist.result_count == Invitation.objects.count() == 7
    assert response.context["status_total"] == 7
    assert header_counts(response)["accepted"] == 3
    assert len(changelist.result_list) == 7


def test_other_filters_and_a_search_still_count_right(admin_client, invitations):
    edition, made = invitations
    response, counted = get(admin_client, edition__id__exact=edition.pk)
    assert counted == [] and response.context["cl"].result_count == 6
    assert header_counts(response) == {
        **dict.fromkeys(Invitation.Status.values, 0),
        "sent": 3,
        "accepted": 2,
        "declined": 1,
    }
    expert = made["accepted"][0].expert
    response, counted = get(admin_client, q=expert.family_name + " " + expert.given_name)
    assert counted == [] and response.context["cl"].result_count == 1


def test_with_a_status_filter_the_list_is_counted_apart(admin_client, invitations):
    edition, _made = invitations
    response, counted = get(admin_client, edition__id__exact=edition.pk, status__exact="sent")
    assert len(counted) == 1
    assert response.context["cl"].result_count == 3 == response.context["status_total"]
    # The header still counts every status of the edition, so the others can be chosen.
    assert header_counts(response)["accepted"] == 2


def test_the_length_pages_the_list(admin_client, settings):
    edition = EditionFactory()
    for expert in ExpertFactory.create_batch(105):
        InvitationFactory(edition=edition, expert=expert, status="sent")
    first, counted = get(admin_client)
    assert counted == [] and first.context["cl"].result_count == 105
    assert first.context["cl"].multi_page and len(first.context["cl"].result_list) == 100
    second, _counted = get(admin_client, p=2)
    assert len(second.context["cl"].result_list) == 5
    shown = {i.pk for i in first.context["cl"].result_list} | {
        i.pk for i in second.context["cl"].result_list
    }
    assert shown == set(Invitation.objects.values_list("pk", flat=True))
