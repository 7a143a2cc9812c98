"""The expert suggestions page in a real browser, at 1366 px and on a phone, in English and
Vietnamese: no sideways scroll of the page and no serious axe-core violation.
Screenshots: screenshot_dir()/suggestions-<language>-<width>.png."""

import pytest
from django.urls import reverse

from academy_portal.core import roles
from tests.factories import (
    EditionFactory,
    ExpertFactory,
    ExpertiseAreaFactory,
    InstitutionFactory,
    UserFactory,
)
from tests.forums.invitation_factories import InvitationFactory
from tests.support.browser import LAPTOP, check_at_laptop_and_phone, sign_in_staff

PASSWORD = "correct horse battery staple"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def edition_with_candidates():
    area = ExpertiseAreaFactory(name="Law of the sea (UNCLOS)", aliases="UNCLOS\nluật biển")
    edition = EditionFactory(
        title="The 16th International Conference on the South China Sea",
        title_vi="Hội thảo quốc tế về Biển Đông lần thứ 16",
        theme="UNCLOS at forty: order at sea",
    )
    people = [
        ("Nguyễn", "Thị Ánh Tuyết", "VN", "Viện Nghiên cứu Biển và Hải đảo"),
        ("Santoso", "Dewi", "ID", "Centre for Strategic and International Studies"),
        ("Reyes", "Maria", "PH", "Institute for Maritime and Ocean Affairs"),
        ("Tanaka", "Hiroshi", "JP", "Ocean Policy Research Institute"),
        ("Smith", "Jane", "GB", "Chatham House"),
    ]
    for index, (family, given, country, institution) in enumerate(people):
        expert = ExpertFactory(
            family_name=family,
            given_name=given,
            name_order="family_first" if country == "VN" else "given_first",
            country=country,
            affiliation=InstitutionFactory(name=institution, country=country),
        )
        if index % 2 == 0:
            expert.expertise_areas.add(area)
    InvitationFactory(edition=edition, expert=ExpertFactory(country="VN"))
    return edition


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_suggestions_page_fits_and_passes_axe(live_server, browser, language):
    UserFactory(username="coordinator", groups=[roles.FORUM_COORDINATORS])
    edition = edition_with_candidates()
    url = reverse("forums_staff:suggestions", args=[edition.pk]) + "?count=10"
    # bypass_csp: only so the test can inject axe-core (the page itself has no inline script).
    context = browser.new_context(viewport=LAPTOP, locale="en-GB", bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in_staff(
        page,
        live_server.url,
        username="coordinator",
        password=PASSWORD,
        next_url=reverse("admin:index"),
    )
    if language == "vi":
        context.add_cookies([{"name": "django_language", "value": "vi", "url": live_server.url}])
    problems = check_at_laptop_and_phone(
        page, live_server.url + url, ready=".suggestions-list", stem=f"suggestions-{language}"
    )
    assert "Dewi Santoso" in page.content()
    assert page.locator("input[name=expert]").count() == 5
    context.close()
    assert not problems, problems
