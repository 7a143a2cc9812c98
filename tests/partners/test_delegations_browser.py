"""The nomination page of a delegation request in a real browser (Debian's chromium): English
and Vietnamese, desktop (1366 px) and phone (390 px), under the real CSP, axe-core with no
critical or serious violation; a delegate named through the form. Screenshots go to
tests/support/browser.py's screenshot_dir."""

import json

import pytest
from django.db import connections
from django.urls import reverse

from partners.delegations import Nominee, nominate_delegates, replace_delegate
from partners.models import Nomination
from tests.factories import EditionFactory, ForumFactory, InstitutionFactory
from tests.partners.test_delegations import sent_request
from tests.support.browser import screenshot_dir
from tests.test_accessibility import BLOCKING, run_axe

VIEWPORTS = {
    "desktop": ({"width": 1366, "height": 900}, 1),
    "phone": ({"width": 390, "height": 844}, 2),
}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def a_delegation():
    forum = ForumFactory(
        name="International Conference on the South China Sea",
        name_vi="Hội thảo Quốc tế về Biển Đông",
    )
    edition = EditionFactory(
        forum=forum,
        title="The 15th International Conference on the South China Sea",
        title_vi="Hội thảo Quốc tế về Biển Đông lần thứ 15",
        venue="Ba Đình International Convention Centre",
        venue_vi="Trung tâm Hội nghị Quốc tế Ba Đình",
    )
    institution = InstitutionFactory(
        name="Central Coast Institute for Marine and Island Studies", acronym="CMIS"
    )
    delegation, url = sent_request(edition=edition, institution=institution, max_delegates=4)
    nominate_delegates(
        request=delegation,
        nominees=[
            Nominee(
                name="Trần Thị Minh Ngọc", title="Dr.", email="ngoc@cmis.example", language="vi"
            ),
            Nominee(name="Lê Văn Hải", email="hai@cmis.example", language="vi"),
        ],
    )
    replace_delegate(
        request=delegation,
        nomination_id=Nomination.objects.get(email="hai@cmis.example").pk,
        nominee=Nominee(name="Phạm Quốc Anh", title="Prof.", email="anh@cmis.example"),
        reason="A conflicting mission abroad",
    )
    return delegation, url


def test_the_nomination_page_at_desktop_and_phone_width_in_both_languages(live_server, browser):
    try:
        look_at_the_page(live_server, browser)
    finally:
        connections.close_all()  # ORM calls made while Playwright's loop ran


def look_at_the_page(live_server, browser):
    delegation, path = a_delegation()
    url = live_server.url + path
    expected = {
        "en": (delegation.edition.title, "places left: 2", "Lê Văn Hải, replaced by"),
        "vi": (delegation.edition.title_vi, "Tiếng Việt", "Lê Văn Hải"),
    }
    axe_results = {}
    for language, (title, *phrases) in expected.items():
        for device, (viewport, scale) in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, device_scale_factor=scale)
            page = context.new_page()
            errors = []
            page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
            page.goto(f"{url}?lang={language}")
            page.get_by_role("heading", name=title).wait_for()
            text = page.inner_text("main")
            assert all(phrase in text for phrase in phrases), text
            assert "Trần Thị Minh Ngọc" in text and "Phạm Quốc Anh" in text
            assert errors == []  # nothing refused by the CSP
            fields = page.eval_on_selector(".delegate-fields", "e => getComputedStyle(e).display")
            assert fields == "grid"  # delegation.css loaded
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            page.screenshot(
                path=str(screenshot_dir() / f"delegation-{language}-{device}.png"), full_page=True
            )
            context.close()
            context = browser.new_context(
                viewport=viewport, device_scale_factor=scale, bypass_csp=True
            )
            page = context.new_page()
            page.goto(f"{url}?lang={language}")
            axe_results[f"delegation {language} {device}"] = run_axe(page)
            context.close()
    (screenshot_dir() / "delegation-axe-results.json").write_text(json.dumps(axe_results, indent=2))
    blocking = {
        name: found
        for name, violations in axe_results.items()
        if (found := [v for v in violations if v["impact"] in BLOCKING])
    }
    assert blocking == {}

    # Name a delegate through the form, with a typo first: the message, then the fix.
    context = browser.new_context(viewport=VIEWPORTS["phone"][0])
    page = context.new_page()
    page.goto(f"{url}?lang=en")
    page.fill("#id_delegate-0-name", "Nguyễn Hoàng Nam")
    page.fill("#id_delegate-0-email", "nam@cmis")
    page.click("#nominate button[type=submit]")
    page.locator(".errorlist").first.wait_for()
    assert page.input_value("#id_delegate-0-name") == "Nguyễn Hoàng Nam"
    page.screenshot(path=str(screenshot_dir() / "delegation-en-phone-error.png"), full_page=True)
    page.fill("#id_delegate-0-email", "nam@cmis.example")
    page.click("#nominate button[type=submit]")
    page.locator(".message-success").wait_for()
    assert "Nguyễn Hoàng Nam" in page.inner_text("#named")
    context.close()
    assert reverse("delegation", args=["x"]).startswith("/delegation/")
