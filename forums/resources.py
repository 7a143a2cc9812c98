"""The invitation / participant list export (logistics: hotel, visas, dietary needs).

Written by the export engine (academy_portal.core.exports): every selected invitation exactly
once, streamed, every cell escaped against formula injection. Passport, dietary, accessibility,
travel and accompanying-person details are written only for readers who may see them
(academy_portal.core.privacy); others get "given (restricted)". Every export is logged.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from academy_portal.core.exports import EXPORT_FORMATS, Column, Export
from academy_portal.core.privacy import can_see_personal_details, shown_value

from .models import Invitation, Session


def _yes(value):
    return _("yes") if value else ""


class InvitationExport(Export):
    """One row per invitation, with the expert's answer, by edition then family name."""

    model = Invitation
    file_stem = "invitations"
    what = "Invitation export"
    order = ("edition_id", "expert__family_name", "expert__given_name", "pk")
    select_related = ("expert__affiliation", "edition__forum", "offered_session")
    prefetch_related = (
        Prefetch("sessions_attending", queryset=Session.objects.order_by("starts_at", "pk")),
    )
    logged = True

    def includes_personal_details(self) -> bool:
        return can_see_personal_details(self.user)

    def columns(self) -> list[Column]:
        visible = self.includes_personal_details()

        def personal(read):
            return lambda invitation: shown_value(read(invitation), visible=visible)

        return [
            Column(_("Expert"), lambda i: i.expert.full_name),
            Column(_("Honorific"), lambda i: i.expert.honorific),
            Column(_("Email"), lambda i: i.expert.email),
            Column(_("Affiliation"), lambda i: i.expert.affiliation_name),
            Column(_("Edition"), lambda i: i.edition),
            Column(_("Status"), lambda i: i.get_status_display()),
            Column(
                _("Offered session"),
                lambda i: i.offered_session.title if i.offered_session else "",
            ),
            Column(
                _("Offered role"), lambda i: i.get_offered_role_display() if i.offered_role else ""
            ),
            Column(_("Attendance"), lambda i: i.get_attendance_display() if i.attendance else ""),
            Column(
                _("Sessions attending"),
                lambda i: "; ".join(s.title for s in i.sessions_attending.all()),
            ),
            Column(_("Arrival"), personal(lambda i: i.arrival_date)),
            Column(_("Departure"), personal(lambda i: i.departure_date)),
            Column(_("Hotel"), lambda i: _yes(i.needs_hotel)),
            Column(_("Visa letter"), lambda i: _yes(i.needs_visa_letter)),
            Column(_("Name in passport"), personal(lambda i: i.passport_name)),
            Column(
                _("Passport nationality"),
                personal(lambda i: i.passport_nationality.name if i.passport_nationality else ""),
            ),
            Column(_("Dietary needs"), personal(lambda i: i.dietary_needs)),
            Column(_("Accessibility needs"), personal(lambda i: i.accessibility_needs)),
            Column(_("Accompanying person"), personal(lambda i: i.accompanying_person)),
            Column(_("Reason for declining"), lambda i: i.decline_reason),
            Column(_("Sent"), lambda i: i.sent_at),
            Column(_("Answered"), lambda i: i.responded_at),
        ]


def export_invitations(queryset, *, file_format: str, user=None) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the list in memory, for small in-process uses.

    Not logged and masked unless `user` may see personal details; downloads use
    `invitation_export_response`.
    """
    export = InvitationExport(user=user)
    content = export.content(queryset, file_format=file_format)
    return content, EXPORT_FORMATS[file_format][0], export.file_name(file_format)


def invitation_export_response(queryset, *, user, file_format: str):
    """The download of the invitations in `queryset` for `user`: logged, masked, streamed."""
    return InvitationExport(user=user).response(queryset, file_format=file_format)
