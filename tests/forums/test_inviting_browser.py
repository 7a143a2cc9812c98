"""The coordinator's expert search, invite list, invitation counts and "Remind now"
confirmation in a real browser (Debian's chromium), at 1366 px and 390 px, in English and
Vietnamese. Screenshots go to /tmp/vsearch-screenshots."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.utils import timezone

from academy_portal.mail.models import OutboxMessage
from forums.models import Invitation
from tests.factories import EditionFactory, ExpertFactory, ExpertiseAreaFactory, UserFactory
from tests.forums.invitation_factories import sent_invitation

SCREENSHOTS = Path("/tmp/vsearch-screenshots")
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_invite_list_counts_and_remind_confirmation(live_server, browser):
    try:
        run(live_server, browser)
    finally:
        connections.close_all()


def network(coordinator):
    law = ExpertiseAreaFactory(name="Law of the sea", aliases="UNCLOS\nluật biển")
    security = ExpertiseAreaFactory(name="Maritime security", aliases="an ninh biển")
    for given, family, country in (
        ("Ana", "Reyes", "PH"),
        ("Hùng", "Trần", "VN"),
        ("Mai", "Nguyễn", "VN"),
    ):
        ExpertFactory(
            given_name=given, family_name=family, nationality=country
        ).expertise_areas.add(law)
    ExpertFactory(
        given_name="Tom",
        family_name="Baker",
        nationality="AU",
        affiliation_text="Maritime University, Faculty of Law",
    ).expertise_areas.add(security)
    current = EditionFactory()
    edition = EditionFactory()
    due = [sent_invitation(coordinator, edition=edition)[0] for _ in range(2)]
    Invitation.objects.filter(pk__in=[i.pk for i in due]).update(
        sent_at=timezone.now() - dt.timedelta(hours=3)
    )
    sent_invitation(coordinator, edition=edition)  # sent a moment ago: skipped
    return current, edition, law


def run(live_server, browser):
    coordinator = UserFactory(groups=["Forum coordinators"])
    current, edition, law = network(coordinator)
    client = Client()
    client.force_login(coordinator)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    for language in ("en", "vi"):
        for name, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport)
            context.add_cookies(
                [
                    {"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": base},
                    {"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base},
                ]
            )
            page = context.new_page()
            shot = f"{language}-{name}"

            page.goto(f"{base}/admin/experts/expert/?not_invited_to={current.pk}&q=luật+biển")
            assert str(current) in page.locator("h1").inner_text()
            rows = page.locator("#result_list tbody tr")
            assert rows.count() == 3
            assert "Baker" not in page.locator("#result_list").inner_text()
            page.screenshot(path=str(SCREENSHOTS / f"invite-list-{shot}.png"), full_page=True)

            page.goto(f"{base}/admin/experts/expertisearea/{law.pk}/change/")
            assert "luật biển" in page.locator("#id_aliases").input_value()
            page.screenshot(path=str(SCREENSHOTS / f"area-aliases-{shot}.png"), full_page=True)

            page.goto(f"{base}/admin/experts/expert/?nationality__in=PH,VN")
            assert page.locator("#result_list tbody tr").count() == 3
            page.screenshot(path=str(SCREENSHOTS / f"countries-{shot}.png"), full_page=True)

            page.goto(
                f"{base}/admin/forums/invitation/?edition__id__exact={edition.pk}"
                "&status__exact=accepted"
            )
            counts = page.locator(".invitation-counts__list").inner_text()
            assert ": 3" in counts  # the sent ones still counted under the accepted filter
            page.screenshot(path=str(SCREENSHOTS / f"counts-{shot}.png"), full_page=True)

            page.goto(f"{base}/admin/forums/invitation/?edition__id__exact={edition.pk}")
            page.locator("#action-toggle").check()
            page.select_option("select[name=action]", "remind_selected")
            page.locator("button[name=index]").click()
            page.locator("input[name=_confirm]").wait_for()
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            page.screenshot(path=str(SCREENSHOTS / f"remind-confirm-{shot}.png"), full_page=True)
            assert not OutboxMessage.objects.filter(kind="reminder_unanswered").exists()
            context.close()

    # Confirming in the browser sends the two listed reminders, and only those.
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": base}]
    )
    page = context.new_page()
    page.goto(f"{base}/admin/forums/invitation/?edition__id__exact={edition.pk}")
    page.locator("#action-toggle").check()
    page.select_option("select[name=action]", "remind_selected")
    page.locator("button[name=index]").click()
    page.locator("input[name=_confirm]").click()
    page.locator(".messagelist").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "remind-done-en-desktop.png"), full_page=True)
    context.close()
    assert OutboxMessage.objects.filter(kind="reminder_unanswered").count() == 2
