"""An invited expert answers in a real browser, from the link in the email the outbox holds.

Debian's chromium (never a downloaded browser), headless, against pytest-django's live
server. The test also saves the RSVP page at desktop and phone width (tests/support/browser.py:
screenshot_dir; `make screenshots` refreshes docs/screenshots/).
"""

import re

import pytest
from django.db import connections

from academy_portal.mail.models import OutboxMessage
from forums.models import Invitation
from forums.services import invite_expert, send_invitation
from tests.factories import EditionFactory, ExpertFactory, ForumFactory, UserFactory
from tests.mail.sent import sent_text
from tests.support.browser import screenshot_dir
from tests.support.fixtures import *  # noqa: F403  (pytest fixtures)

SCREENSHOTS = screenshot_dir()
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCALE = {"rsvp-desktop.png": 1, "rsvp-phone.png": 2}  # a phone's screen is dense

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rsvp_link_from_outbox(expert) -> str:
    message = OutboxMessage.objects.get(kind="invitation", to_email=expert.email)
    text = sent_text(message)  # the stored row holds a marker; the sent email the link
    links = re.findall(r"https?://\S+/rsvp/[\w-]+/", text)
    assert len(set(links)) == 1, text
    return links[0]


def test_expert_accepts_from_the_emailed_link_then_declines(
    default_email_templates, live_server, settings, browser
):
    try:
        accept_then_decline(browser, live_server, settings)
    finally:
        # ORM calls made while Playwright's loop ran use a connection of their own (another
        # context); closed here, in that context, or it outlives the test database.
        connections.close_all()


def accept_then_decline(browser, live_server, settings):
    settings.SITE_URL = live_server.url  # what the email links to
    staff = UserFactory()
    forum = ForumFactory(
        name="International Conference on the South China Sea",
        short_name="SCS Conference",
        slug="south-china-sea-conference",
    )
    edition = EditionFactory(
        forum=forum,
        number=16,
        title="The 16th International Conference on the South China Sea",
        capacity=100,
    )
    expert = ExpertFactory(
        honorific="Dr.",
        given_name="Jane",
        family_name="Doe",
        email="jane.doe@experts.test",
        preferred_language="en",
    )
    invitation, _ = invite_expert(edition, expert=expert, invited_by=staff)
    send_invitation(invitation, sent_by=staff)
    link = rsvp_link_from_outbox(expert)
    assert link.startswith(live_server.url)

    # The page as the expert first sees it, on a desktop and on a phone.
    for name, viewport in (("rsvp-desktop.png", DESKTOP), ("rsvp-phone.png", PHONE)):
        context = browser.new_context(
            viewport=viewport, device_scale_factor=SCALE[name], locale="en-GB"
        )
        page = context.new_page()
        page.goto(link)
        page.get_by_role("heading", name=edition.title).wait_for()
        # Nothing sideways on a phone: the page fits its width.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
        context.close()

    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    console_errors = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    page.goto(link)

    # Accept with dietary needs but forget the consent: a clear error, nothing typed is lost.
    page.locator('input[name="answer"][value="accepted"]').check()
    page.get_by_label("Dietary needs").fill("Vegetarian, no shellfish")
    if page.locator('input[name="attendance"]').count():
        page.locator('input[name="attendance"][value="in_person"]').check()
    page.get_by_role("button", name="Send my answer").click()
    page.get_by_role("alert").filter(has_text="Please check the highlighted fields").wait_for()
    assert "To accept, please agree to the privacy notice." in page.content()
    assert page.get_by_label("Dietary needs").input_value() == "Vegetarian, no shellfish"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT

    page.locator('input[name="privacy_consent"]').check()
    if page.locator('input[name="chatham_house_acknowledged"]').count():
        page.locator('input[name="chatham_house_acknowledged"]').check()
    page.get_by_role("button", name="Send my answer").click()
    page.get_by_text("Thank you, your place is confirmed.").wait_for()
    page.get_by_role("heading", name="Your current answer").wait_for()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.dietary_needs == "Vegetarian, no shellfish"
    assert invitation.privacy_consent is True
    confirmation = OutboxMessage.objects.filter(to_email=expert.email).exclude(kind="invitation")
    assert confirmation.count() == 1
    assert confirmation.get().attachments.filter(filename__endswith=".ics").exists()

    # Plans change before the deadline: the same link, a decline, and the page says so.
    page.goto(link)
    page.get_by_role("heading", name="Change your answer").wait_for()
    page.locator('input[name="answer"][value="declined"]').check()
    page.get_by_label("Reason for declining (optional)").fill("A clash with a ministerial visit")
    page.get_by_role("button", name="Send my answer").click()
    page.get_by_text("Thank you for letting us know.").wait_for()
    current = page.locator("section.current-answer")
    current.wait_for()
    assert "Declined" in current.inner_text()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    assert invitation.decline_reason == "A clash with a ministerial visit"
    assert console_errors == []  # e.g. nothing blocked by the strict CSP
    context.close()
