import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from experts.models import Expert
from tests.factories import ExpertFactory, ExpertiseAreaFactory

pytestmark = pytest.mark.django_db


def test_email_is_stored_lower_case_and_unique_ignoring_case():
    expert = ExpertFactory(email="  Jane.Smith@Example.ORG ")
    assert expert.email == "jane.smith@example.org"
    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypass save()'s lower-casing: the database itself refuses a case variant.
        Expert.objects.bulk_create([Expert(given_name="J", email="JANE.SMITH@example.org")])


def test_duplicate_email_gives_a_readable_validation_message():
    ExpertFactory(email="jane.smith@example.org")
    duplicate = ExpertFactory.build(email="Jane.Smith@example.org", affiliation=None)
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "An expert with this email address already exists." in str(excinfo.value)


def test_consent_needs_a_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpertFactory(consent_to_contact=True, consent_given_on=None)


@pytest.mark.parametrize(
    ("order", "expected"),
    [("family_first", "Nguyễn Hùng Sơn"), ("given_first", "Hùng Sơn Nguyễn")],
)
def test_full_name_follows_the_name_order(order, expected):
    expert = ExpertFactory.build(
        honorific="Dr.", given_name="Hùng Sơn", family_name="Nguyễn", name_order=order
    )
    assert expert.full_name == expected
    assert expert.formal_name == f"Dr. {expected}"


def test_save_normalises_names_and_folds_for_search():
    expert = ExpertFactory(
        given_name=" Hùng   Sơn ",
        family_name="Nguyễn",
        name_order="family_first",
        email="son@dav.edu.vn",
    )
    assert expert.given_name == "Hùng Sơn"
    assert "nguyen hung son" in expert.search_text
    assert "son@dav.edu.vn" in expert.search_text


def test_affiliation_name_falls_back_to_free_text():
    expert = ExpertFactory.build(affiliation=None, affiliation_text="Independent scholar")
    assert expert.affiliation_name == "Independent scholar"


def test_expertise_area_slug_is_generated_and_unique():
    area = ExpertiseAreaFactory(name="Law of the Sea")
    assert area.slug == "law-of-the-sea"
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpertiseAreaFactory._meta.model.objects.create(name="Law of the sea ", slug=area.slug)
