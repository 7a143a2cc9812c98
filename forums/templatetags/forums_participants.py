"""Filters of the participants page (templates/forums/participants/)."""

from django import template
from django_countries import countries

from forums.services.participants import participant_country

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    """The country's name in the active language ("" for none)."""
    return str(countries.name(code)) if code else ""


@register.filter
def participant_country_name(invitation) -> str:
    return country_name(participant_country(invitation))
