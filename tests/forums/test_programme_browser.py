"""The public programme in a real browser (Debian's chromium): English and Vietnamese, desktop
(1366 px) and phone (390 px), under the portal's real CSP (no inline script or style, so a
refused one would leave the page unstyled and log an error), and axe-core with no critical or
serious violation. Screenshots go to tests/support/browser.py's screenshot_dir."""

import datetime as dt
import json

import pytest
from django.db import connections
from django.urls import reverse

from academy_portal.core import roles
from experts.models import Expert
from tests.factories import ForumFactory, SessionFactory, SessionRoleFactory, UserFactory
from tests.forums.programme_factories import published_edition, speaker
from tests.support.browser import screenshot_dir, sign_in_staff
from tests.test_accessibility import BLOCKING, PASSWORD, run_axe

VIEWPORTS = {
    "desktop": ({"width": 1366, "height": 900}, 1),
    "phone": ({"width": 390, "height": 844}, 2),
}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def a_programme():
    forum = ForumFactory(
        name="International Conference on the South China Sea",
        name_vi="Hội thảo Quốc tế về Biển Đông",
        slug="east-sea-conference",
    )
    edition = published_edition(
        forum=forum,
        number=15,
        title="The 15th International Conference on the South China Sea",
        title_vi="Hội thảo Quốc tế về Biển Đông lần thứ 15",
        theme="Maritime Security in an Age of Emerging Technologies",
        theme_vi="An ninh biển trong kỷ nguyên công nghệ mới nổi",
        venue="Ba Đình International Convention Centre",
        venue_vi="Trung tâm Hội nghị Quốc tế Ba Đình",
    )
    opening = SessionFactory(
        edition=edition,
        title="Opening Session: Welcome and Opening Remarks",
        title_vi="Phiên khai mạc: Chào mừng và phát biểu khai mạc",
        kind="opening",
        room="Grand Ballroom",
        attribution="on_the_record",
    )
    panel = SessionFactory(
        edition=edition,
        title="Panel 2: UNCLOS, Arbitration and the Role of International Law",
        title_vi="Phiên thảo luận 2: UNCLOS, trọng tài và vai trò của luật pháp quốc tế",
        starts_at=opening.starts_at + dt.timedelta(hours=4),  # 13:00 in Hanoi
        ends_at=opening.starts_at + dt.timedelta(hours=5, minutes=30),
        room="Lotus Room",
    )
    closed = SessionFactory(
        edition=edition,
        title="Closed-Door Roundtable: Confidence-Building Measures",
        title_vi="Tọa đàm bàn tròn kín: Các biện pháp xây dựng lòng tin",
        kind="roundtable",
        closed_door=True,
        starts_at=opening.starts_at + dt.timedelta(days=1, hours=6),
        ends_at=opening.starts_at + dt.timedelta(days=1, hours=7, minutes=30),
        room="Executive Boardroom",
    )
    speaker(
        opening,
        honorific="Amb.",
        honorific_vi="Đại sứ",
        given_name="Minh",
        family_name="Phạm Quang",
        name_order=Expert.NameOrder.FAMILY_FIRST,
        affiliation=None,
        affiliation_text="Ministry of Foreign Affairs of Viet Nam",
        capacity=Expert.Capacity.OFFICIAL_PRIVATE,
    )
    speaker(
        panel,
        role="moderator",
        honorific="Prof.",
        honorific_vi="GS.",
        given_name="Anna",
        family_name="Lindqvist",
        affiliation=None,
        affiliation_text="Lund University",
    )
    speaker(
        panel,
        honorific="Dr.",
        honorific_vi="TS.",
        given_name="Lan",
        family_name="Nguyễn Thị",
        name_order=Expert.NameOrder.FAMILY_FIRST,
        affiliation=None,
        affiliation_text="Institute for East Sea Studies",
    )
    speaker(panel, given_name="Hidden", family_name="Unlisted", listed=False)
    speaker(closed, given_name="Secret", family_name="Roundtabler")
    return edition


def test_the_programme_at_desktop_and_phone_width_in_both_languages(live_server, browser):
    try:
        look_at_the_programme(live_server, browser)
    finally:
        # ORM calls made while Playwright's loop ran use a connection of their own.
        connections.close_all()


def look_at_the_programme(live_server, browser):
    edition = a_programme()
    url = live_server.url + reverse("forums:programme", args=[edition.forum.slug, edition.number])
    expected = {
        "en": (edition.title, "Amb. Phạm Quang Minh", "in a private capacity"),
        "vi": (edition.title_vi, "Đại sứ Phạm Quang Minh", "Phiên thảo luận 2: UNCLOS"),
    }
    axe_results = {}
    for language, (title, name, phrase) in expected.items():
        for device, (viewport, scale) in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, device_scale_factor=scale)
            page = context.new_page()
            errors = []
            page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
            page.goto(f"{url}?lang={language}")  # the language link: a cookie, then the page
            page.get_by_role("heading", name=title).wait_for()
            text = page.inner_text("main")
            assert name in text and phrase in text
            assert "Unlisted" not in text and "Roundtabler" not in text
            assert errors == []  # nothing refused by the CSP
            # Styled (programme.css loaded) and nothing sideways on a phone.
            columns = page.eval_on_selector(".session", "e => getComputedStyle(e).display")
            assert columns == "grid"
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            shot = f"programme-{language}-{device}.png"
            page.screenshot(path=str(screenshot_dir() / shot), full_page=True)
            context.close()

            context = browser.new_context(
                viewport=viewport, device_scale_factor=scale, bypass_csp=True
            )
            page = context.new_page()
            page.goto(f"{url}?lang={language}")
            page.get_by_role("heading", name=title).wait_for()
            axe_results[f"programme {language} {device}"] = run_axe(page)
            page.goto(live_server.url + reverse("forums:forum_index"))
            axe_results[f"forum index {language} {device}"] = run_axe(page)
            if device == "phone":
                page.screenshot(path=str(screenshot_dir() / f"forums-{language}-phone.png"))
            context.close()

    (screenshot_dir() / "programme-axe-results.json").write_text(json.dumps(axe_results, indent=2))
    blocking = {
        name: [f"{v['impact']}: {v['id']} {v['nodes']}" for v in found]
        for name, violations in axe_results.items()
        if (found := [v for v in violations if v["impact"] in BLOCKING])
    }
    assert blocking == {}


def test_the_edition_page_shows_its_warnings_to_a_coordinator(live_server, browser):
    try:
        look_at_the_warnings(live_server, browser)
    finally:
        connections.close_all()


def look_at_the_warnings(live_server, browser):
    UserFactory(username="coordinator", groups=[roles.FORUM_COORDINATORS])
    edition = a_programme()
    opening = edition.sessions.order_by("starts_at").first()
    SessionRoleFactory(session=opening, expert__given_name="Uninvited", role="speaker")
    change = reverse("admin:forums_edition_change", args=[edition.pk])
    context = browser.new_context(viewport=VIEWPORTS["desktop"][0], bypass_csp=True)
    page = context.new_page()
    sign_in_staff(page, live_server.url, username="coordinator", password=PASSWORD, next_url=change)
    page.goto(live_server.url + change)
    warning = page.get_by_role("region", name="The programme needs attention")
    warning.wait_for()
    assert "Uninvited" in warning.inner_text() and "not invited" in warning.inner_text()
    page.screenshot(path=str(screenshot_dir() / "edition-admin-warnings-1366.png"))
    violations = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    context.close()
    assert violations == []
