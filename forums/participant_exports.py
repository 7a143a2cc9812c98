"""The participant list of an edition as CSV, Excel and a printable PDF.

CSV and Excel go through the export engine (academy_portal.core.exports): each participant once,
streamed, cells escaped, real date cells, a named sheet with an autofilter. The PDF is the
list in a landscape A4 table (forums.documents.participants). Every download names people, so
every one is written to the access log, with the personal-details flag when the reader may
see their content; readers who may not get "given (restricted)" in place of each detail.
"""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from academy_portal.core.exports import Column, Export, country_name
from academy_portal.core.models import AccessLog
from academy_portal.core.privacy import can_see_personal_details, shown_value
from academy_portal.core.services import record_access

from .documents.participants import build_participant_list_pdf
from .models import Invitation
from .services.participants import (
    ParticipantSummary,
    current_letter,
    participant_country,
    participants_queryset,
)

PDF_LOG_LABEL = "Participant list (PDF)"


class ParticipantExport(Export):
    """One row per participant of an edition, in name order."""

    model = Invitation
    file_stem = "participants"
    what = "Participants"
    order = ("expert__family_name", "expert__given_name", "pk")
    logged = True

    def __init__(self, *, user=None, edition=None):
        super().__init__(user=user)
        self.edition = edition

    def includes_personal_details(self) -> bool:
        return can_see_personal_details(self.user)

    def rows_queryset(self):
        return participants_queryset(self.edition).order_by()

    def columns(self) -> list[Column]:
        visible = self.includes_personal_details()
        yes = str(_("yes"))
        withheld = str(shown_value("x", visible=False))

        def personal(name):
            if visible:
                return lambda i: getattr(i, name)
            return lambda i: withheld if getattr(i, name) not in (None, "") else ""

        statuses = {k: str(v) for k, v in Invitation.Status.choices}
        attendances = {k: str(v) for k, v in Invitation.Attendance.choices}
        return [
            Column(_("Participant"), lambda i: i.expert.full_name),
            Column(_("Honorific"), lambda i: i.expert.honorific),
            Column(_("Institution"), lambda i: i.expert.affiliation_name),
            Column(_("Country"), country_name(participant_country)),
            Column(_("Status"), lambda i: statuses.get(i.status, i.status)),
            Column(_("Attendance"), lambda i: attendances.get(i.attendance, "")),
            Column(_("Hotel"), lambda i: yes if i.needs_hotel else ""),
            Column(_("Visa letter"), lambda i: yes if i.needs_visa_letter else ""),
            Column(
                _("Visa letter number"),
                lambda i: letter.reference if (letter := current_letter(i)) else "",
            ),
            Column(_("Dietary needs"), personal("dietary_needs")),
            Column(_("Accessibility needs"), personal("accessibility_needs")),
            Column(_("Arrival"), personal("arrival_date")),
            Column(_("Departure"), personal("departure_date")),
        ]


def participant_export_response(summary: ParticipantSummary, *, user, file_format: str):
    """The CSV or Excel download of the participants the page shows: logged, masked, streamed."""
    export = ParticipantExport(user=user, edition=summary.edition)
    export.file_stem = f"participants-{summary.edition.forum.slug}-{summary.edition.number}"
    ids = [i.pk for i in summary.participants]
    return export.response(Invitation.objects.filter(pk__in=ids), file_format=file_format)


def participant_pdf_response(summary: ParticipantSummary, *, user):
    """The printable list: logged before it leaves the server, details masked by role."""
    record_access(
        user=user,
        action=AccessLog.Action.EXPORT,
        model=Invitation,
        what=f"{PDF_LOG_LABEL} (pdf)",
        object_ids=[i.pk for i in summary.participants],
        personal_details=summary.details_visible,
    )
    content = build_participant_list_pdf(summary)
    edition = summary.edition
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True,
        filename=f"participants-{edition.forum.slug}-{edition.number}-"
        f"{timezone.localdate():%Y-%m-%d}.pdf",
    )
    return response
