"""Staff pages with wide tables fit a 390 px phone: the staff home's lists, the partner history
and the expert's participation become one card per row instead of pushing the page sideways
or being cut at the screen's edge (a real browser measures them, in both languages)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from academy_portal.core import roles
from tests.factories import (
    ContactFactory,
    EditionFactory,
    ExpertFactory,
    InstitutionFactory,
    MOUFactory,
    UserFactory,
)
from tests.forums.invitation_factories import sent_invitation
from tests.support.browser import screenshot_dir, sign_in_staff

PASSWORD = "correct horse battery staple"
PHONE = {"width": 390, "height": 844}
# How far the page scrolls sideways, and the right edge of the stacked tables' cells.
OVERFLOW = """() => ({
    page: document.documentElement.scrollWidth,
    right: Math.max(0, ...[...document.querySelectorAll('table.stack-on-phone tbody *')].map(
        (e) => e.getBoundingClientRect().right)),
})"""

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wide_world():
    partner = InstitutionFactory(
        name="Selat Institute of Strategic and International Studies of the Southern Seas",
        acronym="SISISS",
    )
    MOUFactory(
        institution=partner,
        title="MOU on Strategic Studies Exchange and Joint Maritime Research",
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    ContactFactory(institution=partner, email="international.relations@sisiss.example")
    expert = ExpertFactory(given_name="Thị Hương", family_name="Đinh", affiliation=partner)
    edition = EditionFactory(
        title="The 16th International Conference on the South China Sea: Cooperation for Peace"
    )
    coordinator = UserFactory(username="coordinator", groups=[roles.FORUM_COORDINATORS])
    sent_invitation(coordinator, edition=edition, expert=expert)
    return partner, expert


@pytest.mark.parametrize("language", ["en", "vi"])
def test_wide_staff_tables_become_cards_on_a_phone(live_server, browser, language):
    partner, expert = wide_world()
    UserFactory(username="admin", is_superuser=True)
    context = browser.new_context(
        viewport=PHONE, locale=language, extra_http_headers={"Accept-Language": language}
    )
    page = context.new_page()
    sign_in_staff(page, live_server.url, username="admin", password=PASSWORD, next_url="/admin/")
    pages = {
        "staff-home": reverse("admin:index"),
        "partner-history": reverse("partners:institution_history", args=[partner.pk]),
        "expert-participation": reverse("admin:experts_expert_change", args=[expert.pk]),
    }
    measured = {}
    for name, url in pages.items():
        page.goto(live_server.url + url)
        page.wait_for_load_state()
        page.screenshot(path=str(screenshot_dir() / f"phone-{name}-{language}.png"), full_page=True)
        measured[name] = page.evaluate(OVERFLOW)
    context.close()
    # The experts' table on the partner history scrolls inside its own box; the page does not.
    assert {name: m["page"] for name, m in measured.items()} == dict.fromkeys(pages, 390)
    assert {name: 0 < m["right"] <= 390 for name, m in measured.items()} == dict.fromkeys(
        pages, True
    )
