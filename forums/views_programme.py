"""Public pages of the forums (/forums/, an edition's programme), the public calendar feed, and
the expert's own calendar file (from the RSVP page or the signed-in invitation page).

The public pages need no sign-in and set no cookie: the language switch is a plain `?lang=`
link (as on the token pages), so a shared cache may keep them (`Cache-Control: public`, an
ETag, `Vary: Accept-Language, Cookie`). Unpublished editions are a 404.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.middleware.http import ConditionalGetMiddleware
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.http import require_safe

from experts.services import expert_for_user
from forums.ics import build_expert_calendar, build_public_calendar, edition_time_zone
from forums.models import Edition, Invitation
from forums.programme import (
    edition_programme,
    public_calendar_sessions,
    public_forums,
    published_edition,
)
from forums.services import find_invitation_by_token
from forums.views import (
    PRIVATE_PAGE_HEADERS,
    TOKEN_MAX_LENGTH,
    TOKEN_PAGE_HEADERS,
    _language_link_redirect,
    _with_headers,
)

# Seconds a browser or shared cache may keep a public page or the feed without asking again.
PUBLIC_MAX_AGE = 300
conditional = decorator_from_middleware(ConditionalGetMiddleware)


def _public(response):
    """Cacheable by anyone, per language (the switch sets a cookie; browsers send a language)."""
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def _utc_offset() -> str:
    offset = timezone.now().astimezone(edition_time_zone()).utcoffset() or dt.timedelta()
    hours, minutes = divmod(int(offset.total_seconds()) // 60, 60)
    return f"UTC{'+' if offset >= dt.timedelta() else '-'}{abs(hours)}" + (
        f":{minutes:02d}" if minutes else ""
    )


@require_safe
@conditional
def forum_index(request):
    """Active forums with their published editions, upcoming and past."""
    switched = _language_link_redirect(request)
    if switched:
        return switched
    context = {"forums": public_forums(), "language_links": True}
    return _public(render(request, "forums/public/forum_index.html", context))


@require_safe
@conditional
def programme(request, forum_slug: str, number: int):
    """An edition's public programme; 404 unless it is published."""
    switched = _language_link_redirect(request)
    if switched:
        return switched
    edition = published_edition(forum_slug=forum_slug, number=number)
    if edition is None:
        raise Http404
    context = {
        "edition": edition,
        "forum": edition.forum,
        "programme": edition_programme(edition=edition),
        "time_zone": settings.TIME_ZONE,
        "utc_offset": _utc_offset(),
        "language_links": True,
    }
    return _public(render(request, "forums/public/programme.html", context))


@require_safe
@conditional
def public_calendar(request):
    """The subscribable feed of published editions and their sessions (no personal data)."""
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language() or settings.LANGUAGE_CODE
    editions = Edition.objects.published().select_related("forum").order_by("start_date", "pk")
    data = build_public_calendar(
        editions=editions, sessions=public_calendar_sessions(), language=language
    )
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="forums.ics"'
    return _public(response)


def _calendar_response(invitation, *, headers):
    data, method = build_expert_calendar(invitation)
    response = HttpResponse(data, content_type=f"text/calendar; charset=utf-8; method={method}")
    name = f"{invitation.edition.forum.slug}-{invitation.edition.number}.ics"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _with_headers(response, headers)


@require_safe
def rsvp_calendar(request, token: str):
    """The expert's calendar file through the personal link: what they chose, or a cancellation.
    A withdrawn (revoked) link gives nothing, as the RSVP page."""
    invitation = find_invitation_by_token(token) if len(token) <= TOKEN_MAX_LENGTH else None
    if invitation is None or invitation.token_revoked_at is not None:
        response = HttpResponse(status=404 if invitation is None else 410)
        return _with_headers(response, TOKEN_PAGE_HEADERS)
    return _calendar_response(invitation, headers=TOKEN_PAGE_HEADERS)


@login_required
@require_safe
def my_invitation_calendar(request, pk: int):
    """The signed-in expert's calendar file for their own invitation; others' are a 404."""
    expert = expert_for_user(request.user)
    if expert is None:
        raise Http404
    invitation = get_object_or_404(
        Invitation.objects.select_related("edition__forum", "expert", "offered_session").exclude(
            status=Invitation.Status.DRAFT
        ),
        pk=pk,
        expert=expert,
    )
    return _calendar_response(invitation, headers=PRIVATE_PAGE_HEADERS)
