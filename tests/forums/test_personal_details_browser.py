"""The invitation page in a real browser, as a viewer and as a coordinator.

Debian's chromium, headless, against pytest-django's live server; screenshots go to the
temporary directory (never into the repository) for a person to look at.
"""

import tempfile
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse

from academy_portal.core import roles
from academy_portal.core.models import AccessLog
from tests.factories import UserFactory
from tests.forums.personal_details_fixtures import *  # noqa: F403  (pytest fixtures)
from tests.forums.personal_details_fixtures import CONTENT, PASSPORT_NAME, WITHHELD
from tests.support.browser import sign_in_staff

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PASSWORD = "correct horse battery staple"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invitation_page_as_viewer_and_coordinator(live_server, browser, answered):
    try:
        for group, slug in ((roles.VIEWERS, "viewer"), (roles.FORUM_COORDINATORS, "coordinator")):
            user = UserFactory(username=f"browser-{slug}", groups=[group])
            for width, viewport in WIDTHS.items():
                text = open_and_capture(
                    browser, live_server, user, answered, viewport, f"invitation-{slug}-{width}"
                )
                if group == roles.VIEWERS:
                    assert all(value not in text for value in CONTENT)
                    assert WITHHELD in text
                else:
                    assert PASSPORT_NAME in text and WITHHELD not in text
        assert not AccessLog.objects.filter(user__username="browser-viewer").exists()
        assert AccessLog.objects.filter(user__username="browser-coordinator").count() == 2
    finally:
        connections.close_all()


def open_and_capture(browser, live_server, user, invitation, viewport, name) -> str:
    context = browser.new_context(viewport=viewport, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in_staff(
        page, live_server.url, username=user.username, password=PASSWORD, next_url="/admin/"
    )
    page.wait_for_url(live_server.url + reverse("admin:index"))
    page.goto(live_server.url + reverse("admin:forums_invitation_change", args=[invitation.pk]))
    page.get_by_role("heading", name="Answer").wait_for()
    text = page.locator("#content").inner_text()
    page.screenshot(path=str(Path(tempfile.gettempdir()) / f"{name}.png"), full_page=True)
    context.close()
    return text
