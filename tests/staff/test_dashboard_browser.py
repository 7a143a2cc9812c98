"""The dashboards in a real browser, on the demo data: the staff home's charts and an edition's,
at 1366 px and 390 px, in English and Vietnamese: axe-core finds nothing serious, the page does
not scroll sideways, and every chart's bars fit inside its box."""

import pytest
from django.urls import reverse

from academy_portal.demo.build import build_demo
from tests.support.browser import run_axe, screenshot_dir, sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# Each chart's SVG and its box; the page's width.
MEASURE = """() => ({
    page: document.documentElement.scrollWidth,
    charts: [...document.querySelectorAll('.chart')].map((c) => {
        const box = c.getBoundingClientRect();
        const svg = c.querySelector('svg');
        const s = svg ? svg.getBoundingClientRect() : box;
        return {id: c.id, fits: s.left >= box.left && s.right <= box.right + 0.5};
    }),
})"""


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_dashboards_on_the_demo_are_accessible_and_fit(live_server, browser, language, viewport):
    build_demo(password="correct horse battery staple")
    from forums.models import Edition  # noqa: PLC0415 - after the demo exists, for its pk

    edition = Edition.objects.get(forum__slug="east-sea-conference", number=15)
    context = browser.new_context(
        viewport=viewport,
        locale=language,
        extra_http_headers={"Accept-Language": language},
        bypass_csp=True,
    )
    page = context.new_page()
    sign_in_staff(
        page,
        live_server.url,
        username="admin",
        password="correct horse battery staple",
        next_url="/admin/",
    )
    pages = {
        "staff-home": reverse("admin:index"),
        "edition-dashboard": reverse("staff_dashboard:edition", args=[edition.pk]),
    }
    width = "desktop" if viewport is DESKTOP else "phone"
    found = {}
    for name, url in pages.items():
        page.goto(live_server.url + url)
        page.wait_for_load_state()
        page.screenshot(
            path=str(screenshot_dir() / f"dash-{name}-{width}-{language}.png"), full_page=True
        )
        measured = page.evaluate(MEASURE)
        serious = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
        found[name] = (measured["page"], len(measured["charts"]), serious)
        assert all(chart["fits"] for chart in measured["charts"]), measured
    context.close()
    assert found == {
        "staff-home": (viewport["width"], 6, []),
        "edition-dashboard": (viewport["width"], 6, []),
    }
