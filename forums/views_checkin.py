"""The registration desk: /checkin/<code>/ (the badge's QR code) and a phone-friendly list per
edition (/checkin/desk/<edition id>/) to find people by name and mark them present.

Only a signed-in staff member with `forums.check_in_participant` (registration desk,
coordinators, administrators) sees anyone. Everyone else signed in (experts, viewers,
officers), and every forged, mistyped or revoked code, gets the same neutral 404 page that
names no one; an anonymous visitor is sent to sign in. GET changes nothing; marking present is
a POST with CSRF, and a second tap finds the person already present (forums.services.attendance).
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from academy_portal.core.text import fold_for_search
from forums.documents.badges import badge_roles, role_labels, roles_by_expert
from forums.models import Edition, Invitation, Presence
from forums.services.attendance import AttendanceError, attendance_counts, check_in
from forums.services.checkin_codes import find_invitation_by_checkin_code

PERMISSION = "forums.check_in_participant"
# The code is in the address: keep it out of other sites' Referer headers and of caches.
HEADERS = {
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}
DESK_LIMIT = 300  # rows the desk list shows; a search narrows it


def _with_headers(response):
    for name, value in HEADERS.items():
        response[name] = value
    return response


def may_check_in(user) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.has_perm(PERMISSION))


def _neutral(request):
    """The one page for "no": it names no one, whoever asks and whatever the code."""
    return _with_headers(render(request, "forums/checkin/neutral.html", status=404))


def _gate(request):
    """A response refusing the request, or None when the user may use the desk."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("account_login"))
    if not may_check_in(request.user):
        return _neutral(request)
    return None


def _mark(request, invitation) -> None:
    try:
        outcome = check_in(invitation=invitation, actor=request.user)
    except AttendanceError as error:
        messages.error(request, str(error.message))
        return
    name = invitation.expert.full_name
    if outcome.already:
        when = timezone.localtime(outcome.presence.recorded_at)
        messages.info(
            request,
            _("%(name)s was already checked in at %(time)s.")
            % {"name": name, "time": f"{when:%H:%M}"},
        )
    else:
        messages.success(request, _("%(name)s is checked in.") % {"name": name})


@require_http_methods(["GET", "HEAD", "POST"])
def checkin(request, token: str):
    """The person a badge's QR code names, with one button to mark them present."""
    refused = _gate(request)
    if refused:
        return refused
    invitation = find_invitation_by_checkin_code(token)
    if invitation is None:
        return _neutral(request)
    if request.method == "POST":
        _mark(request, invitation)
        return _with_headers(HttpResponseRedirect(request.path))
    presence = Presence.objects.select_related("recorded_by").filter(invitation=invitation).first()
    roles = badge_roles(invitation, roles_by_expert(invitation.edition))
    context = {
        "invitation": invitation,
        "expert": invitation.expert,
        "edition": invitation.edition,
        "presence": presence,
        "role": role_labels(roles, request.LANGUAGE_CODE),
        "confirmed": invitation.status == Invitation.Status.ACCEPTED,
        "counts": attendance_counts(invitation.edition),
    }
    return _with_headers(render(request, "forums/checkin/person.html", context))


@require_http_methods(["GET", "HEAD", "POST"])
def desk(request, edition_id: int):
    """An edition's confirmed participants, found by name without diacritics, each with a
    "Present" button; the count present / expected on top."""
    refused = _gate(request)
    if refused:
        return refused
    edition = Edition.objects.select_related("forum").filter(pk=edition_id).first()
    if edition is None:
        return _neutral(request)
    query = request.GET.get("q", "")[:100]
    if request.method == "POST":
        query = request.POST.get("q", "")[:100]
        invitation_id = request.POST.get("invitation", "")
        invitation = (
            Invitation.objects.select_related("expert", "edition__forum")
            .filter(edition=edition, pk=int(invitation_id))
            .first()
            if invitation_id.isdigit()
            else None
        )
        if invitation is None:
            messages.error(request, _("This person is not on the list of this edition."))
        else:
            _mark(request, invitation)
        url = reverse("forums:checkin_desk", args=[edition.pk])
        if query:
            url += "?" + urlencode({"q": query})
        return _with_headers(HttpResponseRedirect(url))

    rows = (
        Invitation.objects.filter(edition=edition, status=Invitation.Status.ACCEPTED)
        .select_related("expert__affiliation", "presence")
        .order_by("expert__family_name", "expert__given_name", "pk")
    )
    for word in fold_for_search(query).split():
        rows = rows.filter(expert__search_text__contains=word)
    shown = list(rows[: DESK_LIMIT + 1])
    context = {
        "edition": edition,
        "edition_title": edition.text_in("title"),
        "query": query,
        "rows": shown[:DESK_LIMIT],
        "more": len(shown) > DESK_LIMIT,
        "counts": attendance_counts(edition),
    }
    return _with_headers(render(request, "forums/checkin/desk.html", context))
