"""Staff sign-in in a real browser (headless Debian chromium): password, authenticator set-up
with the QR page, the code, then the admin; no CSP violation or script error on the way."""

import pytest

from tests.conftest import CHROMIUM_PATH
from tests.core.test_staff_signin import PASSWORD, totp_now
from tests.factories import UserFactory


@pytest.mark.browser
def test_staff_set_up_their_authenticator_and_reach_the_admin_in_chromium(
    require_chromium, live_server, transactional_db, settings, monkeypatch
):
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - browser tests only: imported when one runs

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.STAFF_MFA_REQUIRED = True
    UserFactory(username="coordinator", groups=["Forum coordinators"])
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM_PATH,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 390, "height": 900})
            page.on("console", lambda m: "Refused" in m.text and problems.append(m.text))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{live_server.url}/admin/")
            page.fill("#id_login", "coordinator")
            page.fill("#id_password", PASSWORD)
            page.click("details form button[type=submit]")
            # allauth asks for the password again before an authenticator is added.
            page.fill("#id_password", PASSWORD)
            page.click("form.rsvp-form button[type=submit]")
            page.wait_for_selector("img.qr")
            assert page.eval_on_selector("img.qr", "img => img.naturalWidth") > 0
            secret = page.inner_text("#authenticator-secret").strip()
            page.fill("#id_code", totp_now(secret))
            page.click("form.rsvp-form button[type=submit]")
            page.wait_for_selector("#recovery-codes")
            page.click("text=Continue to the staff pages")
            page.fill("#id_code", totp_now(secret))
            page.click("form.rsvp-form button[type=submit]")
            page.wait_for_selector("#site-name, #header")
            assert page.url == f"{live_server.url}/admin/"
        finally:
            browser.close()
    assert problems == []
