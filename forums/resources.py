"""django-import-export resources for forum exports: the invitation / participant list.

Used by the invitation admin's export actions (logistics: hotel, visas, dietary needs). Every
cell is escaped against formula injection, as for the partner exports.
"""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields

from partners.resources import EXPORT_FORMATS, EscapedExportResource

from .models import Invitation, Session


class InvitationResource(EscapedExportResource):
    """One row per invitation, with the expert's answer."""

    expert = fields.Field(column_name=_("Expert"))
    honorific = fields.Field(attribute="expert__honorific", column_name=_("Honorific"))
    email = fields.Field(attribute="expert__email", column_name=_("Email"))
    affiliation = fields.Field(column_name=_("Affiliation"))
    edition = fields.Field(column_name=_("Edition"))
    status = fields.Field(column_name=_("Status"))
    offered_session = fields.Field(column_name=_("Offered session"))
    offered_role = fields.Field(column_name=_("Offered role"))
    attendance = fields.Field(column_name=_("Attendance"))
    sessions = fields.Field(column_name=_("Sessions attending"))
    arrival_date = fields.Field(attribute="arrival_date", column_name=_("Arrival"))
    departure_date = fields.Field(attribute="departure_date", column_name=_("Departure"))
    needs_hotel = fields.Field(column_name=_("Hotel"))
    needs_visa_letter = fields.Field(column_name=_("Visa letter"))
    passport_name = fields.Field(attribute="passport_name", column_name=_("Name in passport"))
    passport_nationality = fields.Field(column_name=_("Passport nationality"))
    dietary_needs = fields.Field(attribute="dietary_needs", column_name=_("Dietary needs"))
    accessibility_needs = fields.Field(
        attribute="accessibility_needs", column_name=_("Accessibility needs")
    )
    accompanying_person = fields.Field(
        attribute="accompanying_person", column_name=_("Accompanying person")
    )
    decline_reason = fields.Field(attribute="decline_reason", column_name=_("Reason for declining"))
    sent_at = fields.Field(attribute="sent_at", column_name=_("Sent"))
    responded_at = fields.Field(attribute="responded_at", column_name=_("Answered"))

    class Meta:
        model = Invitation
        fields = export_order = (
            "expert", "honorific", "email", "affiliation", "edition", "status", "offered_session",
            "offered_role", "attendance", "sessions", "arrival_date", "departure_date",
            "needs_hotel", "needs_visa_letter", "passport_name", "passport_nationality",
            "dietary_needs", "accessibility_needs", "accompanying_person", "decline_reason",
            "sent_at", "responded_at",
        )  # fmt: skip

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related(
            "expert__affiliation", "edition__forum", "offered_session"
        ).prefetch_related(
            Prefetch("sessions_attending", queryset=Session.objects.order_by("starts_at"))
        )

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if hasattr(instance, "responded_at") and field.attribute in ("sent_at", "responded_at"):
            moment = getattr(instance, field.attribute)
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
        return value

    def dehydrate_expert(self, invitation):
        return invitation.expert.full_name

    def dehydrate_affiliation(self, invitation):
        return invitation.expert.affiliation_name

    def dehydrate_edition(self, invitation):
        return str(invitation.edition)

    def dehydrate_status(self, invitation):
        return str(invitation.get_status_display())

    def dehydrate_offered_session(self, invitation):
        return invitation.offered_session.title if invitation.offered_session else ""

    def dehydrate_offered_role(self, invitation):
        return str(invitation.get_offered_role_display()) if invitation.offered_role else ""

    def dehydrate_attendance(self, invitation):
        return str(invitation.get_attendance_display()) if invitation.attendance else ""

    def dehydrate_sessions(self, invitation):
        return "; ".join(session.title for session in invitation.sessions_attending.all())

    def dehydrate_needs_hotel(self, invitation):
        return str(_("yes")) if invitation.needs_hotel else ""

    def dehydrate_needs_visa_letter(self, invitation):
        return str(_("yes")) if invitation.needs_visa_letter else ""

    def dehydrate_passport_nationality(self, invitation):
        return invitation.passport_nationality.name if invitation.passport_nationality else ""


def export_invitations(queryset, *, file_format: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the invitation list, formula-escaped."""
    dataset = InvitationResource().export(queryset.order_by("edition_id", "expert__family_name"))
    content_type, extension = EXPORT_FORMATS[file_format]
    if file_format == "csv":
        # A BOM so Excel opens UTF-8 (Vietnamese) correctly.
        content = "\ufeff".encode() + dataset.export("csv").encode("utf-8")
    else:
        content = dataset.export("xlsx")
    return content, content_type, f"invitations-{timezone.localdate():%Y-%m-%d}.{extension}"
