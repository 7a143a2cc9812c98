"""Pages for signed-in experts: their invitations and their own profile."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import ExpertProfileForm
from .services import expert_for_user, update_expert_profile

PRIVATE_PAGE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


def _private(response):
    for name, value in PRIVATE_PAGE_HEADERS.items():
        response[name] = value
    return response


def _activate_language(request, expert) -> None:
    """The expert's preferred language, unless they chose one with the language switch."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(expert.preferred_language)
        request.LANGUAGE_CODE = expert.preferred_language


def _not_an_expert(request):
    return _private(render(request, "experts/not_an_expert.html", status=403))


@login_required
@require_http_methods(["GET", "HEAD"])
def me(request):
    """All of the expert's invitations, upcoming first, with links to answer or review them."""
    expert = expert_for_user(request.user)
    if expert is None:
        return _not_an_expert(request)
    _activate_language(request, expert)
    today = timezone.localdate()
    invitations = list(
        expert.invitations.exclude(status="draft")
        .select_related("edition__forum", "offered_session")
        .order_by("edition__start_date", "id")
    )
    upcoming = [i for i in invitations if i.edition.end_date >= today]
    past = [i for i in reversed(invitations) if i.edition.end_date < today]
    context = {"expert": expert, "upcoming": upcoming, "past": past}
    return _private(render(request, "experts/me.html", context))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_profile(request):
    """The expert updates what they may change about themselves (not name or email)."""
    expert = expert_for_user(request.user)
    if expert is None:
        return _not_an_expert(request)
    _activate_language(request, expert)
    if request.method == "POST":
        form = ExpertProfileForm(request.POST)
        if form.is_valid():
            update_expert_profile(expert, **form.cleaned_data)
            # The message and the next page speak the language just chosen: activate it before
            # translating, and move the switch's cookie with it so that it does not override it.
            language = form.cleaned_data["preferred_language"]
            translation.activate(language)
            messages.success(request, _("Your profile has been updated."))
            response = redirect("experts:me")
            if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
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
    else:
        form = ExpertProfileForm(initial=ExpertProfileForm.initial_for(expert))
    return _private(render(request, "experts/profile_form.html", {"expert": expert, "form": form}))
