"""The capped error summary of a hostile file in a real browser, wide and narrow: the counts
by column come first and are readable, the page stays short, nothing is refused by the CSP."""

import pytest
from django.db import connections

from academy_portal.core import roles
from bench.import_hostile import hostile_csv
from tests.conftest import CHROMIUM_PATH
from tests.factories import UserFactory
from tests.support.browser import sign_in_staff

PASSWORD = "correct horse battery staple"


@pytest.mark.browser
@pytest.mark.parametrize("width", [1366, 390])
def test_hostile_file_preview_in_chromium(
    require_chromium, live_server, transactional_db, settings, tmp_path, monkeypatch, width
):
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - browser tests only: imported when one runs

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_ERRORS_SHOWN = 200
    officer = UserFactory(username="officer", groups=[roles.PARTNERSHIPS_OFFICERS])
    hostile = tmp_path / "partners.csv"
    hostile.write_bytes(hostile_csv(20_000))  # 22,500 errors in 20,000 rows
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM_PATH,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on("console", lambda m: "Refused" in m.text and problems.append(m.text))
            page.on("pageerror", lambda e: problems.append(str(e)))
            sign_in_staff(
                page,
                live_server.url,
                username=officer.username,
                password=PASSWORD,
                next_url="/admin/partners/partnerimport/upload/",
            )
            page.set_input_files("#id_file", str(hostile))
            page.click("#content-main input[type=submit]")
            page.wait_for_selector(".partner-import-error-counts")

            note = page.inner_text(".partner-import-preview .errornote")
            assert "22,500 errors in 20,000 rows" in note
            counts = page.inner_text(".partner-import-error-counts")
            assert "12,000" in counts and "unknown country" in counts
            assert page.locator("tr.partner-import-error").count() == 200
            assert "22,300 more errors" in page.inner_text(".partner-import-more-errors")
            # The summary is above the list, and the list does not run off the side.
            summary_top = page.locator(".partner-import-error-counts").bounding_box()["y"]
            list_top = page.locator(".partner-import-errors").bounding_box()["y"]
            assert summary_top < list_top
            page.screenshot(path=str(tmp_path / f"hostile-preview-{width}.png"), full_page=False)
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        finally:
            connections.close_all()
        browser.close()
    assert not problems, problems
