"""An expert who reads Vietnamese opens the personal link: the page carries the Vietnamese titles.

Debian's chromium, headless, against pytest-django's live server; saves the page at desktop
(1366 px) and phone (390 px) width to tests/support/browser.py's screenshot_dir.
"""

import pytest
from django.db import connections
from django.urls import reverse

from tests.factories import EditionFactory, ExpertFactory, ForumFactory, SessionFactory
from tests.forums.invitation_factories import sent_invitation
from tests.support.browser import screenshot_dir

VIEWPORTS = {
    "rsvp-vi-desktop.png": ({"width": 1366, "height": 900}, 1),
    "rsvp-vi-phone.png": ({"width": 390, "height": 844}, 2),
}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rsvp_page_in_vietnamese_shows_the_vietnamese_titles(live_server, browser):
    try:
        open_in_vietnamese(live_server, browser)
    finally:
        # ORM calls made while Playwright's loop ran use a connection of their own.
        connections.close_all()


def open_in_vietnamese(live_server, browser):
    forum = ForumFactory(
        name="International Conference on the South China Sea",
        name_vi="Hội thảo Quốc tế về Biển Đông",
        short_name="East Sea Conference",
    )
    edition = EditionFactory(
        forum=forum,
        number=15,
        title="The 15th International Conference on the South China Sea",
        title_vi="Hội thảo Quốc tế về Biển Đông lần thứ 15",
        theme="Maritime Security in an Age of Emerging Technologies",
        theme_vi="An ninh biển trong kỷ nguyên công nghệ mới nổi",
        venue="Ba Đình International Convention Centre",
        venue_vi="Trung tâm Hội nghị Quốc tế Ba Đình",
        practical_information="Registration opens at 07:45 on the first day.",
        practical_information_vi="Bàn đăng ký mở lúc 07:45 ngày đầu tiên.",
    )
    session = SessionFactory(
        edition=edition,
        title="Panel 2: UNCLOS, Arbitration and the Role of International Law",
        title_vi="Phiên thảo luận 2: UNCLOS, trọng tài và vai trò của luật pháp quốc tế",
    )
    expert = ExpertFactory(
        honorific="TS.", given_name="Lan", family_name="Nguyễn Thị", preferred_language="vi"
    )
    _, token = sent_invitation(
        expert=expert, edition=edition, offered_session=session, offered_role="speaker"
    )
    url = live_server.url + reverse("forums:rsvp", args=[token])

    for name, (viewport, scale) in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, device_scale_factor=scale, locale="vi-VN")
        page = context.new_page()
        page.goto(url)
        page.get_by_role("heading", name=edition.title_vi).wait_for()
        text = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
        assert forum.name_vi in text and edition.theme_vi in text and session.title_vi in text
        assert edition.title not in text and session.title not in text
        # Nothing sideways on a phone: the longer Vietnamese titles wrap.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(screenshot_dir() / name), full_page=True)
        # The first screen alone, where the titles are (a full phone page is too tall to read).
        page.screenshot(path=str(screenshot_dir() / name.replace(".png", "-first-screen.png")))
        context.close()
