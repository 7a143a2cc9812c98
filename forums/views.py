"""Expert-facing RSVP pages: by personal link (/rsvp/<token>/) or signed in (/me/invitations/<id>/).

Both routes share `_rsvp_page`; all writes go through `forums.services.submit_rsvp`.
GET never changes an invitation: mail scanners open links, so the only write on GET is the
`record_rsvp_opened` audit event.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from academy_portal.core import ratelimit
from academy_portal.core.academy import academy_name
from experts.services import expert_for_user
from forums.forms import RSVPForm, applies_chatham_house
from forums.models import AttributionRule, Invitation
from forums.models.forums import ATTRIBUTION_EXPLANATIONS
from forums.services import (
    RSVPClosed,
    RSVPError,
    StaleAnswer,
    closed_reason,
    find_invitation_by_token,
    record_rsvp_opened,
    submit_rsvp,
)

# Link tokens are an unpadded URL-safe base64 HMAC-SHA256 (43 characters, forums.services.tokens);
# anything far longer is not worth hashing.
TOKEN_MAX_LENGTH = 128
RATE_LIMIT_WINDOW = 60  # seconds: RSVP_RATE_LIMIT_PER_LINK and _PER_ADDRESS are per minute


def per_link_limit() -> ratelimit.Limit:
    """POSTs one personal link may make per minute (read at call time: tests change it)."""
    return ratelimit.Limit(settings.RSVP_RATE_LIMIT_PER_LINK, RATE_LIMIT_WINDOW)


def per_address_limit() -> ratelimit.Limit:
    """POSTs one client address may make per minute, whatever the link."""
    return ratelimit.Limit(settings.RSVP_RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_WINDOW)


# A personal link is a password: keep it out of Referer headers, caches and search engines.
TOKEN_PAGE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}
PRIVATE_PAGE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}

INVITATION_RELATED = ("edition__forum", "expert", "offered_session__edition")


def _with_headers(response, headers):
    for name, value in headers.items():
        response[name] = value
    return response


def _contact_email(edition) -> str:
    return edition.contact_email or settings.ACADEMY_CONTACT_EMAIL


def _activate_expert_language(request, expert) -> None:
    """Use the expert's preferred language unless they picked one with the language switch."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    language = expert.preferred_language
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language


def _language_link_redirect(request):
    """`?lang=vi` on a token page: remember the choice in the cookie and reload the page.

    Token pages send `Referrer-Policy: no-referrer`, with which browsers send `Origin: null` on
    form posts and Django's CSRF check refuses the usual language-switch form; a plain link
    works everywhere, also without JavaScript. Only the cookie changes, never the invitation.
    """
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        return None
    response = HttpResponseRedirect(request.path)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def is_gone(invitation) -> bool:
    """Withdrawn, expired, revoked or over: the personal link answers 410, not the form."""
    return invitation.is_final or bool(invitation.token_revoked_at) or invitation.edition_ended


def _gone(request, *, status: int, reason: str = "", contact_email: str = ""):
    """The polite page for an unknown (404) or no longer valid (410) personal link."""
    response = render(
        request,
        "forums/rsvp_gone.html",
        {
            "reason": reason,
            "contact_email": contact_email or settings.ACADEMY_CONTACT_EMAIL,
            "language_links": True,
        },
        status=status,
    )
    return _with_headers(response, TOKEN_PAGE_HEADERS)


def _rate_limited(request, *, key: str, headers: dict):
    """Count this POST against the link and the address; a 429 page when either is exhausted."""
    verdicts = [
        ratelimit.consume("rsvp-key", key, per_link_limit()),
        ratelimit.consume("rsvp-ip", ratelimit.client_ip(request), per_address_limit()),
    ]
    blocked = [verdict for verdict in verdicts if not verdict.allowed]
    if not blocked:
        return None
    response = render(
        request,
        "forums/rate_limited.html",
        {"language_links": headers is TOKEN_PAGE_HEADERS},
        status=429,
    )
    # When the exhausted window(s) end; the limiter's windows are exact, so this is too.
    response["Retry-After"] = str(max(verdict.retry_after for verdict in blocked))
    return _with_headers(response, headers)


def _success_message(invitation) -> str:
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        return _(
            "Thank you, your place is confirmed. "
            "We have emailed you a confirmation with a calendar file."
        )
    if status == Invitation.Status.WAITLISTED:
        return _(
            "Thank you. All places are taken at the moment, so you are on the waiting list; "
            "we will email you as soon as a place opens."
        )
    if status == Invitation.Status.TENTATIVE:
        return _(
            "Thank you, we have noted your tentative answer. "
            "Please confirm or decline before the deadline."
        )
    return _("Thank you for letting us know. We hope to welcome you at a future forum.")


def _attribution(invitation):
    rule = (
        invitation.offered_session.effective_attribution
        if invitation.offered_session_id
        else invitation.edition.default_attribution
    )
    return AttributionRule(rule).label, ATTRIBUTION_EXPLANATIONS.get(AttributionRule(rule), "")


