"""The dashboards' charts: the staff home's and one edition's, each a `Chart` with its texts.

Which charts a reader sees follows the view permissions of the data behind them (docs/security.md:
viewers see counts, which is all a chart holds)."""

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from experts.models import Expert
from partners.models import MOU

from . import selectors
from .charts import Chart, Row, top_with_others

COUNTRIES_SHOWN = 8
INSTITUTIONS_SHOWN = 8


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else ""


def _duration(value: dt.timedelta | None) -> str:
    if value is None:
        return "—"
    days = value.total_seconds() / 86400
    if days >= 1:
        shown = round(days, 1)
        return ngettext("%(n)s day", "%(n)s days", shown) % {"n": f"{shown:g}"}
    hours = max(round(days * 24), 1)
    return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}


def funnel_chart(funnel: selectors.Funnel, *, slug: str, scope: str) -> Chart:
    steps = [
        (_("Invited"), funnel.invited),
        (_("Opened the link"), funnel.opened),
        (_("Answered"), funnel.answered),
        (_("Accepted"), funnel.accepted),
        (_("Attended"), funnel.attended),
    ]
    median = _duration(funnel.median_response)
    return Chart(
        slug=slug,
        title=_("RSVP funnel"),
        description=_(
            "Sent invitations %(scope)s at each step, with the share of those invited. "
            "Median time to answer: %(median)s."
        )
        % {"scope": scope, "median": median},
        label_heading=_("Step"),
        value_heading=_("Invitations"),
        note_heading=_("Share of invited"),
        rows=[
            Row(label=label, value=value, note=_share(value, funnel.invited))
            for label, value in steps
        ],
        empty_text=_("No invitation sent yet."),
        highlight_first=True,
        footnotes=[_("Median time to answer: %(median)s.") % {"median": median}],
    )


def mou_status_chart() -> Chart:
    counts = selectors.mou_counts_by_status()
    return Chart(
        slug="mous-by-status",
        title=_("MOUs by status"),
        description=_("Number of MOUs in each status."),
        label_heading=_("Status"),
        value_heading=_("MOUs"),
        rows=[
            Row(label=str(label), value=counts.get(value, 0)) for value, label in MOU.Status.choices
        ],
        empty_text=_("No MOU on file."),
    )


def mou_unit_chart() -> Chart:
    counts = selectors.active_mou_counts_by_unit()
    rows = [Row(label=selectors.unit_label(unit), value=n) for unit, n in counts.items()]
    return Chart(
        slug="active-mous-by-unit",
        title=_("Active MOUs by academy unit"),
        description=_("Number of active MOUs each academy unit is responsible for."),
        label_heading=_("Academy unit"),
        value_heading=_("MOUs"),
        rows=sorted(rows, key=lambda row: (-row.value, row.label)),
        empty_text=_("No active MOU."),
    )


def mou_expiry_chart(*, today: dt.date | None = None) -> Chart:
    months = selectors.mou_expiries_by_month(today=today or timezone.localdate())
    return Chart(
        slug="mou-expiries",
        title=_("Active MOUs expiring in the next 12 months"),
        description=_("Number of active MOUs that expire in each of the next 12 months."),
        label_heading=_("Month"),
        value_heading=_("MOUs"),
        rows=[Row(label=date_format(month, "F Y"), value=n) for month, n in months.items()],
        empty_text=_("No active MOU expires in the next 12 months."),
    )


def partner_activity_chart() -> Chart:
    partners = selectors.partners_by_activity()
    return Chart(
        slug="partners-by-activity",
        title=_("Partners by experts sent"),
        description=_(
            "Partner institutions ranked by their experts who attended an edition, with the "
            "editions attended and the last contact (last edition attended or MOU signed)."
        ),
        label_heading=_("Partner"),
        value_heading=_("Experts who attended"),
        extra_headings=(_("Editions"), _("Last contact")),
        rows=[
            Row(
                label=p.name,
                value=p.experts_sent,
                extra=(
                    p.editions,
                    date_format(p.last_contact, "j M Y") if p.last_contact else "—",
                ),
            )
            for p in partners
        ],
        empty_text=_("No expert of a partner institution has attended an edition yet."),
        footnotes=[_("Editions co-organised with partners are not recorded in the portal.")],
    )


