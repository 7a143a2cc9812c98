"""Partner exports over several chunks: every selected row once, select all, the access log."""

import datetime as dt

import pytest
from django.urls import reverse

from academy_portal.core import roles
from academy_portal.core.models import AccessLog
from partners.models import MOU, Contact, Institution
from tests.factories import ContactFactory, InstitutionFactory, MOUFactory, UserFactory
from tests.support.exports import action_post, body, column, read_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client):
    client.force_login(UserFactory(groups=[roles.PARTNERSHIPS_OFFICERS]))
    return client


@pytest.fixture
def small_chunks(settings):
    settings.EXPORT_CHUNK_SIZE = 3


def same_title_mous(count):
    """MOUs of one institution sharing institution name and title; signing dates differ."""
    institution = InstitutionFactory(name="Viện Nghiên cứu Biển Đông")
    first = dt.date(2020, 1, 1)
    return [
        MOUFactory(
            institution=institution,
            title="Biên bản ghi nhớ hợp tác",
            signed_on=first + dt.timedelta(days=n),
            effective_from=first + dt.timedelta(days=n),
        )
        for n in range(count)
    ]


def mou_ids(rows):
    by_date = dict(MOU.objects.values_list("signed_on", "pk"))
    return [by_date[dt.date.fromisoformat(day)] for day in column(rows, "Signed on")]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_mous_sharing_institution_and_title_are_each_exported_once(
    officer_client, small_chunks, file_format
):
    mous = same_title_mous(10)
    selected = [m.pk for m in mous[1:]]

    response = action_post(
        officer_client,
        reverse("admin:partners_mou_changelist"),
        f"export_selected_{file_format}",
        selected,
    )

    ids = mou_ids(read_rows(body(response), file_format))
    assert ids == sorted(selected)
    log = AccessLog.objects.get()  # the first contact's name and email are personal data
    assert (log.model_label, log.object_ids) == ("partners.mou", ids)


def test_contacts_sharing_institution_and_name_are_each_exported_once(officer_client, small_chunks):
    institution = InstitutionFactory()
    contacts = [ContactFactory(institution=institution, name="Phạm Thu Hà") for _ in range(10)]
    ContactFactory()  # not selected

    response = action_post(
        officer_client,
        reverse("admin:partners_contact_changelist"),
        "export_selected_csv",
        [contacts[0].pk],  # the page's ticked rows
        select_across=True,
        query=f"?q={institution.acronym}",
    )

    rows = read_rows(body(response), "csv")
    ids = [int(pk) for pk in column(rows, "id")]
    assert ids == [c.pk for c in contacts]
    assert column(rows, "Name") == ["Phạm Thu Hà"] * 10
    log = AccessLog.objects.get()
    assert (log.model_label, log.object_ids, log.personal_details) == (
        "partners.contact",
        ids,
        False,
    )


def test_institutions_sharing_a_name_are_each_exported_once_and_not_logged(
    officer_client, small_chunks
):
    # Names are unique per country, so the same name recurs across countries.
    countries = ["VN", "FR", "JP", "US", "AU", "DE", "SG", "IN"]
    institutions = [
        InstitutionFactory(name="Institute for Maritime Studies", country=code)
        for code in countries
    ]

    response = action_post(
        officer_client,
        reverse("admin:partners_institution_changelist"),
        "export_selected_xlsx",
        [i.pk for i in institutions[0:2]],
        select_across=True,
    )

    rows = read_rows(body(response), "xlsx")
    assert [int(pk) for pk in column(rows, "id")] == [i.pk for i in institutions]
    assert not AccessLog.objects.exists()  # no names or emails of people


@pytest.mark.parametrize("what", ["mous", "contacts", "institutions"])
def test_the_export_all_links_write_every_row_once(officer_client, small_chunks, what):
    same_title_mous(4)
    for _ in range(7):
        ContactFactory(institution=Institution.objects.get(), name="Phạm Thu Hà")
    for code in ["FR", "JP", "US"]:
        InstitutionFactory(name="Viện Nghiên cứu Biển Đông", country=code)
    model = {"mous": MOU, "contacts": Contact, "institutions": Institution}[what]

    url = reverse("admin:partners_partnerimport_export", args=[what, "csv"])
    rows = read_rows(body(officer_client.get(url)), "csv")

    assert len(rows) - 1 == model.objects.count()
    if what != "mous":
        assert sorted(int(pk) for pk in column(rows, "id")) == sorted(
            model.objects.values_list("pk", flat=True)
        )
    else:
        assert sorted(mou_ids(rows)) == sorted(model.objects.values_list("pk", flat=True))
    logs = list(AccessLog.objects.values_list("object_ids", flat=True))
    if what == "institutions":
        assert logs == []  # no names or emails of people
    else:
        [logged_ids] = logs
        assert sorted(logged_ids) == sorted(model.objects.values_list("pk", flat=True))
