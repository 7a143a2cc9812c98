"""Staff pages of an edition served inside the admin (its sign-in, permissions and look): the
participants page with its downloads, and the visa support letters' PDFs.

Who may do what (docs/security.md): every staff role that may view invitations sees the
participants page and downloads its lists, details masked unless the reader may see personal
details; only readers with forums.access_personal_details issue, download or email letters.
"""

import io
import zipfile
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from academy_portal.core.models import AccessLog
from academy_portal.core.privacy import can_see_personal_details
from academy_portal.core.services import record_access

from .documents.visa_letter import letter_file_name
from .models import Edition, Invitation, VisaLetter
from .participant_exports import participant_export_response, participant_pdf_response
from .services.participants import (
    ParticipantFilters,
    invitations_with_details,
    summarize_participants,
)
from .services.visa_letters import (
    edition_letter_candidates,
    issue_visa_letters,
    render_visa_letter,
)

PAGE_LOG_LABEL = "Participants page (staff)"
LETTER_LOG_LABEL = "Visa support letter (PDF)"
DOWNLOAD_FORMATS = ("csv", "xlsx", "pdf")


def _require_view(request):
    if not request.user.has_perm("forums.view_invitation"):
        raise PermissionDenied


def _require_letters(request):
    if not can_see_personal_details(request.user):
        raise PermissionDenied


def participants(request, edition_id):
    """An edition's accepted, tentative and waitlisted invitations, filtered by status, country
    and institution, with the counts logistics need; `?download=csv|xlsx|pdf` downloads the list
    as shown."""
    _require_view(request)
    edition = get_object_or_404(Edition.objects.select_related("forum"), pk=edition_id)
    filters = ParticipantFilters.from_query(request.GET)
    summary = summarize_participants(edition, user=request.user, filters=filters)
    download = request.GET.get("download", "")
    if download in ("csv", "xlsx"):
        return participant_export_response(summary, user=request.user, file_format=download)
    if download == "pdf":
        return participant_pdf_response(summary, user=request.user)
    if summary.details_visible:
        shown = invitations_with_details(summary.participants)
        if shown:
            record_access(
                user=request.user,
                action=AccessLog.Action.VIEW,
                model=Invitation,
                what=PAGE_LOG_LABEL,
                object_ids=shown,
                personal_details=True,
            )
    query = filters.as_query()
    context = {
        **admin.site.each_context(request),
        "title": _("Participants"),
        "subtitle": str(edition),
        "edition": edition,
        "opts": Edition._meta,
        "summary": summary,
        "filters": filters,
        "downloads": [
            (fmt, "?" + urlencode({**query, "download": fmt})) for fmt in DOWNLOAD_FORMATS
        ],
        "can_issue_letters": can_see_personal_details(request.user),
        "letters_to_issue": sum(
            1
            for i in summary.participants
            if i.status == Invitation.Status.ACCEPTED
            and i.needs_visa_letter
            and not getattr(i, "current_letters", None)
        ),
    }
    return render(request, "forums/participants/page.html", context)


@require_POST
def issue_edition_letters(request, edition_id):
    """Issue the letters still missing for an edition (each eligible expert once), then show
    the register of the edition, saying who was skipped and why."""
    _require_letters(request)
    edition = get_object_or_404(Edition, pk=edition_id)
    outcome = issue_visa_letters(edition_letter_candidates(edition), issued_by=request.user)
    report_issue_outcome(request, outcome)
    url = reverse("admin:forums_visaletter_changelist")
    return HttpResponseRedirect(f"{url}?edition__id__exact={edition.pk}")


def report_issue_outcome(request, outcome) -> None:
    messages.success(
        request,
        ngettext(
            "%(count)d visa support letter ready (%(new)d newly numbered).",
            "%(count)d visa support letters ready (%(new)d newly numbered).",
            len(outcome.letters),
        )
        % {"count": len(outcome.letters), "new": outcome.created},
    )
    if outcome.skipped:
        messages.warning(
            request,
            _("Skipped: %(names)s.")
            % {
                "names": "; ".join(
                    f"{skipped.invitation.expert} ({skipped.reason})" for skipped in outcome.skipped
                )
            },
        )


def visa_letter_pdf(request, letter_id):
    """One letter's PDF, made now from the invitation; logged as an export of passport data."""
    _require_letters(request)
    letter = get_object_or_404(VisaLetter, pk=letter_id)
    content = render_visa_letter(letter)
    if content is None:
        raise Http404(_("This letter's passport name has been erased: it can no longer be made."))
    record_access(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        model=Invitation,
        what=LETTER_LOG_LABEL,
        object_ids=[letter.invitation_id],
        personal_details=True,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=letter_file_name(letter)
    )
    return response


def letters_zip_response(request, letters, *, file_stem: str, skipped=()) -> HttpResponse:
    """The PDFs of `letters` in one ZIP (and skipped.txt saying who was left out and why);
    logged as one export of passport data."""
    buffer = io.BytesIO()
    written = []
    not_made = list(skipped)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for letter in letters:
            content = render_visa_letter(letter)
            if content is None:
                not_made.append(f"{letter.reference}: {_('passport name erased')}")
                continue
            archive.writestr(letter_file_name(letter), content)
            written.append(letter.invitation_id)
        if not_made:
            archive.writestr("skipped.txt", "\n".join(str(line) for line in not_made) + "\n")
    record_access(
        user=request.user,
        action=AccessLog.Action.EXPORT,
        model=Invitation,
        what=f"{LETTER_LOG_LABEL} (zip)",
        object_ids=written,
        personal_details=True,
    )
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{file_stem}.zip"
    )
    return response
