"""MemoizedSelect renders exactly what Django's Select renders, in every language, for every
selected value: the fast path is pinned to the plain one (docs/architecture.md, fast paths)."""

import pytest
from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from academy_portal.core.widgets import MemoizedSelect
from forums.forms import CountryChoices, RSVPForm
from forums.models import Invitation

ATTRS = [
    None,
    {"id": "id_passport_nationality"},
    {"id": "id_n", "aria-describedby": "id_n_helptext", "aria-invalid": "true", "required": True},
]
VALUES = [None, "", "VN", "US", "IS", "GB", "XX", ["FR", "DE"], "<script>"]


def both(choices, **kwargs):
    return MemoizedSelect(choices=choices, **kwargs), forms.Select(choices=choices, **kwargs)


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", VALUES)
def test_the_country_select_is_djangos_byte_for_byte(language, attrs, value):
    memoized, plain = both(CountryChoices())
    with translation.override(language):
        expected = plain.render("passport_nationality", value, attrs)
        # Twice: the first render fills the memo, the second reads it.
        for _attempt in range(2):
            assert memoized.render("passport_nationality", value, attrs) == expected


def test_exactly_one_option_is_selected_and_it_is_the_value():
    memoized, _plain = both(CountryChoices())
    with translation.override("en"):
        html = memoized.render("n", "VN", None)
        assert html.count(" selected") == 1
        assert '<option value="VN" selected>Vietnam</option>' in html
        # Nothing given: the "Select a country" option, as Django does.
        empty = memoized.render("n", None, None)
        assert '<option value="" selected>Select a country</option>' in empty
        assert memoized.render("n", "XX", None).count(" selected") == 0


def test_the_language_of_the_page_is_respected_whatever_was_rendered_before():
    memoized, _plain = both(CountryChoices())
    for language, name in [("en", "United States of America"), ("vi", "Hoa Kỳ")] * 2:
        with translation.override(language):
            html = memoized.render("n", "US", None)
        assert f'<option value="US" selected>{name}</option>' in html


def test_choices_that_are_all_lazy_translations_are_kept_apart_by_language():
    choices = [("y", _("Yes")), ("n", _("No"))]
    memoized, plain = both(choices)
    for language in ["en", "vi", "en"]:
        with translation.override(language):
            assert memoized.render("a", "n", None) == plain.render("a", "n", None)


def test_option_groups_and_odd_values_are_rendered_as_django_does():
    grouped = [("Asia", [("VN", "Viet Nam"), ("LA", "Laos")]), ("FR", "France")]
    memoized, plain = both(grouped)
    assert memoized.render("g", "LA", None) == plain.render("g", "LA", None)
    odd = [(None, "—"), ("a&b", 'A "quoted" <label>'), (3, "three")]
    memoized, plain = both(odd)
    for value in [None, "a&b", 3, "3"]:
        assert memoized.render("o", value, {"class": "x"}) == plain.render(
            "o", value, {"class": "x"}
        )


def test_attribute_values_that_are_not_hashable_are_still_rendered():
    memoized, plain = both(CountryChoices())
    attrs = {"id": "x", "data-list": ["a", "b"]}
    assert memoized.render("n", "VN", attrs) == plain.render("n", "VN", attrs)


def _forms(invitation):
    """The RSVP form as the page shows it (initial values) and after a refused answer (errors:
    aria-invalid on the select)."""
    shown = RSVPForm(initial=RSVPForm.initial_for(invitation), invitation=invitation)
    refused = RSVPForm(
        {"answer": Invitation.Status.ACCEPTED, "needs_visa_letter": "on", "version": 0},
        invitation=invitation,
    )
    assert not refused.is_valid()
    return [shown, refused]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_rsvp_forms_nationality_field_renders_as_with_a_plain_select(language):
    from tests.forums.invitation_factories import sent_invitation  # noqa: PLC0415 - needs the db

    invitation, _token = sent_invitation()
    invitation.passport_nationality = "VN"
    with translation.override(language):
        memoized = [str(form["passport_nationality"]) for form in _forms(invitation)]
        plain = []
        for form in _forms(invitation):
            form.fields["passport_nationality"].widget = forms.Select(choices=CountryChoices())
            plain.append(str(form["passport_nationality"]))
    assert memoized == plain
    assert '<option value="VN" selected>' in memoized[0]
    assert 'aria-invalid="true"' in memoized[1]


def test_the_country_list_is_keyed_without_translating_it_and_follows_settings(settings):
    memoized, plain = both(CountryChoices())
    with translation.override("en"):
        english = memoized._choices_key()
        assert english[0] == "memo_key"
        settings.COUNTRIES_OVERRIDE = {"VN": "Viet Nam (overridden)"}
        assert memoized._choices_key() != english  # another list: rendered afresh
        html = memoized.render("n", "VN", None)
        assert html == plain.render("n", "VN", None)
    with translation.override("vi"):
        assert memoized._choices_key() != english
