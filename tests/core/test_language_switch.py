"""The language switch: links on token pages, a CSRF-protected form elsewhere, in the page's
language, with the page's path (escaped) to come back to."""

import re

import pytest
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

SWITCH = engines["django"].from_string("{% load language_switch %}{% language_switch %}")


def render(*, language: str, links: bool, path: str = "/me/") -> str:
    request = RequestFactory().get(path)
    with translation.override(language):
        return SWITCH.render({"language_links": links}, request=request)


@pytest.mark.parametrize(
    ("language", "label", "current", "other", "other_name"),
    [
        ("en", "Language", "English", "vi", "Tiếng Việt"),
        ("vi", "Ngôn ngữ", "Tiếng Việt", "en", "English"),
    ],
)
def test_token_pages_get_plain_links(language, label, current, other, other_name):
    html = render(language=language, links=True)
    assert f'<nav class="language-links" aria-label="{label}">' in html
    assert f'<span class="current" lang="{language}" aria-current="true">{current}</span>' in html
    assert f'<a href="?lang={other}" lang="{other}" hreflang="{other}">{other_name}</a>' in html
    assert "<form" not in html and "csrfmiddlewaretoken" not in html


def test_other_pages_post_with_a_csrf_token_and_the_escaped_path():
    html = render(language="vi", links=False, path='/me/?q=a&b="><script>x</script>')
    assert '<form class="language-links-form" action="/i18n/setlang/" method="post">' in html
    assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', html)
    [next_value] = re.findall(r'name="next" type="hidden" value="([^"]*)"', html)
    assert "<script>" not in html and next_value.startswith("/me/?q=a&amp;b=")
    assert '<button type="submit" name="language" value="en" lang="en">English</button>' in html
    assert html.count("<button") == 1 and html.endswith("</form>\n</nav>")


def test_the_switch_posts_through_djangos_csrf_check():
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("account_login")).content.decode()
    nav = page.split('class="language-links"')[1].split("</nav>")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', nav).group(1)
    response = client.post(
        reverse("set_language"), {"language": "vi", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "vi"


def test_each_language_is_built_apart():
    """Built once per language and kind: one language's controls never show in another's."""
    english, vietnamese = render(language="en", links=True), render(language="vi", links=True)
    assert english != vietnamese
    assert render(language="en", links=True) == english
    assert "Ngôn ngữ" in vietnamese and "Ngôn ngữ" not in english
