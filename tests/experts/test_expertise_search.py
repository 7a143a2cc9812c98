"""Finding experts by expertise (areas and their English/Vietnamese aliases), by several
nationalities at once and by institution, through the admin as a forum coordinator."""

import pytest
from django.urls import reverse

from experts.models import ExpertiseArea
from tests.factories import ExpertFactory, ExpertiseAreaFactory, InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPERTS_URL = reverse("admin:experts_expert_changelist")
# Session, user, its two permission reads, the area look-up of the search, two counts, rows,
# areas prefetch, and the filters that list choices (expertise, countries, institutions).
MAX_QUERIES = 12


@pytest.fixture
def coordinator_client(client):
    client.force_login(UserFactory(groups=["Forum coordinators"]))
    return client


@pytest.fixture
def network():
    law = ExpertiseAreaFactory(
        name="Law of the sea", aliases="UNCLOS\nmaritime law\nluật biển\nCông ước Luật Biển"
    )
    security = ExpertiseAreaFactory(name="Maritime security", aliases="an ninh biển")
    jurist = ExpertFactory(given_name="Ana", family_name="Reyes", nationality="PH")
    jurist.expertise_areas.add(law)
    scholar = ExpertFactory(given_name="Hùng", family_name="Trần", nationality="VN")
    scholar.expertise_areas.add(law, security)
    # Off topic: the affiliation shares the words "maritime" and "law", the expertise does not.
    officer = ExpertFactory(
        given_name="Tom",
        family_name="Baker",
        nationality="AU",
        affiliation_text="Maritime University, Faculty of Law",
    )
    officer.expertise_areas.add(security)
    return {"law": law, "jurist": jurist, "scholar": scholar, "officer": officer}


def found(client, **params):
    response = client.get(EXPERTS_URL, params)
    assert response.status_code == 200
    return {e.full_name for e in response.context["cl"].result_list}


@pytest.mark.parametrize(
    "term", ["UNCLOS", "unclos", "law of the sea", "luật biển", "luat bien", "maritime law"]
)
def test_search_by_an_areas_name_or_alias_finds_its_experts_only(coordinator_client, network, term):
    assert found(coordinator_client, q=term) == {"Ana Reyes", "Hùng Trần"}


def test_a_term_that_names_no_area_uses_the_ordinary_search(coordinator_client, network):
    # "Faculty", "universit" name no area: the ordinary search (names, affiliation) applies.
    assert found(coordinator_client, q="universit") == {"Tom Baker"}
    assert found(coordinator_client, q="Faculty") == {"Tom Baker"}
    assert found(coordinator_client, q="Reyes") == {"Ana Reyes"}
    # Areas match whole words only: part of "UNCLOS" is not the area.
    assert found(coordinator_client, q="unclo") == set()


def test_search_naming_an_area_still_finds_an_expert_by_name(coordinator_client, network):
    ExpertFactory(given_name="Unclos", family_name="Namesake")
    assert found(coordinator_client, q="unclos") == {"Ana Reyes", "Hùng Trần", "Unclos Namesake"}


def test_area_aliases_are_edited_in_the_admin_and_searchable(admin_client):
    response = admin_client.post(
        reverse("admin:experts_expertisearea_add"),
        {"name": "Blue economy", "slug": "blue-economy", "aliases": "ocean economy\nkinh tế biển"},
    )
    assert response.status_code == 302
    area = ExpertiseArea.objects.get(name="Blue economy")
    assert " kinh te bien " in area.search_text
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "kinh tế biển",
            "app_label": "experts",
            "model_name": "expert",
            "field_name": "expertise_areas",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == ["Blue economy"]


def test_filter_by_several_nationalities_at_once(coordinator_client, network):
    assert found(coordinator_client, nationality__in="PH,VN") == {"Ana Reyes", "Hùng Trần"}
    assert found(coordinator_client, nationality__in="AU") == {"Tom Baker"}
    page = coordinator_client.get(EXPERTS_URL, {"nationality__in": "PH"}).text
    sidebar = page.split('id="changelist-filter"')[1]
    # Each country's link adds it to the choice (or takes a chosen one out).
    assert "?nationality__in=PH%2CVN" in sidebar
    assert "?nationality__in=AU%2CPH" in sidebar
    assert 'class="selected"' in sidebar.split("Philippines")[0].rsplit("<li", 1)[1]


