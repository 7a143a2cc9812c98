"""The admin import flow in a real browser (headless Debian chromium): upload, preview, confirm.

Also saves import-preview.png (tests/support/browser.py screenshot_dir), as staff see it.
"""

from pathlib import Path

import pytest
from django.db import connections

from academy_portal.core import roles
from partners.models import MOU, Institution, PartnerImport
from tests.conftest import CHROMIUM_PATH
from tests.factories import InstitutionFactory, MOUFactory, UserFactory
from tests.support.browser import screenshot_dir, sign_in_staff

FILES = Path(__file__).parent / "files"
PASSWORD = "correct horse battery staple"


@pytest.mark.browser
def test_import_through_the_admin_in_chromium(
    require_chromium, live_server, transactional_db, settings, tmp_path, monkeypatch
):
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - browser tests only: imported when one runs

    # Playwright's sync API keeps an event loop in this thread; the ORM calls below are
    # still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MEDIA_ROOT = tmp_path / "media"
    officer = UserFactory(username="officer", groups=[roles.PARTNERSHIPS_OFFICERS])
    iseas = InstitutionFactory(
        name="ISEAS \u2013 Yusof Ishak Institute", acronym="ISEAS", country="SG", city="Singapore"
    )
    MOUFactory(
        institution=iseas,
        title="MOU on Mekong studies",
        academy_unit="iss",
        signed_on="2024-01-10",
        effective_from="2024-01-10",
        expires_on="2025-01-09",
        status=MOU.Status.ACTIVE,
        areas_of_cooperation="Mekong",
    )
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM_PATH,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1100})
            # CSP violations and script errors show as console errors; failed page resources as
            # responses (the browser's own favicon probe is neither).
            page.on("console", lambda m: "Refused" in m.text and problems.append(m.text))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}")
            )
            sign_in_staff(
                page,
                live_server.url,
                username=officer.username,
                password=PASSWORD,
                next_url="/admin/partners/partnerimport/",
            )
            page.click("a.partner-import-link")
            page.set_input_files("#id_file", str(FILES / "valid_utf8_bom_semicolon_vi.csv"))
            page.click("input[type=submit]")
            page.wait_for_selector(".partner-import-counts")

            assert page.inner_text(".count-new strong") == "4"
            assert page.inner_text(".count-updated strong") == "1"
            changes = page.inner_text(".partner-import-updated")
            assert "Active" in changes and "Expired" in changes
            assert Institution.objects.count() == 1  # nothing written by the preview
            page.screenshot(path=str(screenshot_dir() / "import-preview.png"), full_page=True)

            page.click(".partner-import-confirm input[type=submit]")
            page.wait_for_selector("ul.messagelist")
            assert "4 new, 1 updated, 0 unchanged" in page.inner_text("ul.messagelist")
            assert "Học viện Chính trị Quốc gia Hồ Chí Minh" in page.content()
        finally:
            # ORM calls made inside Playwright's sync context use a connection of their own,
            # which pytest-django never sees; left open it blocks dropping the test database.
            connections.close_all()
        browser.close()

    assert not problems, problems  # no CSP violations or script errors
    assert Institution.objects.count() == 4
    assert MOU.objects.get(title="MOU on Mekong studies").status == MOU.Status.EXPIRED
    assert PartnerImport.objects.filter(dry_run=False, created_by=officer).count() == 1
