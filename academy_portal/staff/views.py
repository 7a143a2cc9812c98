"""The dashboards' pages: one edition's charts, and each chart's numbers as CSV.

Served inside the admin (admin_view: its sign-in, second factor, no caching). The charts hold
counts only (selectors), so neither the page nor a CSV download is logged as personal data."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from forums.models import Edition

from .charts import csv_response
from .dashboard_charts import edition_charts, home_charts


def _chart_named(charts, slug):
    for chart in charts:
        if chart.slug == slug:
            return chart
    raise Http404


def home_chart_csv(request, slug):
    """The numbers behind one chart of the staff home (only the charts the reader may see)."""
    chart = _chart_named(home_charts(user=request.user), slug)
    return csv_response(chart, file_stem="staff-home")


def edition_dashboard(request, edition_id):
    """An edition's charts; `?csv=<chart>` downloads that chart's numbers."""
    if not request.user.has_perm("forums.view_invitation"):
        raise PermissionDenied
    edition = get_object_or_404(Edition.objects.select_related("forum"), pk=edition_id)
    charts = edition_charts(edition)
    slug = request.GET.get("csv")
    if slug:
        chart = _chart_named(charts, slug)
        return csv_response(chart, file_stem=f"{edition.forum.slug}-{edition.number}")
    context = {
        **admin.site.each_context(request),
        "title": _("Dashboard"),
        "subtitle": str(edition),
        "edition": edition,
        "opts": Edition._meta,
        "charts": charts,
    }
    return render(request, "staff/edition_dashboard.html", context)
