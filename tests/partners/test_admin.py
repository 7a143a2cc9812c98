import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import MOU, Contact, Institution
from tests.factories import ContactFactory, InstitutionFactory, MOUFactory

pytestmark = pytest.mark.django_db

# Queries per changelist page whatever the number of rows (session, user, count, rows, filters).
CHANGELIST_MAX_QUERIES = 8


def today():
    return timezone.localdate()


def changelist(model):
    return reverse(f"admin:partners_{model}_changelist")


def institution_post_data(**overrides):
    data = {
        "name": "Institute for Maritime Affairs",
        "native_name": "",
        "acronym": "IMA",
        "kind": Institution.Kind.THINK_TANK,
        "country": "SG",
        "city": "Singapore",
        "website": "",
        "notes": "",
    }
    for prefix in ("mous", "contacts"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


def mou_post_data(institution, **overrides):
    data = {
        "institution": institution.pk,
        "title": "MOU on academic exchange",
        "academy_unit": "east_sea",
        "status": MOU.Status.ACTIVE,
        "signed_on": "2024-05-10",
        "effective_from": "2024-05-10",
        "expires_on": "2029-05-10",
        "areas_of_cooperation": "Joint research\nStaff exchange",
        "signatories": "",
        "renewal_notes": "",
        "supersedes": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("rows", [1, 60])
def test_institution_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, rows
):
    for institution in InstitutionFactory.create_batch(rows):
        MOUFactory.create_batch(2, institution=institution)
        ContactFactory(institution=institution)
    with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES):
        response = admin_client.get(changelist("institution"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


@pytest.mark.parametrize("rows", [1, 60])
def test_mou_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, rows
):
    MOUFactory.create_batch(rows)
    with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES):
        response = admin_client.get(changelist("mou"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


@pytest.mark.parametrize("rows", [1, 60])
def test_contact_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, rows
):
    ContactFactory.create_batch(rows)
    with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES):
        response = admin_client.get(changelist("contact"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


def test_institution_change_page_shows_mous_and_contacts_inline(admin_client):
    institution = InstitutionFactory(name="Viện Nghiên cứu Biển Đông")
    MOUFactory(institution=institution, title="MOU on East Sea studies")
    ContactFactory(institution=institution, name="Trần Thị Mai")
    response = admin_client.get(reverse("admin:partners_institution_change", args=[institution.pk]))
    assert response.status_code == 200
    assert "MOU on East Sea studies" in response.text
    assert "Trần Thị Mai" in response.text


def test_institution_add_with_inline_mou_and_contact(admin_client):
    data = institution_post_data(
        **{
            "mous-TOTAL_FORMS": "1",
            "mous-0-title": "MOU on joint research",
            "mous-0-academy_unit": "iss",
            "mous-0-signed_on": "2025-01-15",
            "mous-0-expires_on": "2030-01-15",
            "mous-0-status": MOU.Status.ACTIVE,
            "contacts-TOTAL_FORMS": "1",
            "contacts-0-name": "Dr. Lee",
            "contacts-0-position": "Director",
            "contacts-0-email": "lee@ima.test",
            "contacts-0-phone": "",
        }
    )
    response = admin_client.post(reverse("admin:partners_institution_add"), data)
    assert response.status_code == 302, response.context["errors"]
    institution = Institution.objects.get(acronym="IMA")
    assert list(institution.mous.values_list("title", flat=True)) == ["MOU on joint research"]
    assert Contact.objects.get(institution=institution).email == "lee@ima.test"


def test_duplicate_institution_differing_in_case_is_a_form_error(admin_client):
    InstitutionFactory(name="Institute for Maritime Affairs", country="SG")
    response = admin_client.post(
        reverse("admin:partners_institution_add"),
        institution_post_data(name="institute FOR maritime   affairs"),
    )
    assert response.status_code == 200
    assert "An institution with this name already exists in this country." in response.text
    assert Institution.objects.count() == 1


def test_same_institution_name_in_another_country_is_allowed(admin_client):
    InstitutionFactory(name="Institute for Maritime Affairs", country="SG")
    response = admin_client.post(
        reverse("admin:partners_institution_add"),
        institution_post_data(country="MY"),
    )
    assert response.status_code == 302
    assert Institution.objects.count() == 2


def test_mou_expiring_before_signing_is_a_form_error(admin_client):
    institution = InstitutionFactory()
    response = admin_client.post(
        reverse("admin:partners_mou_add"),
        mou_post_data(institution, signed_on="2025-06-01", expires_on="2025-01-01"),
    )
    assert response.status_code == 200
    assert "The expiry date cannot be before the signing date." in response.text
    assert not MOU.objects.exists()


def test_mou_cannot_supersede_itself(admin_client):
    mou = MOUFactory()
    data = mou_post_data(
        mou.institution,
        title=mou.title,
        signed_on=mou.signed_on.isoformat(),
        effective_from=mou.effective_from.isoformat(),
        expires_on=mou.expires_on.isoformat(),
        supersedes=mou.pk,
    )
    response = admin_client.post(reverse("admin:partners_mou_change", args=[mou.pk]), data)
    assert response.status_code == 200
    assert "An MOU cannot supersede itself." in response.text
    mou.refresh_from_db()
    assert mou.supersedes_id is None


def test_duplicate_mou_is_a_form_error(admin_client):
    mou = MOUFactory(title="MOU on academic exchange", signed_on=dt.date(2024, 5, 10))
    mou.effective_from = mou.signed_on
    mou.save()
    response = admin_client.post(reverse("admin:partners_mou_add"), mou_post_data(mou.institution))
    assert response.status_code == 200
    assert MOU.objects.count() == 1
    assert response.context["adminform"].form.errors


def test_mou_changelist_shows_derived_status_and_days_to_expiry(admin_client):
    MOUFactory(title="Expiring soon", expires_on=today() + dt.timedelta(days=30))
    MOUFactory(title="Long running", expires_on=today() + dt.timedelta(days=700))
    MOUFactory(title="Overdue", expires_on=today() - dt.timedelta(days=3))
    MOUFactory(title="Open ended", expires_on=None)
    response = admin_client.get(changelist("mou"))
    html = response.text
    assert '<span class="mou-status mou-status--expiring">Expiring</span>' in html
    assert '<span class="mou-days mou-days--soon">in 30 days</span>' in html
    assert '<span class="mou-days mou-days--ok">in 700 days</span>' in html
    assert '<span class="mou-days mou-days--overdue">3 days ago</span>' in html
    assert '<span class="mou-days mou-days--open">open-ended</span>' in html
    assert 'style="' not in html.split('id="changelist"')[1]


def result_titles(response):
    return sorted(obj.title for obj in response.context["cl"].result_list)


def test_mou_status_filter_offers_expiring(admin_client):
    MOUFactory(title="Expiring soon", expires_on=today() + dt.timedelta(days=30))
    MOUFactory(title="Long running", expires_on=today() + dt.timedelta(days=700))
    MOUFactory(title="Draft", status=MOU.Status.DRAFT, expires_on=today() + dt.timedelta(days=5))
    MOUFactory(title="Ended", status=MOU.Status.EXPIRED, expires_on=today() - dt.timedelta(days=5))

    response = admin_client.get(changelist("mou"), {"status": "expiring"})
    assert result_titles(response) == ["Expiring soon"]
    response = admin_client.get(changelist("mou"), {"status": "active"})
    assert result_titles(response) == ["Expiring soon", "Long running"]
    response = admin_client.get(changelist("mou"), {"status": "expired"})
    assert result_titles(response) == ["Ended"]
    assert "?status=expiring" in response.text


def test_mou_expiry_filter_uses_the_configured_window(admin_client, settings):
    settings.MOU_EXPIRING_WINDOW_DAYS = 90
    MOUFactory(title="Day 90", expires_on=today() + dt.timedelta(days=90))
    MOUFactory(title="Day 91", expires_on=today() + dt.timedelta(days=91))
    MOUFactory(title="Past", expires_on=today() - dt.timedelta(days=1))
    MOUFactory(title="Open", expires_on=None)

    response = admin_client.get(changelist("mou"), {"expiry": "within_window"})
    assert result_titles(response) == ["Day 90"]
    assert "Expiring within 90 days" in response.text
    response = admin_client.get(changelist("mou"), {"expiry": "past_expiry"})
    assert result_titles(response) == ["Past"]
    response = admin_client.get(changelist("mou"), {"expiry": "open_ended"})
    assert result_titles(response) == ["Open"]

    settings.MOU_EXPIRING_WINDOW_DAYS = 120
    response = admin_client.get(changelist("mou"), {"expiry": "within_window"})
    assert result_titles(response) == ["Day 90", "Day 91"]


def test_institution_search_ignores_diacritics(admin_client):
    InstitutionFactory(name="Viện Nghiên cứu Biển Đông", acronym="", country="VN")
    InstitutionFactory(name="Lowy Institute", acronym="", country="AU")
    for term in ("Vien Nghien cuu Bien Dong", "viện biển", "VIEN"):
        response = admin_client.get(changelist("institution"), {"q": term})
        names = [i.name for i in response.context["cl"].result_list]
        assert names == ["Viện Nghiên cứu Biển Đông"], term


def test_mou_search_finds_partner_without_diacritics(admin_client):
    partner = InstitutionFactory(name="Học viện Quốc phòng", acronym="", country="VN")
    MOUFactory(institution=partner, title="MOU on defence studies")
    MOUFactory(title="MOU on maritime law")
    response = admin_client.get(changelist("mou"), {"q": "Hoc vien Quoc phong"})
    assert result_titles(response) == ["MOU on defence studies"]


def test_country_filters_list_present_countries_by_name(admin_client):
    InstitutionFactory(country="VN")
    InstitutionFactory(country="SG")
    response = admin_client.get(changelist("institution"))
    filter_html = response.text.split('id="changelist-filter"')[1]
    assert "Viet Nam" in filter_html or "Vietnam" in filter_html
    assert "Singapore" in filter_html
    assert "Japan" not in filter_html
    response = admin_client.get(changelist("institution"), {"country": "VN"})
    assert [i.country.code for i in response.context["cl"].result_list] == ["VN"]
