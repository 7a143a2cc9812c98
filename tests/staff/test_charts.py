"""The dashboards' charts: the numbers (funnel, MOUs, partners, an edition's room), the SVG and
table they render, their CSV, who may see them, and query counts that do not grow with rows."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from academy_portal.core.roles import VIEWERS
from academy_portal.core.units import AcademyUnit
from academy_portal.demo.build import build_demo
from academy_portal.staff import selectors
from academy_portal.staff.charts import Chart, Row, render_bars, top_with_others
from academy_portal.staff.dashboard_charts import edition_charts, home_charts
from experts.models import Expert
from forums.models import Edition, Invitation, InvitationEvent, Presence, VisaLetter
from partners.models import MOU
from tests.factories import (
    EditionFactory,
    ExpertFactory,
    InstitutionFactory,
    MOUFactory,
    UserFactory,
)
from tests.forums.invitation_factories import InvitationFactory

pytestmark = pytest.mark.django_db

STATUS = Invitation.Status
HOME_QUERIES = 17  # the staff home with its charts, for a superuser, whatever the rows
EDITION_QUERIES = 9  # session, user, edition, then 6 for the charts


def _invitation(edition, status, *, expert=None, hours=None, opened=False, present=None, **kw):
    """A sent invitation as history: its status, when it was answered, its link opened..."""
    sent = timezone.now() - dt.timedelta(days=20)
    invitation = InvitationFactory(
        edition=edition,
        expert=expert or ExpertFactory(),
        status=status,
        sent_at=sent,
        responded_at=sent + dt.timedelta(hours=hours) if hours is not None else None,
        **kw,
    )
    if opened:
        InvitationEvent.objects.create(invitation=invitation, kind=InvitationEvent.Kind.OPENED)
    if present is not None:
        Presence.objects.create(
            invitation=invitation,
            status=Presence.Status.PRESENT if present else Presence.Status.ABSENT,
            source=Presence.Source.CORRECTION,
        )
    return invitation


def _letter(invitation):
    return VisaLetter.objects.create(
        year=2026,
        number=VisaLetter.objects.count() + 1,
        invitation=invitation,
        expert=invitation.expert,
        edition=invitation.edition,
        issued_at=timezone.now(),
    )


def test_funnel_counts_each_step_and_the_median_time_to_answer():
    edition = EditionFactory()
    InvitationFactory(edition=edition)  # a draft: not invited yet
    _invitation(edition, STATUS.SENT)
    _invitation(edition, STATUS.SENT, opened=True)
    _invitation(edition, STATUS.DECLINED, hours=2, opened=True)
    _invitation(edition, STATUS.ACCEPTED, hours=24, present=True)  # answered by email: no event
    _invitation(edition, STATUS.ACCEPTED, hours=72, opened=True, present=False)
    asked = _invitation(edition, STATUS.ACCEPTED, hours=48, needs_visa_letter=True)
    _invitation(edition, STATUS.ACCEPTED, hours=96, needs_visa_letter=True)
    _letter(asked)
    _invitation(edition, STATUS.WAITLISTED, hours=1)
    _invitation(EditionFactory(), STATUS.ACCEPTED, hours=1)  # another edition

    funnel = selectors.get_funnel(edition.invitations.all())

    assert (funnel.invited, funnel.opened, funnel.answered, funnel.accepted, funnel.attended) == (
        8,
        7,
        6,
        4,
        1,
    )
    assert (funnel.waitlisted, funnel.tentative, funnel.visa_pending) == (1, 0, 1)
    assert funnel.median_response == dt.timedelta(hours=36)  # of 1, 2, 24, 48, 72, 96


def test_mou_charts_count_by_status_unit_and_month_of_expiry():
    today = dt.date(2026, 11, 29)
    MOUFactory(academy_unit=AcademyUnit.ISS, expires_on=dt.date(2026, 11, 30))
    MOUFactory(academy_unit=AcademyUnit.ISS, expires_on=dt.date(2027, 3, 1))
    MOUFactory(academy_unit=AcademyUnit.EAST_SEA, expires_on=dt.date(2027, 10, 31))
    MOUFactory(academy_unit=AcademyUnit.EAST_SEA, expires_on=dt.date(2027, 11, 1))  # 13th month
    MOUFactory(academy_unit=AcademyUnit.ISS, status=MOU.Status.DRAFT, expires_on=None)

    assert selectors.mou_counts_by_status() == {"active": 4, "draft": 1}
    assert selectors.active_mou_counts_by_unit() == {"iss": 2, "east_sea": 2}
    months = selectors.mou_expiries_by_month(today=today)
    assert (min(months), max(months)) == (dt.date(2026, 11, 1), dt.date(2027, 10, 1))
    assert list(months.values()) == [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]


def test_partners_rank_by_experts_who_attended_with_last_contact():
    busy = InstitutionFactory(name="Busy Institute", acronym="BI")
    quiet = InstitutionFactory(name="Quiet Institute", acronym="")
    InstitutionFactory(name="Absent Institute")
    MOUFactory(institution=quiet, signed_on=dt.date(2026, 5, 1))
    old = EditionFactory(start_date=dt.date(2024, 3, 1), status=Edition.Status.HELD)
    new = EditionFactory(start_date=dt.date(2025, 3, 1), status=Edition.Status.HELD)
    first, second = ExpertFactory.create_batch(2, affiliation=busy)
    _invitation(old, STATUS.ACCEPTED, expert=first, present=True)
    _invitation(new, STATUS.ACCEPTED, expert=first, present=True)
    _invitation(new, STATUS.ACCEPTED, expert=second, present=True)
    _invitation(new, STATUS.ACCEPTED, expert=ExpertFactory(affiliation=quiet), present=True)
    _invitation(new, STATUS.ACCEPTED, expert=ExpertFactory(affiliation=quiet), present=False)

    assert selectors.partners_by_activity() == [
        selectors.PartnerActivity("Busy Institute (BI)", 2, 2, dt.date(2025, 3, 2)),
        selectors.PartnerActivity("Quiet Institute", 1, 1, dt.date(2026, 5, 1)),
    ]


def test_edition_room_by_country_institution_capacity_and_first_time():
    partner = InstitutionFactory(name="Partner Institute")
    earlier = EditionFactory(start_date=dt.date(2020, 1, 1), status=Edition.Status.HELD)
    edition = EditionFactory()
    regular = ExpertFactory(nationality="ID", affiliation=partner, capacity="diplomat")
    _invitation(earlier, STATUS.ACCEPTED, expert=regular)
    _invitation(edition, STATUS.ACCEPTED, expert=regular)
    _invitation(
        edition,
        STATUS.ACCEPTED,
        expert=ExpertFactory(nationality="ID", affiliation=None, affiliation_text="Freelance"),
    )
    _invitation(edition, STATUS.ACCEPTED, expert=ExpertFactory(nationality="", affiliation=None))
    _invitation(edition, STATUS.DECLINED, expert=ExpertFactory(nationality="JP"))

    room = selectors.edition_room(edition)

    assert room.countries == {"ID": 2, "": 1}
    assert room.institutions == {"Partner Institute": 1, "Freelance": 1, "": 1}
    assert room.capacities["diplomat"] == 1
    assert sum(room.capacities.values()) == 3
    assert set(room.capacities) == set(Expert.Capacity.values)
    assert (room.first_timers, room.regulars) == (2, 1)


def test_top_rows_then_one_row_for_the_others():
    rows = [Row("a", 5), Row("b", 1), Row("c", 3), Row("d", 2)]
    assert top_with_others(rows, limit=2, others_label="Others") == [
        Row("a", 5),
        Row("c", 3),
        Row("Others", 3),
    ]
    assert top_with_others(rows[:2], limit=2, others_label="Others") == [Row("a", 5), Row("b", 1)]


def test_svg_has_title_desc_and_no_inline_style_and_escapes_labels():
    chart = Chart(
        slug="demo",
        title="Partners",
        description="Ranked.",
        value_heading="Experts",
        rows=[Row("<b>Évian & Co</b>", 4), Row("A name " * 12, 2), Row("Zero", 0)],
    )
    svg = str(render_bars(chart))
    assert svg.startswith('<svg class="chart-svg" viewBox="0 0 400 ')
    assert 'role="img" aria-labelledby="chart-demo-title chart-demo-desc"' in svg
    assert '<title id="chart-demo-title">Partners</title>' in svg
    assert "Ranked. &lt;b&gt;Évian &amp; Co&lt;/b&gt;: 4; A name" in svg
    assert "<b>" not in svg
    assert "style=" not in svg
    assert "\u2026</text>" in svg  # the long label is shortened in the picture
    assert 'width="328"' in svg  # the largest bar fills the track; the zero bar has none
    assert 'width="0"' in svg


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_staff_home_shows_the_charts_and_each_downloads_as_csv(admin_client):
    edition = EditionFactory()
    _invitation(edition, STATUS.ACCEPTED, hours=5, opened=True)
    _invitation(edition, STATUS.SENT)
    MOUFactory(institution=InstitutionFactory(name="=HYPERLINK(1)"), academy_unit="iss")

    response = admin_client.get(reverse("admin:index"))
    html = response.text
    for slug in (
        "rsvp-funnel",
        "visa-letters-pending",
        "mous-by-status",
        "active-mous-by-unit",
        "mou-expiries",
        "partners-by-activity",
    ):
        assert f'id="chart-{slug}"' in html
        assert reverse("staff_dashboard:home_chart_csv", args=[slug]) in html
    assert "Median time to answer: 5 hours." in html
    assert "No visa letter pending." in html
    assert 'style="' not in html

    funnel = admin_client.get(reverse("staff_dashboard:home_chart_csv", args=["rsvp-funnel"]))
    assert funnel["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="staff-home-rsvp-funnel.csv"' in funnel["Content-Disposition"]
    assert _csv(funnel) == [
        ["Step", "Invitations", "Share of invited"],
        ["Invited", "2", "100%"],
        ["Opened the link", "1", "50%"],
        ["Answered", "1", "50%"],
        ["Accepted", "1", "50%"],
        ["Attended", "0", "0%"],
    ]
    units = admin_client.get(
        reverse("staff_dashboard:home_chart_csv", args=["active-mous-by-unit"])
    )
    assert _csv(units)[1] == ["Institute for Strategic Studies", "1"]
    missing = admin_client.get(reverse("staff_dashboard:home_chart_csv", args=["nothing"]))
    assert missing.status_code == 404


def test_partner_csv_escapes_formulas(admin_client):
    partner = InstitutionFactory(name="=cmd|' /C calc'!A0", acronym="")
    held = EditionFactory(status=Edition.Status.HELD)
    _invitation(held, STATUS.ACCEPTED, expert=ExpertFactory(affiliation=partner), present=True)
    response = admin_client.get(
        reverse("staff_dashboard:home_chart_csv", args=["partners-by-activity"])
    )
    rows = _csv(response)
    assert rows[0] == ["Partner", "Experts who attended", "Editions", "Last contact"]
    assert rows[1][:3] == ["'=cmd|' /C calc'!A0", "1", "1"]


def test_a_viewer_sees_the_counts_and_a_user_without_rights_no_dashboard(client):
    edition = EditionFactory()
    _invitation(edition, STATUS.ACCEPTED, hours=3)
    client.force_login(UserFactory(groups=[VIEWERS]))
    assert "chart-rsvp-funnel" in client.get(reverse("admin:index")).text
    page = client.get(reverse("staff_dashboard:edition", args=[edition.pk]))
    assert page.status_code == 200
    assert "Countries represented" in page.text

    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("staff_dashboard:edition", args=[edition.pk])).status_code == 403
    home = client.get(reverse("admin:index"))
    assert "chart-" not in home.text
    csv_url = reverse("staff_dashboard:home_chart_csv", args=["rsvp-funnel"])
    assert client.get(csv_url).status_code == 404


def test_edition_dashboard_is_linked_from_the_edition_and_downloads_csv(admin_client):
    edition = EditionFactory(capacity=30)
    _invitation(edition, STATUS.ACCEPTED, expert=ExpertFactory(nationality="VN"), hours=2)
    _invitation(edition, STATUS.WAITLISTED, hours=2)
    change = admin_client.get(reverse("admin:forums_edition_change", args=[edition.pk]))
    url = reverse("staff_dashboard:edition", args=[edition.pk])
    assert f'href="{url}"' in change.text

    page = admin_client.get(url)
    for slug in ("rsvp-funnel", "places", "countries", "institutions", "capacity", "first-timers"):
        assert f'id="chart-{slug}"' in page.text
        assert f'href="?csv={slug}"' in page.text
    assert "Gender is not recorded for experts" in page.text
    assert 'style="' not in page.text

    places = admin_client.get(url, {"csv": "places"})
    assert _csv(places)[1:] == [
        ["Capacity (seats)", "30"],
        ["Accepted", "1"],
        ["Tentative", "0"],
        ["Waitlisted", "1"],
        ["Visa letters pending", "0"],
    ]
    assert f"{edition.forum.slug}-{edition.number}-places.csv" in places["Content-Disposition"]
    assert _csv(admin_client.get(url, {"csv": "countries"}))[1] == ["Vietnam", "1"]
    assert admin_client.get(url, {"csv": "nope"}).status_code == 404


def _many(edition, rows):
    partner = InstitutionFactory()
    held = EditionFactory(status=Edition.Status.HELD, start_date=dt.date(2020, 1, 1))
    for i in range(rows):
        expert = ExpertFactory(affiliation=InstitutionFactory() if i % 2 else partner)
        _invitation(held, STATUS.ACCEPTED, expert=expert, present=True)
        _invitation(edition, STATUS.ACCEPTED, expert=expert, hours=i, needs_visa_letter=True)
        MOUFactory(institution=partner, expires_on=timezone.localdate() + dt.timedelta(days=9 * i))


@pytest.mark.parametrize("rows", [1, 25])
def test_staff_home_queries_are_the_same_at_one_and_many_rows(
    admin_client, django_assert_num_queries, rows
):
    _many(EditionFactory(), rows)
    with django_assert_num_queries(HOME_QUERIES):
        response = admin_client.get(reverse("admin:index"))
    assert len(response.context["home_charts"]) == 6


@pytest.mark.parametrize("rows", [1, 25])
def test_edition_dashboard_queries_are_the_same_at_one_and_many_rows(
    admin_client, django_assert_num_queries, rows
):
    edition = EditionFactory()
    _many(edition, rows)
    with django_assert_num_queries(EDITION_QUERIES):
        response = admin_client.get(reverse("staff_dashboard:edition", args=[edition.pk]))
    assert response.context["charts"][0].rows[3].value == rows


def test_the_demo_gives_every_chart_data():
    build_demo()
    admin = UserFactory(is_superuser=True)
    upcoming = Edition.objects.get(forum__slug="east-sea-conference", number=15)
    charts = home_charts(user=admin) + edition_charts(upcoming)
    assert [chart.slug for chart in charts if chart.is_empty] == []
    by_slug = {chart.slug: chart for chart in home_charts(user=admin)}
    # Partners rank unevenly, and the upcoming edition has regulars beside first-timers: more
    # regulars, as the demo's history (academy_portal/demo/history.py) gives every past edition
    # its participants, so many of the 15th conference's have accepted an earlier edition.
    sent = [row.value for row in by_slug["partners-by-activity"].rows]
    assert sent[0] > sent[-1] >= 1
    first_time, regulars = edition_charts(upcoming)[-1].rows
    assert regulars.value > first_time.value > 0
