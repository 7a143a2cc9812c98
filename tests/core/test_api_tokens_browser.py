"""An administrator issues an API key in the admin: the key shown once, on desktop and phone."""

import pytest

from academy_portal.core import roles
from academy_portal.core.models import ApiToken
from tests.factories import UserFactory
from tests.support.browser import run_axe, screenshot_dir, sign_in_staff

PASSWORD = "correct horse battery staple"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_an_administrator_issues_a_key_and_sees_it_once(live_server, browser, width):
    UserFactory(username="administrator", groups=[roles.ADMINISTRATORS])
    # bypass_csp lets axe-core's script in (tests/support/browser.py).
    page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    sign_in_staff(
        page,
        live_server.url,
        username="administrator",
        password=PASSWORD,
        next_url="/admin/core/apitoken/add/",
    )
    page.fill("#id_name", "Main website")
    page.check("input[name=scopes][value='mous:read']")
    page.screenshot(path=str(screenshot_dir() / f"api-token-add-{width}.png"), full_page=True)
    page.click("input[name=_save]")

    key = page.input_value("#api-key")
    token = ApiToken.objects.get()
    assert key.startswith(token.prefix) and token.scopes == ["mous:read"]
    assert [v for v in run_axe(page) if v["impact"] in ("critical", "serious")] == []
    page.screenshot(path=str(screenshot_dir() / f"api-token-issued-{width}.png"), full_page=True)
    page.goto(live_server.url + "/admin/core/apitoken/")
    assert key not in page.content() and token.prefix in page.content()
    page.screenshot(path=str(screenshot_dir() / f"api-token-list-{width}.png"), full_page=True)
