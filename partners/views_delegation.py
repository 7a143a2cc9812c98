"""The public nomination page of a delegation request (/delegation/<token>/): no sign-in, the
unguessable link is the secret, as on the RSVP page (same headers, language links and rate
limits). All writes go through partners.delegations; GET never writes."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from academy_portal.core import ratelimit
from forums import views as rsvp_views

from .delegations import (
    AlreadyNamed,
    DelegationError,
    find_delegation_by_token,
    nominate_delegates,
    nomination_closed_reason,
    replace_delegate,
)
from .forms_delegation import ReplaceForm, delegate_formset
from .models import DelegationRequest

HEADERS = rsvp_views.TOKEN_PAGE_HEADERS


def _rate_limited(request, delegation):
    verdicts = [
        ratelimit.consume("delegation-key", str(delegation.pk), rsvp_views.per_link_limit()),
        ratelimit.consume(
            "delegation-ip", ratelimit.client_ip(request), rsvp_views.per_address_limit()
        ),
    ]
    blocked = [verdict for verdict in verdicts if not verdict.allowed]
    if not blocked:
        return None
    response = render(request, "forums/rate_limited.html", {"language_links": True}, status=429)
    response["Retry-After"] = str(max(verdict.retry_after for verdict in blocked))
    return rsvp_views._with_headers(response, HEADERS)


def _activate_language(request, delegation) -> None:
    """The request's language unless the contact picked one with the language links."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    translation.activate(delegation.language)
    request.LANGUAGE_CODE = delegation.language


def _nomination_id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@csrf_exempt  # The unguessable token in the URL is the secret (see forums.views.rsvp).
@require_http_methods(["GET", "HEAD", "POST"])
def delegation(request, token: str):
    """The contact names, lists and replaces their institution's delegates."""
    if request.method != "POST":
        switched = rsvp_views._language_link_redirect(request)
        if switched:
            return rsvp_views._with_headers(switched, HEADERS)
    found = find_delegation_by_token(token)
    if found is None or found.status == DelegationRequest.Status.CANCELLED:
        return rsvp_views._gone(request, status=404 if found is None else 410)
    delegation = found
    _activate_language(request, delegation)
    closed = nomination_closed_reason(delegation)
    nominations = list(
        delegation.nominations.select_related("invitation", "replaced_by").order_by(
            "nominated_at", "pk"
        )
    )
    named = [n for n in nominations if n.withdrawn_at is None]
    replaced = [n for n in nominations if n.withdrawn_at is not None]
    free = max(delegation.max_delegates - len(named), 0)
    formset = delegate_formset(rows=free)
    replacing = None
    named_ids = {n.pk for n in named}
    replace_forms = {n.pk: ReplaceForm(prefix=f"replace-{n.pk}") for n in named}
    error_message, status = "", 200

    if request.method == "POST":
        limited = _rate_limited(request, delegation)
        if limited:
            return limited
        if closed:
            messages.error(request, closed)
            return rsvp_views._with_headers(HttpResponseRedirect(request.path), HEADERS)
        action = request.POST.get("action")
        try:
            if action == "replace":
                replacing = _nomination_id(request.POST.get("nomination"))
                replace_form = ReplaceForm(request.POST, prefix=f"replace-{replacing}")
                replace_forms[replacing] = replace_form
                if replace_form.is_valid():
                    new = replace_delegate(
                        request=delegation,
                        nomination_id=replacing,
                        nominee=replace_form.nominee(),
                        reason=replace_form.cleaned_data["reason"],
                    )
                    messages.success(
                        request,
                        _("%(name)s is now a delegate and will receive an invitation.")
                        % {"name": new.name},
                    )
                    return rsvp_views._with_headers(HttpResponseRedirect(request.path), HEADERS)
            else:
                formset = delegate_formset(rows=free, data=request.POST)
                if formset.is_valid():
                    created = nominate_delegates(request=delegation, nominees=formset.nominees())
                    messages.success(
                        request,
                        _(
                            "Thank you. Each delegate you named will receive a personal "
                            "invitation: %(names)s."
                        )
                        % {"names": ", ".join(n.name for n in created)},
                    )
                    return rsvp_views._with_headers(HttpResponseRedirect(request.path), HEADERS)
        except AlreadyNamed as error:
            messages.info(request, str(error.message))
            return rsvp_views._with_headers(HttpResponseRedirect(request.path), HEADERS)
        except DelegationError as error:
            # What they typed stays in the form, the reason above it.
            error_message = str(error.message)
        status = 400

    context = {
        "delegation": delegation,
        "edition": delegation.edition,
        "institution": delegation.institution,
        "named": named,
        "replaced": replaced,
        "free": free,
        "closed_reason": closed,
        "formset": formset,
        "named_forms": [(n, replace_forms[n.pk]) for n in named],
        "replacing": replacing,
        "error_message": error_message,
        # A replacement of someone no longer listed (replaced meanwhile, in another tab).
        "unlisted_error": error_message if replacing and replacing not in named_ids else "",
        "action": request.POST.get("action", "") if request.method == "POST" else "",
        "contact_email": rsvp_views._contact_email(delegation.edition),
        "language_links": True,
    }
    response = render(request, "partners/delegation.html", context, status=status)
    return rsvp_views._with_headers(response, HEADERS)
