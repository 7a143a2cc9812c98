"""The personal-details rule (academy_portal.core.privacy) applied to the invitation admin.

Readers without `forums.access_personal_details` get, in place of each detail field, a read-only
line that says whether it was given; they can neither search nor filter by a detail (a hit or a
row count tells the content as surely as the page would). Readers with it see the fields, and
each change page that shows them a detail writes one access-log row.
"""

from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP
from django.utils.html import format_html

from academy_portal.core.models import AccessLog
from academy_portal.core.privacy import (
    PERSONAL_DETAIL_FIELDS,
    can_see_personal_details,
    shown_value,
)
from academy_portal.core.services import record_access
from forums.models import Invitation

# What the access log names as the page that showed the details.
CHANGE_PAGE_LOG_LABEL = "Invitation page (staff admin)"


def withheld_name(name: str) -> str:
    return f"{name}_withheld"


def _withheld_display(name: str):
    def display(self, obj):
        shown = shown_value(getattr(obj, name), visible=False)
        if not shown:
            # The admin's empty mark, as for a visible detail not given (None would print "None").
            return self.get_empty_value_display()
        return format_html('<span class="detail-withheld">{}</span>', shown)

    display.__name__ = withheld_name(name)
    return admin.display(description=Invitation._meta.get_field(name).verbose_name)(display)


def has_personal_details(invitation: Invitation) -> bool:
    return any(getattr(invitation, name) not in (None, "") for name in PERSONAL_DETAIL_FIELDS)


class PersonalDetailsAdminMixin:
    """For the Invitation admin: fieldsets, search and URL filters follow the reader's role."""

    personal_search_fields = ("passport_name",)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if can_see_personal_details(request.user):
            return fieldsets
        return [
            (name, {**options, "fields": [_withhold_line(line) for line in options["fields"]]})
            for name, options in fieldsets
        ]

    def get_search_fields(self, request):
        fields = tuple(super().get_search_fields(request))
        if can_see_personal_details(request.user):
            # Finding the invitation behind the name on a visa letter.
            return fields + self.personal_search_fields
        return fields

    def lookup_allowed(self, lookup, value, request):
        # The admin takes any local field as a URL filter ("?passport_name__startswith=N").
        if lookup.split(LOOKUP_SEP)[0] in PERSONAL_DETAIL_FIELDS and not can_see_personal_details(
            request.user
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and can_see_personal_details(request.user) and has_personal_details(obj):
            # Here, not in change_view: every rendering shows the details (a form with errors too).
            record_access(
                user=request.user,
                action=AccessLog.Action.VIEW,
                model=Invitation,
                what=CHANGE_PAGE_LOG_LABEL,
                object_ids=[obj.pk],
                personal_details=True,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


def _withhold_line(line):
    if isinstance(line, list | tuple):
        return tuple(_withhold_line(name) for name in line)
    return withheld_name(line) if line in PERSONAL_DETAIL_FIELDS else line


for _name in PERSONAL_DETAIL_FIELDS:
    setattr(PersonalDetailsAdminMixin, withheld_name(_name), _withheld_display(_name))
