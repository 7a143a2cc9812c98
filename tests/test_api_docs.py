"""The API's OpenAPI schema (/api/schema/) and its Swagger UI (/api/docs/): every endpoint
described, the UI served from the portal (no CDN) under the strict CSP, working in a browser."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.forums.programme_factories import published_edition
from tests.support.browser import screenshot_dir

SCHEMA_PATHS = [
    "/api/v1/editions/",
    "/api/v1/editions/{forum_slug}/{number}/",
    "/api/v1/forums/",
    "/api/v1/staff/invitation-counts/",
    "/api/v1/staff/mous/",
]


@pytest.mark.django_db
def test_the_schema_lists_every_path_read_only_with_the_staff_key_scheme(client):
    response = client.get(reverse("api_schema") + "?format=json")
    assert response.status_code == 200
    schema = response.json()

    assert sorted(schema["paths"]) == SCHEMA_PATHS
    for path, operations in schema["paths"].items():
        assert set(operations) == {"get"}, path
    assert schema["components"]["securitySchemes"] == {
        "apiToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "A key issued in the admin.",
        }
    }
    staff = schema["paths"]["/api/v1/staff/mous/"]["get"]
    assert staff["security"] == [{"apiToken": []}]
    public = schema["paths"]["/api/v1/editions/"]["get"]
    assert {p["name"] for p in public["parameters"]} >= {"forum", "from", "to", "page", "lang"}
    assert client.get(reverse("api_schema")).status_code == 200  # YAML by default


@pytest.mark.django_db
def test_the_docs_page_has_the_csp_no_inline_code_and_nothing_from_elsewhere(client):
    response = client.get(reverse("api_docs"))
    html = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not re.search(r"https?://", html)
    assert "<style" not in html and " style=" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 3 and all('src="' in attrs and not body for attrs, body in scripts)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in a for a in assets)
    assert reverse("api_docs") + "?script=" in assets
    for asset in set(assets) - {reverse("api_docs") + "?script="}:
        # Our own static files (the test client serves none; the browser test loads them).
        assert asset.startswith(settings.STATIC_URL), asset
        assert finders.find(asset.removeprefix(settings.STATIC_URL)), asset
    script = client.get(reverse("api_docs") + "?script")
    assert "javascript" in script["Content-Type"]
    assert reverse("api_schema") in script.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_docs_render_the_operations_in_a_browser_without_a_csp_violation(live_server, browser):
    published_edition()
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert sorted(p.replace("\u200b", "") for p in paths) == SCHEMA_PATHS
    page.screenshot(path=str(screenshot_dir() / "api-docs-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshot_dir() / "api-docs-phone.png"))
    assert problems == []
