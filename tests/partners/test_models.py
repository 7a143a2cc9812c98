import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.models import MOU, Institution
from tests.factories import InstitutionFactory, MOUFactory

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def test_institution_name_is_unique_per_country_ignoring_case():
    InstitutionFactory(name="Lowy Institute", country="AU")
    InstitutionFactory(name="Lowy Institute", country="NZ")
    with pytest.raises(IntegrityError), transaction.atomic():
        InstitutionFactory(name="LOWY institute", country="AU")
    assert Institution.objects.count() == 2


def test_institution_duplicate_gives_a_readable_validation_message():
    InstitutionFactory(name="Lowy Institute", country="AU")
    duplicate = Institution(name="lowy institute", country="AU", kind="think_tank")
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "An institution with this name already exists in this country." in str(excinfo.value)


def test_institution_save_normalises_and_folds_for_search():
    institution = InstitutionFactory(
        name="  Viện   Nghiên cứu  Biển Đông ", native_name="", acronym="DAV"
    )
    assert institution.name == "Viện Nghiên cứu Biển Đông"
    assert institution.search_text == "vien nghien cuu bien dong dav"


def test_mou_cannot_expire_before_it_is_signed():
    with pytest.raises(IntegrityError), transaction.atomic():
        MOUFactory(signed_on=days(0), effective_from=None, expires_on=days(-1))
    mou = MOUFactory.build(signed_on=days(0), effective_from=None, expires_on=days(-1))
    with pytest.raises(ValidationError) as excinfo:
        mou.full_clean(exclude=["institution"])
    assert "The expiry date cannot be before the signing date." in str(excinfo.value)


def test_mou_cannot_expire_before_it_takes_effect():
    with pytest.raises(IntegrityError), transaction.atomic():
        MOUFactory(signed_on=None, effective_from=days(10), expires_on=days(5))


def test_mou_cannot_supersede_itself_in_the_database():
    mou = MOUFactory()
    mou.supersedes = mou
    with pytest.raises(IntegrityError), transaction.atomic():
        mou.save()


def test_mou_title_is_unique_per_partner_and_signing_date():
    mou = MOUFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MOUFactory(institution=mou.institution, title=mou.title, signed_on=mou.signed_on)
    MOUFactory(
        institution=mou.institution, title=mou.title, signed_on=mou.signed_on - dt.timedelta(1)
    )


@pytest.mark.parametrize(
    ("status", "expires_in", "expected"),
    [
        (MOU.Status.ACTIVE, 0, MOU.EXPIRING),
        (MOU.Status.ACTIVE, 90, MOU.EXPIRING),
        (MOU.Status.ACTIVE, 91, MOU.Status.ACTIVE),
        (MOU.Status.ACTIVE, -1, MOU.Status.ACTIVE),
        (MOU.Status.ACTIVE, None, MOU.Status.ACTIVE),
        (MOU.Status.DRAFT, 30, MOU.Status.DRAFT),
        (MOU.Status.TERMINATED, 30, MOU.Status.TERMINATED),
    ],
)
def test_expiring_is_derived_and_matches_the_queryset(status, expires_in, expected, settings):
    settings.MOU_EXPIRING_WINDOW_DAYS = 90
    expires_on = None if expires_in is None else days(expires_in)
    mou = MOUFactory(status=status, expires_on=expires_on, signed_on=days(-500))
    assert mou.display_status == expected
    in_queryset = MOU.objects.expiring().filter(pk=mou.pk).exists()
    assert in_queryset == (expected == MOU.EXPIRING)
    assert MOU.objects.expiring_within(90).filter(pk=mou.pk).exists() == in_queryset
    assert mou.days_to_expiry == expires_in


def test_past_expiry_finds_active_mous_whose_date_has_passed():
    overdue = MOUFactory(expires_on=days(-1), signed_on=days(-500))
    MOUFactory(expires_on=days(-1), signed_on=days(-500), status=MOU.Status.EXPIRED)
    MOUFactory(expires_on=days(1))
    assert list(MOU.objects.past_expiry()) == [overdue]


def test_areas_list_splits_lines_and_semicolons():
    mou = MOUFactory.build(areas_of_cooperation="Joint research; staff exchange\n\n Publications ")
    assert mou.areas_list == ["Joint research", "staff exchange", "Publications"]
