from django.urls import reverse


def test_home_page_renders_with_language_switch(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b'name="language"' in response.content
    assert "Content-Security-Policy" in response
