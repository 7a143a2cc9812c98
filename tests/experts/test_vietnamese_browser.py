"""An expert who reads Vietnamese, in a real browser: the RSVP page and the profile page.

Checks the glossary's words on the pages, the one language switch (links on the token page, buttons
on the signed-in pages) and the profile's message in the language just chosen; saves the pages
at 1366 px and 390 px (tests/support/browser.py: screenshot_dir, never into the tree).
"""

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from experts.services import ensure_expert_user
from forums.services.emails import rsvp_url
from tests.factories import EditionFactory, ExpertFactory
from tests.forums.invitation_factories import sent_invitation
from tests.support.browser import screenshot_dir

SCREENSHOTS = screenshot_dir()
WIDTHS = {"1366": {"width": 1366, "height": 900}, "390": {"width": 390, "height": 844}}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_vietnamese_rsvp_and_profile_pages(live_server, browser):
    try:
        walk_through(live_server, browser)
    finally:
        connections.close_all()


def walk_through(live_server, browser):
    expert = ExpertFactory(
        preferred_language="vi",
        given_name="Hùng Sơn",
        family_name="Nguyễn",
        name_order="family_first",
        honorific="Dr.",
    )
    edition = EditionFactory(title="Diễn đàn Biển Đông lần thứ 16")
    _invitation, token = sent_invitation(edition=edition, expert=expert)
    rsvp = live_server.url + rsvp_url(token).replace(django_settings.SITE_URL, "")

    for width, viewport in WIDTHS.items():
        page = browser.new_page(viewport=viewport)
        page.goto(rsvp)
        text = page.inner_text("body")
        assert "Gửi phản hồi" in text and "Câu trả lời" not in text
        assert "Kính gửi Ông/Bà Nguyễn Hùng Sơn" in text and "Dr." not in text
        assert page.locator(".language-links a[hreflang=en]").count() == 1
        page.screenshot(path=str(SCREENSHOTS / f"vi-rsvp-{width}.png"), full_page=True)
        page.close()

    # Signed in (as the one-time code would do), the profile page has the same switch.
    client = Client()
    user = ensure_expert_user(email=expert.email)
    EmailAddress.objects.filter(user=user).update(verified=True)
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(viewport=WIDTHS["1366"])
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": session,
                "domain": host,
                "path": "/",
            }
        ]
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("experts:edit_profile"))
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator(".language-links button[value=en]").count() == 1
    assert "Ông/Bà Nguyễn Hùng Sơn" in page.inner_text("main")
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SCREENSHOTS / f"vi-profile-{width}.png"), full_page=True)
    # Switch the profile to English: the confirmation is in English at once.
    page.check("input[name=preferred_language][value=en]")
    page.click("form.rsvp-form button[type=submit]")
    page.wait_for_load_state()
    assert "Your profile has been updated." in page.inner_text("body")
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()
