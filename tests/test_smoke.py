from django.contrib.staticfiles import finders
from django.urls import reverse


def test_home_page_renders_with_language_switch(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b'name="language"' in response.content
    assert "Content-Security-Policy" in response


def test_pages_name_their_icon_so_browsers_do_not_ask_for_a_missing_favicon(client, db):

    response = client.get(reverse("home"))
    assert b'rel="icon" href="/static/favicon.svg"' in response.content
    assert finders.find("favicon.svg")