def test_filter_by_institution_lists_only_institutions_with_experts(coordinator_client, network):
    institute = InstitutionFactory(name="Institute for Ocean Law")
    InstitutionFactory(name="Nobody Works Here Institute")
    network["jurist"].affiliation = institute
    network["jurist"].save()
    assert found(coordinator_client, affiliation__id__exact=institute.pk) == {"Ana Reyes"}
    sidebar = coordinator_client.get(EXPERTS_URL).text.split('id="changelist-filter"')[1]
    assert "Institute for Ocean Law" in sidebar
    assert "Nobody Works Here Institute" not in sidebar


def test_search_and_filters_combine(coordinator_client, network):
    assert found(coordinator_client, q="UNCLOS", nationality__in="VN") == {"Hùng Trần"}


@pytest.mark.parametrize("rows", [1, 40])
def test_search_and_new_filters_keep_the_query_count_bounded(
    coordinator_client, network, django_assert_max_num_queries, rows
):
    institute = InstitutionFactory()
    for expert in ExpertFactory.create_batch(rows, nationality="VN", affiliation=institute):
        expert.expertise_areas.add(network["law"])
    params = {"q": "luật biển", "nationality__in": "VN,PH", "affiliation__id__exact": institute.pk}
    with django_assert_max_num_queries(MAX_QUERIES):
        response = coordinator_client.get(EXPERTS_URL, params)
    assert response.context["cl"].result_count == rows


def test_search_finds_a_position_and_a_typed_affiliation_without_diacritics(coordinator_client):
    ExpertFactory(
        given_name="Lan",
        family_name="Phạm",
        position="Nghiên cứu viên cao cấp",
        affiliation=None,
        affiliation_text="Đại học Luật Hà Nội",
    )
    ExpertFactory(given_name="Tom", family_name="Baker", position="Director")
    assert found(coordinator_client, q="nghien cuu vien") == {"Lan Phạm"}
    assert found(coordinator_client, q="Nghiên cứu") == {"Lan Phạm"}
    assert found(coordinator_client, q="dai hoc luat") == {"Lan Phạm"}
    assert found(coordinator_client, q="director") == {"Tom Baker"}


def test_an_edited_position_is_searchable_at_once(coordinator_client):
    expert = ExpertFactory(given_name="Lan", family_name="Phạm", position="Fellow")
    assert found(coordinator_client, q="ambassador") == set()
    expert.position = "Ambassador (retired)"
    expert.save()
    assert found(coordinator_client, q="ambassador") == {"Lan Phạm"}


def test_the_institution_filter_lists_the_busiest_institutions(coordinator_client):
    institutions = [InstitutionFactory(name=f"Institute {i:02d}") for i in range(31)]
    for institution in institutions:
        ExpertFactory(affiliation=institution)
    ExpertFactory.create_batch(2, affiliation=institutions[-1])  # the busiest, created last
    sidebar = coordinator_client.get(EXPERTS_URL).text.split('id="changelist-filter"')[1]
    # 30 shown: the busiest first, then by creation; the one left out has no more experts.
    assert "Institute 30" in sidebar and "Institute 00" in sidebar
    assert "Institute 28" in sidebar and "Institute 29" not in sidebar


def test_the_migration_fills_the_folded_position_and_affiliation():
    import importlib  # noqa: PLC0415 - a migration module's name starts with a digit

    from django.apps import apps  # noqa: PLC0415

    from experts.models import Expert  # noqa: PLC0415

    migration = importlib.import_module("experts.migrations.0007_profile_search_text")
    expert = ExpertFactory(position="Giám đốc", affiliation_text="Viện Biển")
    expected = Expert.objects.get(pk=expert.pk).profile_search_text
    assert expected == "giam doc vien bien"
    Expert.objects.filter(pk=expert.pk).update(profile_search_text="")  # as before the column
    migration.fill_profile_search_text(apps, None)
    assert Expert.objects.get(pk=expert.pk).profile_search_text == expected
