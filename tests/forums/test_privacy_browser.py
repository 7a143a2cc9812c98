"""The expert's data buttons on /me/ and the erasure confirmation, in a real browser (Debian's
chromium), at desktop and phone width, in English and Vietnamese. Screenshots go to /tmp."""

from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client

from experts.services import ensure_expert_user
from forums.models import ErasureRequest
from forums.services import send_invitation
from tests.factories import EditionFactory, ExpertFactory, UserFactory
from tests.forums.invitation_factories import InvitationFactory

SCREENSHOTS = Path("/tmp/retention-screenshots")
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_me_data_buttons_and_erasure_confirmation(live_server, browser):
    try:
        run(live_server, browser)
    finally:
        connections.close_all()


def run(live_server, browser):
    expert = ExpertFactory(
        honorific="Dr.", given_name="Jane", family_name="Doe", preferred_language="en"
    )
    invitation = InvitationFactory(expert=expert, edition=EditionFactory())
    send_invitation(invitation, sent_by=UserFactory())
    user = ensure_expert_user(email=expert.email)
    EmailAddress.objects.filter(user=user).update(verified=True)
    client = Client()
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    for language in ("en", "vi"):
        for name, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport)
            context.add_cookies(
                [
                    {
                        "name": django_settings.SESSION_COOKIE_NAME,
                        "value": session,
                        "url": live_server.url,
                    },
                    {
                        "name": django_settings.LANGUAGE_COOKIE_NAME,
                        "value": language,
                        "url": live_server.url,
                    },
                ]
            )
            page = context.new_page()
            page.goto(f"{live_server.url}/me/")
            page.locator('a[href="/me/data.json"]').first.wait_for()
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            page.screenshot(path=str(SCREENSHOTS / f"me-{language}-{name}.png"), full_page=True)
            page.locator('a[href="/me/erasure/"]').first.click()
            page.locator("button.danger").wait_for()
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            page.screenshot(
                path=str(SCREENSHOTS / f"erasure-{language}-{name}.png"), full_page=True
            )
            context.close()

    # Confirming in the browser files one request, shown as pending on /me/.
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/me/erasure/")
    page.locator("button.danger").click()
    page.locator(".rule-note").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "me-en-desktop-pending.png"), full_page=True)
    context.close()
    assert ErasureRequest.objects.filter(expert=expert, status="pending").count() == 1
