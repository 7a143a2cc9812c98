"""The expert suggestions of an edition (forums.recommend), for staff inside the admin.

Staff who may view invitations and experts see the ranked list with its reasons and tune the
weights (GET); those who may add invitations tick suggestions and invite them in one step
(POST: draft invitations, sent from the invitations list as usual). Viewers read only.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from .forms import SuggestionSettingsForm
from .models import Edition, Invitation
from .recommend import load_pool, suggest
from .services import InvitationError, invite_suggested_experts
from .services.invitations import check_can_invite


def _can_invite(user, edition) -> bool:
    if not user.has_perm("forums.add_invitation"):
        return False
    try:
        check_can_invite(edition, None)
    except InvitationError:
        return False
    return True


@require_http_methods(["GET", "POST"])
def suggestions(request, edition_id):
    """GET: the ranked suggestions with reasons; POST: invite the ticked ones (drafts)."""
    if not (
        request.user.has_perm("forums.view_invitation")
        and request.user.has_perm("experts.view_expert")
    ):
        raise PermissionDenied
    edition = get_object_or_404(Edition.objects.select_related("forum"), pk=edition_id)
    can_invite = _can_invite(request.user, edition)
    if request.method == "POST":
        if not can_invite:
            raise PermissionDenied
        return _invite(request, edition)
    form = SuggestionSettingsForm(request.GET or None, edition=edition)
    weights = form.weights()
    session = form.cleaned_data.get("session") if form.is_bound and form.is_valid() else None
    pool = load_pool(edition, session=session)
    context = {
        **admin.site.each_context(request),
        "title": _("Suggested experts"),
        "subtitle": str(edition),
        "edition": edition,
        "opts": Edition._meta,
        "form": form,
        "weights": weights,
        "suggestions": suggest(pool, weights),
        "topic_areas": sorted(pool.areas[pk] for pk in pool.topic_area_ids),
        "already_invited": len(pool.invited),
        "can_invite": can_invite,
        "query": request.GET.urlencode(),
    }
    return render(request, "forums/suggestions/page.html", context)


def _invite(request, edition):
    back = reverse("forums_staff:suggestions", args=[edition.pk])
    # Back to the same weights: the query string is re-encoded, so it stays a query string.
    query = QueryDict(request.POST.get("query", "")).urlencode()
    if query:
        back += "?" + query
    raw = request.POST.getlist("expert")
    try:
        ids = [int(value) for value in raw]
    except ValueError:
        messages.error(
            request,
            _("The selection was not understood; nothing was invited. Tick the experts again."),
        )
        return HttpResponseRedirect(back)
    if not ids:
        messages.warning(request, _("Tick at least one expert to invite."))
        return HttpResponseRedirect(back)
    try:
        drafted = invite_suggested_experts(edition, expert_ids=ids, invited_by=request.user)
    except InvitationError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(back)
    messages.success(
        request,
        ngettext(
            "%(count)d draft invitation is ready: send it from the invitations list.",
            "%(count)d draft invitations are ready: send them from the invitations list.",
            len(drafted.drafts),
        )
        % {"count": len(drafted.drafts)},
    )
    if drafted.already:
        messages.info(
            request,
            _("Already invited before: %(names)s.")
            % {"names": ", ".join(str(e) for e in drafted.already)},
        )
    url = reverse("admin:forums_invitation_changelist")
    return HttpResponseRedirect(
        f"{url}?edition__id__exact={edition.pk}&status__exact={Invitation.Status.DRAFT}"
    )
