"""After the edition: its materials (files staff uploaded) and a short feedback form, for the
experts who attended. Reached from the thank-you email by the personal link
(/materials/<token>/) or signed in (/me/invitations/<id>/materials/).

Files are served through these views, never from a public media address: only a participant
who attended (forums.services.attendance.attended) gets them.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from academy_portal.core import ratelimit
from experts.services import expert_for_user
from forums.models import EditionMaterial, Feedback, Invitation
from forums.services import find_invitation_by_token
from forums.services.attendance import AttendanceError, attended, save_feedback

from .views import (
    PRIVATE_PAGE_HEADERS,
    TOKEN_MAX_LENGTH,
    TOKEN_PAGE_HEADERS,
    _activate_expert_language,
    _contact_email,
    _language_link_redirect,
    _with_headers,
    per_address_limit,
    per_link_limit,
)

RATINGS = [(n, str(n)) for n in range(1, 6)]


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How useful was the event for you? (1: not at all, 5: very)"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _gone(request, *, headers, token_page: bool, contact_email: str = "", reason: str = ""):
    response = render(
        request,
        "forums/rsvp_gone.html",
        {"reason": reason, "contact_email": contact_email, "language_links": token_page},
        status=404,
    )
    return _with_headers(response, headers)


def _page(request, invitation: Invitation, *, headers: dict, token_page: bool, file_url):
    edition = invitation.edition
    if not attended(invitation):
        return _gone(
            request,
            headers=headers,
            token_page=token_page,
            contact_email=_contact_email(edition),
            reason=_(
                "The materials of this edition are shared with the participants who attended."
            ),
        )
    feedback = Feedback.objects.filter(invitation=invitation).first()
    if request.method == "POST":
        verdicts = [
            ratelimit.consume("materials-key", str(invitation.pk), per_link_limit()),
            ratelimit.consume("materials-ip", ratelimit.client_ip(request), per_address_limit()),
        ]
        if not all(verdict.allowed for verdict in verdicts):
            response = render(
                request, "forums/rate_limited.html", {"language_links": token_page}, status=429
            )
            response["Retry-After"] = str(max(v.retry_after for v in verdicts))
            return _with_headers(response, headers)
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                save_feedback(
                    invitation=invitation,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except AttendanceError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Thank you for your feedback."))
                return _with_headers(HttpResponseRedirect(request.path), headers)
    else:
        initial = {"rating": feedback.rating, "comment": feedback.comment} if feedback else {}
        form = FeedbackForm(initial=initial)
    materials = [
        (material, file_url(material)) for material in edition.materials.order_by("order", "pk")
    ]
    context = {
        "invitation": invitation,
        "edition": edition,
        "expert": invitation.expert,
        "materials": materials,
        "form": form,
        "feedback": feedback,
        "language_links": token_page,
        "contact_email": _contact_email(edition),
    }
    return _with_headers(render(request, "forums/materials.html", context), headers)


def _file(invitation: Invitation, material_id: int, headers: dict):
    if not attended(invitation):
        raise Http404
    material = get_object_or_404(EditionMaterial, pk=material_id, edition_id=invitation.edition_id)
    try:
        handle = material.file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    name = material.file.name.rsplit("/", 1)[-1]
    return _with_headers(FileResponse(handle, as_attachment=True, filename=name), headers)


def _by_token(token: str):
    if len(token) > TOKEN_MAX_LENGTH:
        return None
    return find_invitation_by_token(token)


@csrf_exempt  # The unguessable token in the URL is the secret, as on the RSVP page.
@require_http_methods(["GET", "HEAD", "POST"])
def materials(request, token: str):
    switched = _language_link_redirect(request) if request.method != "POST" else None
    if switched:
        return _with_headers(switched, TOKEN_PAGE_HEADERS)
    invitation = _by_token(token)
    if invitation is None:
        return _gone(request, headers=TOKEN_PAGE_HEADERS, token_page=True)
    _activate_expert_language(request, invitation.expert)
    return _page(
        request,
        invitation,
        headers=TOKEN_PAGE_HEADERS,
        token_page=True,
        file_url=lambda m: reverse("forums:material_file", args=[token, m.pk]),
    )


@require_GET
def material_file(request, token: str, material_id: int):
    invitation = _by_token(token)
    if invitation is None:
        raise Http404
    return _file(invitation, material_id, TOKEN_PAGE_HEADERS)


def _own_invitation(request, pk: int) -> Invitation:
    expert = expert_for_user(request.user)
    if expert is None:
        raise Http404
    invitation = get_object_or_404(
        Invitation.objects.select_related("edition__forum", "expert"), pk=pk, expert=expert
    )
    _activate_expert_language(request, expert)
    return invitation


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_materials(request, pk: int):
    invitation = _own_invitation(request, pk)
    return _page(
        request,
        invitation,
        headers=PRIVATE_PAGE_HEADERS,
        token_page=False,
        file_url=lambda m: reverse("forums:my_material_file", args=[pk, m.pk]),
    )


@login_required
@require_GET
def my_material_file(request, pk: int, material_id: int):
    return _file(_own_invitation(request, pk), material_id, PRIVATE_PAGE_HEADERS)