def visa_pending_chart() -> Chart:
    rows = [Row(label=label, value=n) for label, n in selectors.visa_letters_pending_by_edition()]
    return Chart(
        slug="visa-letters-pending",
        title=_("Visa letters pending"),
        description=_(
            "Per upcoming edition, accepted experts who asked for a visa support letter and "
            "have none yet."
        ),
        label_heading=_("Edition"),
        value_heading=_("Letters pending"),
        rows=rows,
        empty_text=_("No visa letter pending."),
    )


def home_charts(*, user) -> list[Chart]:
    """The staff home's charts the user may see, in reading order."""
    charts = []
    if user.has_perm("forums.view_invitation"):
        funnel = selectors.get_funnel(selectors.open_edition_invitations())
        charts.append(
            funnel_chart(funnel, slug="rsvp-funnel", scope=_("to editions open for invitations"))
        )
        charts.append(visa_pending_chart())
    if user.has_perm("partners.view_mou"):
        charts += [mou_status_chart(), mou_unit_chart(), mou_expiry_chart()]
    if user.has_perm("partners.view_institution") and user.has_perm("forums.view_invitation"):
        charts.append(partner_activity_chart())
    return charts


def _ranked(counts: dict[str, int], *, name, limit: int, unknown: str) -> list[Row]:
    rows = [Row(label=name(key) or unknown, value=n) for key, n in counts.items()]
    return top_with_others(rows, limit=limit, others_label=_("Others"))


def _room_chart(slug, title, description, label_heading, rows, **more) -> Chart:
    """A chart of the edition's accepted experts, counted by one of their attributes."""
    return Chart(
        slug=slug,
        title=title,
        description=description,
        label_heading=label_heading,
        value_heading=_("Experts"),
        rows=rows,
        empty_text=_("No accepted invitation yet."),
        **more,
    )


def edition_charts(edition) -> list[Chart]:
    """One edition's charts: funnel, places, countries, institutions, balance measures."""
    funnel = selectors.get_funnel(edition.invitations.all())
    room = selectors.edition_room(edition)
    places = [
        Row(label=_("Accepted"), value=funnel.accepted),
        Row(label=_("Tentative"), value=funnel.tentative),
        Row(label=_("Waitlisted"), value=funnel.waitlisted),
        Row(label=_("Visa letters pending"), value=funnel.visa_pending),
    ]
    if edition.capacity:
        places.insert(0, Row(label=_("Capacity (seats)"), value=edition.capacity))
    return [
        funnel_chart(funnel, slug="rsvp-funnel", scope=_("to this edition")),
        Chart(
            slug="places",
            title=_("Capacity, accepted and waitlist"),
            description=_("Seats, accepted, tentative and waitlisted invitations.")
            if edition.capacity
            else _("No capacity set: accepted, tentative and waitlisted invitations."),
            label_heading=_("Measure"),
            value_heading=_("Number"),
            rows=places,
            highlight_first=bool(edition.capacity),
        ),
        _room_chart(
            "countries",
            _("Countries represented"),
            _("Accepted experts by nationality, the largest first."),
            _("Nationality"),
            _ranked(
                room.countries,
                name=selectors.country_name,
                limit=COUNTRIES_SHOWN,
                unknown=_("Not recorded"),
            ),
        ),
        _room_chart(
            "institutions",
            _("Institutions represented"),
            _("Accepted experts by affiliation, the largest first."),
            _("Institution"),
            _ranked(
                room.institutions,
                name=lambda key: key,
                limit=INSTITUTIONS_SHOWN,
                unknown=_("No affiliation recorded"),
            ),
        ),
        _room_chart(
            "capacity",
            _("Officials and scholars"),
            _("Accepted experts by the capacity in which they attend."),
            _("Attends as"),
            [
                Row(label=str(Expert.Capacity(value).label), value=n)
                for value, n in room.capacities.items()
            ],
        ),
        _room_chart(
            "first-timers",
            _("First-timers and regulars"),
            _("Accepted experts who accepted no earlier edition, and those who did."),
            _("Group"),
            [
                Row(label=_("First time"), value=room.first_timers),
                Row(label=_("Accepted an earlier edition"), value=room.regulars),
            ],
            footnotes=[_("Gender is not recorded for experts, so it is not shown.")],
        ),
    ]
