"""Shared steps of the browser tests: staff sign-in, and where screenshots go.

Screenshots go to a temporary folder, never into the tree (a test run leaves it clean);
`make screenshots` points SCREENSHOT_DIR at docs/screenshots to refresh the documented ones.
"""

import os
import tempfile
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def run_axe(page) -> list[dict]:
    """axe-core's violations on the page: rule, impact, help, the first elements, how many.
    The page's context must bypass the CSP (bypass_csp=True) to let the script in."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
            "count": len(violation["nodes"]),
        }
        for violation in results["violations"]
    ]


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


LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("critical", "serious")


def check_at_laptop_and_phone(page, url: str, *, ready: str, stem: str) -> list[str]:
    """Open `url` at 1366 px and 390 px, wait for `ready`, save `<stem>-<width>.png` in
    screenshot_dir(); the problems found: a page wider than the screen, axe-core's critical
    and serious violations (the context must bypass the CSP for axe)."""
    problems = []
    for name, viewport in (("1366", LAPTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(url)
        page.wait_for_selector(ready)
        page.screenshot(path=str(screenshot_dir() / f"{stem}-{name}.png"), full_page=True)
        if (width := page.evaluate("document.documentElement.scrollWidth")) > viewport["width"]:
            problems.append(f"{name}: the page is {width} px wide")
        blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            problems.append(f"{name}: axe: {blocking}")
    return problems
