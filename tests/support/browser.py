"""Shared steps of the browser tests: staff sign-in, and where screenshots go.

Screenshots go to a temporary folder, never into the tree (a test run leaves it clean);
`make screenshots` points SCREENSHOT_DIR at docs/screenshots to refresh the documented ones.
"""

import os
import tempfile
from pathlib import Path


def screenshot_dir() -> Path:
    path = Path(
        os.environ.get("SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "portal-screenshots"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def sign_in_staff(page, base_url: str, *, username: str, password: str, next_url: str) -> None:
    """Sign in through the admin's login, which hands staff to the portal's password form.

    The tests run with STAFF_MFA_REQUIRED off (the test settings); the second factor has its
    own browser test in tests/core/test_staff_signin_browser.py.
    """
    page.goto(f"{base_url}/admin/login/?next={next_url}")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.click("details form button[type=submit]")
    page.wait_for_load_state()
