"""The demo numbers the visa support letters of its upcoming edition, once: a second run
reuses every number, and the summary says where the participants page and register are."""

import pytest
from django.urls import reverse

from academy_portal.demo.build import build_demo
from forums.models import Invitation, LetterSettings, VisaLetter

pytestmark = pytest.mark.django_db


def test_the_demo_has_letters_for_its_accepted_experts_with_visa_needs():
    summary = build_demo()
    edition = summary["upcoming_edition"]
    eligible = Invitation.objects.filter(
        edition=edition, status="accepted", needs_visa_letter=True
    ).exclude(passport_name="")

    letters = VisaLetter.objects.filter(edition=edition)
    assert eligible.exists()
    assert sorted(letters.values_list("invitation", flat=True)) == sorted(
        eligible.values_list("pk", flat=True)
    )
    assert LetterSettings.current().signatory_title_vi == "Phó Giám đốc"
    notes = "\n".join(summary["notes"])
    assert reverse("forums_staff:participants", args=[edition.pk]) in notes

    again = build_demo()

    assert "visa support letters" not in again["created"]
    assert VisaLetter.objects.count() == letters.count()
