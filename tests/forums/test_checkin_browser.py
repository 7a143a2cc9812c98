"""The registration desk on a phone (390 px), in English and Vietnamese: the person a QR code
names, one tap to mark them present, the list found by a name typed without diacritics; axe
finds no critical or serious violation. Screenshots go to screenshot_dir()."""

import pytest
from django.conf import settings as django_settings
from django.db import connections

from academy_portal.core import roles
from forums.models import Presence
from forums.services.checkin_codes import checkin_code
from tests.factories import EditionFactory, ExpertFactory, UserFactory
from tests.forums.attendance_helpers import accepted_invitation
from tests.support.browser import screenshot_dir, sign_in_staff
from tests.support.fixtures import *  # noqa: F403  (pytest fixtures)
from tests.test_accessibility import BLOCKING, PASSWORD, run_axe

PHONE = {"width": 390, "height": 844}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_desk_checks_someone_in_on_a_phone_in_both_languages(
    default_email_templates, live_server, browser
):
    try:
        walk_through(live_server, browser)
    finally:
        connections.close_all()


def walk_through(live_server, browser):
    base = live_server.url
    UserFactory(username="desk", groups=[roles.REGISTRATION_DESK])
    edition = EditionFactory(
        title="The 16th International Conference on the South China Sea", capacity=None
    )
    son, _ = accepted_invitation(
        edition=edition,
        expert=ExpertFactory(
            honorific="GS.TS.",
            given_name="Hùng Sơn",
            family_name="Nguyễn",
            name_order="family_first",
            affiliation=None,
            affiliation_text="Học viện Ngoại giao Việt Nam",
            country="VN",
        ),
        offered_role="speaker",
    )
    for given, family in (("Jane", "Doe"), ("Thị Thu Thủy", "Đặng"), ("Minh", "Nguyễn")):
        accepted_invitation(
            edition=edition, expert=ExpertFactory(given_name=given, family_name=family)
        )
    person = f"/checkin/{checkin_code(son)}/"
    desk = f"/checkin/desk/{edition.pk}/"
    shots = screenshot_dir()
    problems = {}
    for language in ("en", "vi"):
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, locale="en-GB", bypass_csp=True
        )
        context.set_default_timeout(20_000)
        context.add_cookies(
            [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
        )
        page = context.new_page()
        if language == "en":
            # Signed out, the QR code leads to the sign-in page with the staff form open.
            page.goto(base + person)
            page.fill("#id_login", "desk")
            page.fill("#id_password", PASSWORD)
            page.click("details form button[type=submit]")
            page.wait_for_load_state()
        else:
            sign_in_staff(page, base, username="desk", password=PASSWORD, next_url=person)
            page.goto(base + person)
        assert "Nguyễn Hùng Sơn" in page.text_content("h1")
        problems[f"person-{language}"] = run_axe(page)
        page.screenshot(path=str(shots / f"checkin-person-{language}.png"), full_page=True)
        if language == "en":
            page.get_by_role("button", name="Mark present").click()
            page.wait_for_selector(".checkin-done")
            assert Presence.objects.filter(invitation=son, status="present").exists()
            problems["person-done-en"] = run_axe(page)
            page.screenshot(path=str(shots / "checkin-done-en.png"), full_page=True)
        page.goto(base + desk)
        page.fill("#checkin-q", "nguyen")
        page.locator(".checkin-search button").click()
        page.wait_for_load_state()
        names = page.locator(".checkin-list .who strong").all_text_contents()
        assert sorted(names) == ["Nguyễn Hùng Sơn", "Nguyễn Minh"] or sorted(names) == [
            "Minh Nguyễn",
            "Nguyễn Hùng Sơn",
        ]
        problems[f"desk-{language}"] = run_axe(page)
        page.screenshot(path=str(shots / f"checkin-desk-{language}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{language}: the page scrolls sideways ({width} px)"
        context.close()
    blocking = {
        name: [f"{v['impact']}: {v['id']} {v['nodes']}" for v in found]
        for name, violations in problems.items()
        if (found := [v for v in violations if v["impact"] in BLOCKING])
    }
    assert blocking == {}