def _rsvp_page(
    request, invitation, *, rate_key: str, headers: dict, token_page: bool, calendar_url: str
):
    """Show the invitation and its form; on POST validate and call `submit_rsvp` (then PRG)."""
    edition = invitation.edition
    read_only = not invitation.is_answerable
    reason = closed_reason(invitation) or ""
    stale = False
    status = 200

    if request.method == "POST":
        limited = _rate_limited(request, key=rate_key, headers=headers)
        if limited:
            return limited
        if read_only:
            messages.error(request, reason or _deadline_passed_message(invitation))
            return _with_headers(HttpResponseRedirect(request.path), headers)
        form = RSVPForm(request.POST, invitation=invitation)
        if form.is_valid():
            try:
                invitation = submit_rsvp(invitation, **form.service_kwargs())
            except StaleAnswer:
                # Another tab answered first: show the current answer next to what they typed,
                # with the current version so that sending again is a deliberate choice.
                invitation = _refetch(invitation)
                data = request.POST.copy()
                data["version"] = str(invitation.version)
                form = RSVPForm(data, invitation=invitation)
                form.is_valid()
                stale = True
                status = 409
            except RSVPClosed as error:
                messages.error(request, str(error.message))
                return _with_headers(HttpResponseRedirect(request.path), headers)
            except RSVPError as error:
                # InvalidAnswer: the service caught what the form could not (e.g. a session
                # removed from the programme meanwhile); keep what was typed.
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _success_message(invitation))
                return _with_headers(HttpResponseRedirect(request.path), headers)
    else:
        record_rsvp_opened(invitation)
        # One read of the sessions the expert attends, for the initial values and the page.
        prefetch_related_objects([invitation], "sessions_attending")
        form = RSVPForm(initial=RSVPForm.initial_for(invitation), invitation=invitation)

    attribution_label, attribution_explanation = _attribution(invitation)
    prefetch_related_objects([invitation], "sessions_attending")  # done already on a GET
    context = {
        "invitation": invitation,
        "edition": edition,
        "expert": invitation.expert,
        "form": form,
        "read_only": read_only,
        "closed_reason": reason,
        "stale": stale,
        "token_page": token_page,
        "language_links": token_page,
        "attribution_label": attribution_label,
        "attribution_explanation": attribution_explanation,
        "chatham_house": applies_chatham_house(invitation),
        "contact_email": _contact_email(edition),
        "has_answer": invitation.status in Invitation.ANSWERED_STATUSES,
        "sessions_attending": list(invitation.sessions_attending.all()),
        "calendar_url": calendar_url,
    }
    response = render(request, "forums/rsvp.html", context, status=status)
    return _with_headers(response, headers)


def _deadline_passed_message(invitation) -> str:
    return _(
        "The deadline for answering has passed, so your answer can no longer be changed here. "
        "Please write to %(email)s."
    ) % {"email": _contact_email(invitation.edition)}


def _refetch(invitation):
    return Invitation.objects.select_related(*INVITATION_RELATED).get(pk=invitation.pk)


@csrf_exempt  # The unguessable token in the URL is the secret; see _language_link_redirect.
@require_http_methods(["GET", "HEAD", "POST"])
def rsvp(request, token: str):
    """The personal RSVP page reached from the invitation email."""
    switched = _language_link_redirect(request) if request.method != "POST" else None
    if switched:
        return _with_headers(switched, TOKEN_PAGE_HEADERS)
    found = find_invitation_by_token(token) if len(token) <= TOKEN_MAX_LENGTH else None
    if found is None:
        # Same page whatever the token looks like: nothing tells a guesser they are close.
        return _gone(request, status=404)
    invitation = found
    _activate_expert_language(request, invitation.expert)
    if is_gone(invitation):
        return _gone(
            request,
            status=410,
            reason=closed_reason(invitation) or _("This link is no longer valid."),
            contact_email=_contact_email(invitation.edition),
        )
    return _rsvp_page(
        request,
        invitation,
        rate_key=f"token:{invitation.pk}",
        headers=TOKEN_PAGE_HEADERS,
        token_page=True,
        calendar_url=reverse("forums:rsvp_calendar", args=[token]),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_invitation(request, pk: int):
    """A signed-in expert's own invitation, without the emailed link; others' are a 404."""
    expert = expert_for_user(request.user)
    if expert is None:
        raise Http404
    invitation = get_object_or_404(
        Invitation.objects.select_related(*INVITATION_RELATED).exclude(
            status=Invitation.Status.DRAFT
        ),
        pk=pk,
        expert=expert,
    )
    _activate_expert_language(request, expert)
    return _rsvp_page(
        request,
        invitation,
        rate_key=f"token:{invitation.pk}",
        headers=PRIVATE_PAGE_HEADERS,
        token_page=False,
        calendar_url=reverse("forums:my_invitation_calendar", args=[invitation.pk]),
    )


@require_GET
def privacy(request):
    """The privacy notice experts agree to when they answer."""
    return render(
        request,
        "forums/privacy.html",
        {
            "contact_email": settings.ACADEMY_CONTACT_EMAIL,
            "academy_name": academy_name(),
            "notice_version": settings.PRIVACY_NOTICE_VERSION,
            "passport_days": settings.RETENTION_PASSPORT_DAYS,
            "not_attending_months": settings.RETENTION_NOT_ATTENDING_MONTHS,
        },
    )
