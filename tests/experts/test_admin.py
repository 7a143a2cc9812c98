import pytest
from django.urls import reverse

from experts import admin as experts_admin
from experts.models import Expert
from tests.factories import ExpertFactory, ExpertiseAreaFactory, InstitutionFactory

pytestmark = pytest.mark.django_db

# Session, user, count, rows, areas prefetch and the filters that list choices from the database.
CHANGELIST_MAX_QUERIES = 9


def expert_post_data(**overrides):
    data = {
        "honorific": "Dr.",
        "given_name": "Jane",
        "family_name": "Smith",
        "name_order": Expert.NameOrder.GIVEN_FIRST,
        "email": "jane.smith@example.org",
        "phone": "",
        "preferred_language": "en",
        "nationality": "AU",
        "country": "AU",
        "position": "Senior Fellow",
        "affiliation": "",
        "affiliation_text": "",
        "capacity": Expert.Capacity.SCHOLAR,
        "languages": "",
        "bio": "",
        "staff_notes": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("rows", [1, 60])
def test_expert_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, rows
):
    areas = ExpertiseAreaFactory.create_batch(3)
    for expert in ExpertFactory.create_batch(rows):
        expert.expertise_areas.set(areas)
    with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES):
        response = admin_client.get(reverse("admin:experts_expert_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


@pytest.mark.parametrize("rows", [1, 60])
def test_expertise_area_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, rows
):
    ExpertiseAreaFactory.create_batch(rows)
    with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES):
        response = admin_client.get(reverse("admin:experts_expertisearea_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


def test_changelist_shows_name_in_the_experts_order_with_affiliation_and_areas(admin_client):
    institute = InstitutionFactory(name="Viện Nghiên cứu Biển Đông", acronym="", country="VN")
    son = ExpertFactory(
        honorific="",
        given_name="Hùng Sơn",
        family_name="Nguyễn",
        name_order=Expert.NameOrder.FAMILY_FIRST,
        affiliation=institute,
        nationality="VN",
    )
    son.expertise_areas.set([ExpertiseAreaFactory(name="Law of the sea")])
    ExpertFactory(given_name="Jane", family_name="Smith", affiliation=None, affiliation_text="ANU")
    response = admin_client.get(reverse("admin:experts_expert_changelist"))
    html = response.text
    assert "Nguyễn Hùng Sơn" in html
    assert "Jane Smith" in html
    assert "Viện Nghiên cứu Biển Đông" in html
    assert "ANU" in html
    assert "Law of the sea" in html


@pytest.mark.parametrize(
    "term", ["Nguyen Hung Son", "nguyen son", "Nguyễn Hùng Sơn", "NGUYEN", "hung-son@"]
)
def test_search_without_diacritics_finds_names_with_them(admin_client, term):
    ExpertFactory(
        given_name="Hùng Sơn",
        family_name="Nguyễn",
        name_order=Expert.NameOrder.FAMILY_FIRST,
        email="hung-son@dav.edu.vn",
    )
    ExpertFactory(given_name="Jane", family_name="Smith")
    response = admin_client.get(reverse("admin:experts_expert_changelist"), {"q": term})
    assert [e.full_name for e in response.context["cl"].result_list] == ["Nguyễn Hùng Sơn"]


def test_duplicate_email_differing_in_case_is_a_form_error(admin_client):
    ExpertFactory(email="jane.smith@example.org")
    response = admin_client.post(
        reverse("admin:experts_expert_add"), expert_post_data(email="Jane.Smith@Example.ORG")
    )
    assert response.status_code == 200
    assert "An expert with this email address already exists." in response.text
    assert Expert.objects.count() == 1


def test_consent_without_date_is_a_form_error(admin_client):
    response = admin_client.post(
        reverse("admin:experts_expert_add"), expert_post_data(consent_to_contact="on")
    )
    assert response.status_code == 200
    assert "Give the date on which consent was given." in response.text
    assert not Expert.objects.exists()


def test_add_expert_stores_lower_case_email_and_areas(admin_client):
    areas = ExpertiseAreaFactory.create_batch(2)
    institution = InstitutionFactory()
    response = admin_client.post(
        reverse("admin:experts_expert_add"),
        expert_post_data(
            email="  Jane.Smith@Example.org ",
            affiliation=institution.pk,
            expertise_areas=[a.pk for a in areas],
            staff_notes="Met at the 14th conference.",
        ),
    )
    assert response.status_code == 302
    expert = Expert.objects.get()
    assert expert.email == "jane.smith@example.org"
    assert set(expert.expertise_areas.all()) == set(areas)
    assert expert.staff_notes == "Met at the 14th conference."


def test_change_page_has_staff_only_notes_and_autocomplete_affiliation(admin_client):
    expert = ExpertFactory(staff_notes="Prefers morning sessions")
    response = admin_client.get(reverse("admin:experts_expert_change", args=[expert.pk]))
    assert response.status_code == 200
    assert "Staff only" in response.text
    assert "Prefers morning sessions" in response.text
    assert 'data-ajax--url="/admin/autocomplete/"' in response.text


def test_affiliation_autocomplete_ignores_diacritics(admin_client):
    InstitutionFactory(name="Viện Nghiên cứu Biển Đông", acronym="", country="VN")
    InstitutionFactory(name="Lowy Institute", acronym="", country="AU")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "experts",
            "model_name": "expert",
            "field_name": "affiliation",
            "term": "vien bien dong",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Viện Nghiên cứu Biển Đông"]


def test_filters_by_expertise_area_capacity_nationality_and_language(admin_client):
    law = ExpertiseAreaFactory(name="Law of the sea")
    lawyer = ExpertFactory(
        nationality="VN", capacity=Expert.Capacity.PRACTITIONER, preferred_language="vi"
    )
    lawyer.expertise_areas.add(law)
    ExpertFactory(nationality="AU")
    url = reverse("admin:experts_expert_changelist")
    for params in (
        {"expertise_areas__id__exact": law.pk},
        {"capacity__exact": "practitioner"},
        {"nationality": "VN"},
        {"preferred_language__exact": "vi"},
    ):
        response = admin_client.get(url, params)
        assert list(response.context["cl"].result_list) == [lawyer], params
    filters = response.text.split('id="changelist-filter"')[1]
    assert "Australia" in filters
    assert "Law of the sea" in filters


def test_affiliation_filter_lists_the_busiest_institutions_and_the_chosen_one(
    admin_client, monkeypatch
):
    monkeypatch.setattr(experts_admin, "AFFILIATIONS_SHOWN", 2)
    quiet = InstitutionFactory(name="Quiet Institute")
    ExpertFactory(affiliation=quiet)
    busy = []
    for name, experts in (("Busy Institute", 3), ("Busier Institute", 4)):
        busy.append(InstitutionFactory(name=name))
        ExpertFactory.create_batch(experts, affiliation=busy[-1])

    def listed(**params):
        response = admin_client.get(reverse("admin:experts_expert_changelist"), params)
        spec = next(s for s in response.context["cl"].filter_specs if s.field_path == "affiliation")
        return [name for _, name in spec.lookup_choices]

    # By name, the two with the most experts; not the one with a single expert.
    assert listed() == [str(busy[1]), str(busy[0])]
    # The chosen institution stays listed however few experts it has.
    assert listed(affiliation__id__exact=quiet.pk) == [str(busy[1]), str(busy[0]), str(quiet)]
