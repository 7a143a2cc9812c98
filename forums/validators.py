"""What the models validate with: the placeholders of staff-written email templates.

A leaf module (it imports no models or services), so `EmailTemplate.clean()` can use it without
the models importing a service. The email service (`forums.services.emails`) fills in exactly
these names; the rules of the sandbox itself are in `forums.template_safety`.
"""

from django.utils.translation import gettext_lazy as _

from forums import template_safety

PLACEHOLDERS = {
    "honorific": _("The expert's honorific, e.g. Dr."),
    "name": _("The expert's full name, in their name order"),
    "formal_name": _("Honorific and full name"),
    "edition_title": _("Title of the edition"),
    "forum": _("Name of the forum"),
    "theme": _("Theme of the edition"),
    "dates": _("Dates of the edition"),
    "venue": _("Venue and city"),
    "deadline": _("RSVP deadline"),
    "rsvp_link": _("The expert's personal link to answer"),
    "personal_message": _("The personal message written when inviting"),
    "session": _("The offered session, with its time"),
    "role": _("The offered role, e.g. Speaker"),
    "attribution": _("The attribution rule and what it means"),
    "practical_information": _("Travel and venue details of the edition"),
    "contact_email": _("Whom to write to with questions"),
    "academy_name": _("Name of the academy"),
    "status": _("Current status of the invitation"),
    "answer_summary": _("The expert's answer: attendance, travel, visa, diet (a line each)"),
    "checkin_link": _("A confirmed participant's check-in link (their badge's QR code)"),
    "materials_link": _("The page with the edition's materials and the feedback form"),
}


def validate_template_text(*, subject: str, body: str) -> None:
    """Raise ValidationError (per field) for what the sandbox refuses and unknown placeholders."""
    template_safety.validate_template_text(subject=subject, body=body, names=PLACEHOLDERS)
