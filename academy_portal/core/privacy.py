"""Who may read an expert's personal details, and what the others see instead.

The rule, in one place for pages, exports, outbox bodies and history: an invitation's personal
details (passport name and nationality, dietary and accessibility needs, travel dates, the
accompanying person) are readable only by staff holding `forums.access_personal_details`
(forum coordinators and administrators). Everyone else (viewers, partnerships officers) sees
that a detail was given, never its content. Yes/no needs (hotel, visa letter) are not details:
everyone with view rights sees them, so logistics can count without reading.
"""

from django.utils.translation import gettext_lazy as _

PERSONAL_DETAILS_PERMISSION = "forums.access_personal_details"

# Invitation fields whose content only PERSONAL_DETAILS_PERMISSION may read.
PERSONAL_DETAIL_FIELDS = (
    "passport_name",
    "passport_nationality",
    "dietary_needs",
    "accessibility_needs",
    "arrival_date",
    "departure_date",
    "accompanying_person",
)

# What a reader without the permission sees in place of a given detail.
WITHHELD = _("given (restricted)")


def can_see_personal_details(user) -> bool:
    """True for staff whose role may read passport, dietary, accessibility and travel details."""
    return bool(user and user.is_active and user.has_perm(PERSONAL_DETAILS_PERMISSION))


def shown_value(value, *, visible: bool):
    """`value` itself when visible; else WITHHELD if something was given, "" if nothing was."""
    if visible:
        return value
    return WITHHELD if value not in (None, "") else ""
