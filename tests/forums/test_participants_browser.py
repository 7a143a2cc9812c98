"""The participants page in a real browser, at 1366 px and on a phone, in English and
Vietnamese: the page never scrolls sideways (the list scrolls in its own box) and axe-core
finds no critical or serious violation. Screenshots: screenshot_dir()/participants-*.png."""

import pytest
from django.urls import reverse

from academy_portal.core import roles
from forums.services.visa_letters import issue_visa_letter
from tests.factories import EditionFactory, ExpertFactory, InstitutionFactory, UserFactory
from tests.forums.visa_letter_fixtures import visa_applicant
from tests.support.browser import screenshot_dir, sign_in_staff
from tests.test_accessibility import BLOCKING, run_axe

SCREENSHOTS = screenshot_dir()
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery staple"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def edition_with_participants(staff):
    edition = EditionFactory(
        title="The 16th International Conference on the South China Sea",
        title_vi="Hội thảo quốc tế về Biển Đông lần thứ 16",
    )
    hanoi = InstitutionFactory(name="Viện Nghiên cứu Biển và Hải đảo", country="VN")
    names = [("Nguyễn", "Thị Ánh Tuyết", "VN"), ("Trần", "Hùng Sơn", "VN"), ("Smith", "Jane", "GB")]
    for index, (family, given, country) in enumerate(names):
        invitation = visa_applicant(
            edition,
            staff,
            expert=ExpertFactory(
                family_name=family,
                given_name=given,
                name_order="family_first" if country == "VN" else "given_first",
                country=country,
                affiliation=hanoi if country == "VN" else None,
                affiliation_text="" if country == "VN" else "Chatham House",
            ),
            dietary_needs=["Vegetarian", "Halal", ""][index],
            needs_hotel=index != 1,
        )
        if index == 0:
            issue_visa_letter(invitation=invitation, issued_by=staff)
    return edition


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_participants_page_fits_and_passes_axe(live_server, browser, language):
    staff = UserFactory(username="coordinator", groups=[roles.FORUM_COORDINATORS])
    edition = edition_with_participants(staff)
    url = reverse("forums_staff:participants", args=[edition.pk])
    # bypass_csp: only so the test can inject axe-core (the page itself has no inline script).
    context = browser.new_context(viewport=LAPTOP, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Through the admin's sign-in (it opens the staff form), then to the page.
    admin_home = reverse("admin:index")
    sign_in_staff(
        page, live_server.url, username="coordinator", password=PASSWORD, next_url=admin_home
    )
    if language == "vi":
        context.add_cookies([{"name": "django_language", "value": "vi", "url": live_server.url}])
    problems = []
    for name, viewport in (("1366", LAPTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(live_server.url + url)
        page.wait_for_selector(".participants-list")
        page.screenshot(
            path=str(SCREENSHOTS / f"participants-{name}-{language}.png"), full_page=True
        )
        if (width := page.evaluate("document.documentElement.scrollWidth")) > viewport["width"]:
            problems.append(f"{name}: the page is {width} px wide")
        blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
        if blocking:
            problems.append(f"{name}: axe: {blocking}")
    assert "Nguyễn Thị Ánh Tuyết" in page.content()
    context.close()
    assert problems == []
