"""Staff pages about partners, served inside the admin (its login, permissions and look)."""

import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors, services
from .forms import RenewMOUForm
from .models import MOU, Institution


def institution_history(request, pk):
    """An institution's MOUs over time, contacts, experts and their forum participation."""
    if not request.user.has_perm("partners.view_institution"):
        raise PermissionDenied
    history = selectors.partner_history(pk)
    context = {
        **admin.site.each_context(request),
        "title": _("History of %(institution)s") % {"institution": history.institution},
        "history": history,
        "institution": history.institution,
        "opts": Institution._meta,
        "can_renew": request.user.has_perms(["partners.add_mou", "partners.change_mou"]),
    }
    return render(request, "partners/institution_history.html", context)


def _suggested_renewal(mou: MOU) -> dict:
    """Dates that continue the old MOU for the same length of time, starting today at the
    earliest."""
    today = timezone.localdate()
    initial = {"title": mou.title, "signed_on": today}
    if mou.expires_on:
        starts = max(today, mou.expires_on + dt.timedelta(days=1))
        initial["effective_from"] = starts
        began = mou.effective_from or mou.signed_on
        if began:
            initial["expires_on"] = starts + (mou.expires_on - began)
    return initial


def _mou_url(mou: MOU) -> str:
    try:
        return reverse("admin:partners_mou_change", args=[mou.pk])
    except NoReverseMatch:
        return reverse("partners:institution_history", args=[mou.institution_id])


def renew_mou(request, pk):
    """The "Renew…" form: GET suggests dates, POST creates the superseding MOU."""
    if not request.user.has_perms(["partners.add_mou", "partners.change_mou"]):
        raise PermissionDenied
    mou = get_object_or_404(MOU.objects.select_related("institution"), pk=pk)
    successor = MOU.objects.filter(supersedes=mou).first()
    if request.method == "POST" and successor is None:
        form = RenewMOUForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                new = services.renew_mou(
                    mou,
                    title=data["title"],
                    signed_on=data["signed_on"],
                    effective_from=data["effective_from"],
                    expires_on=data["expires_on"],
                    renewed_by=request.user,
                    notes=data["notes"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("“%(old)s” was renewed by “%(new)s”; the earlier MOU is kept in the history.")
                    % {"old": mou.title, "new": new.title},
                )
                return HttpResponseRedirect(_mou_url(new))
    else:
        form = RenewMOUForm(initial=_suggested_renewal(mou))
    if request.method == "POST" and successor is not None:
        # A second click (or another officer) after the renewal: say so instead of failing.
        messages.warning(
            request,
            _("This MOU was already renewed by “%(title)s”.") % {"title": successor.title},
        )
    context = {
        **admin.site.each_context(request),
        "title": _("Renew “%(title)s”") % {"title": mou.title},
        "mou": mou,
        "successor": successor,
        "form": form,
        "opts": MOU._meta,
        "mou_url": _mou_url(mou),
        "successor_url": _mou_url(successor) if successor else "",
    }
    return render(request, "partners/mou_renew.html", context)
