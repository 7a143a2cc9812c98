"""An officer's Vietnamese file previewed in chromium, in English and Vietnamese, at desktop and
phone width: every value as read is on the page, and the wide table scrolls inside the page
instead of widening it. Saves officer-preview-<language>-<width>.png (screenshot_dir)."""

import pytest

from academy_portal.core import roles
from partners.models import Institution
from tests.conftest import CHROMIUM_PATH
from tests.factories import UserFactory
from tests.partners.officer_file import officer_csv
from tests.support.browser import screenshot_dir, sign_in_staff

PASSWORD = "correct horse battery staple"
SHOWN = {
    "en": ("United States of America", "08/01/2024", "Active", "Think tank"),
    "vi": ("Hàn Quốc", "08/01/2024", "Đang có hiệu lực", "Viện Biển Đông"),
}


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "vi"])
def test_officer_file_preview_in_chromium(
    require_chromium, live_server, transactional_db, settings, tmp_path, monkeypatch, language
):
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - browser tests only: imported when one runs

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = UserFactory(username="officer", groups=[roles.PARTNERSHIPS_OFFICERS])
    officer_file = tmp_path / "doi-tac.csv"
    officer_file.write_bytes(officer_csv())
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM_PATH,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            for width in (1366, 390):
                context = browser.new_context(
                    viewport={"width": width, "height": 900},
                    locale=language,
                    extra_http_headers={"Accept-Language": language},
                )
                page = context.new_page()
                page.on("console", lambda m: "Refused" in m.text and problems.append(m.text))
                page.on("pageerror", lambda e: problems.append(str(e)))
                sign_in_staff(
                    page,
                    live_server.url,
                    username=officer.username,
                    password=PASSWORD,
                    next_url="/admin/partners/partnerimport/upload/",
                )
                page.set_input_files("#id_file", str(officer_file))
                page.click(".partner-import-form input[type=submit]")
                page.wait_for_selector(".partner-import-new")
                assert page.inner_text(".count-new strong") == "5"
                table = page.inner_text(".partner-import-new")
                for shown in SHOWN[language]:
                    assert shown in table, shown
                # The page itself does not get wider than the screen: the table scrolls.
                assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
                page.screenshot(
                    path=str(screenshot_dir() / f"officer-preview-{language}-{width}.png"),
                    full_page=True,
                )
                context.close()
        finally:
            browser.close()
    assert Institution.objects.count() == 0  # a preview writes nothing
    assert problems == []


# The new rows' table, measured: no cell pushed past the table's box at 1366 px (the tables of
# updated rows and of the officer's long values wrap inside it too).
FITS = """() => [...document.querySelectorAll('.partner-import-scroll')].map(
    (box) => [box.scrollWidth, box.clientWidth])"""


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_new_rows_fit_a_1366_px_screen_without_sideways_scrolling(
    live_server, browser, transactional_db, settings, tmp_path, language
):
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = UserFactory(username="officer", groups=[roles.PARTNERSHIPS_OFFICERS])
    officer_file = tmp_path / "doi-tac.csv"
    officer_file.write_bytes(officer_csv())
    context = browser.new_context(
        viewport={"width": 1366, "height": 768},
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    sign_in_staff(
        page,
        live_server.url,
        username=officer.username,
        password=PASSWORD,
        next_url="/admin/partners/partnerimport/upload/",
    )
    page.set_input_files("#id_file", str(officer_file))
    page.click(".partner-import-form input[type=submit]")
    page.wait_for_selector(".partner-import-new")
    page.screenshot(
        path=str(screenshot_dir() / f"officer-preview-fit-{language}-1366.png"), full_page=True
    )
    boxes = page.evaluate(FITS)
    assert boxes, "no preview table"
    for scroll_width, client_width in boxes:
        assert scroll_width <= client_width, (scroll_width, client_width)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    # Every value is still there, readable: the institution's name is not cut.
    assert "Trung tâm Nghiên cứu Chiến lược và Quốc tế" in page.inner_text(".partner-import-new")
    context.close()
