"""Forums, editions and sessions in Vietnamese for experts who read Vietnamese, English otherwise.

Each text with a Vietnamese twin (`<field>_vi`) falls back to the English one when left empty.
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from academy_portal.mail.models import OutboxMessage
from forums.ics import build_invitation_ics
from forums.services import render_email
from forums.services.privacy import personal_data_export
from tests.factories import (
    EditionFactory,
    ExpertFactory,
    ForumFactory,
    InstitutionFactory,
    SessionFactory,
    UserFactory,
)
from tests.forums.invitation_factories import sent_invitation

pytestmark = pytest.mark.django_db

FORUM_EN = "International Conference on the South China Sea"
FORUM_VI = "Hội thảo Quốc tế về Biển Đông"
TITLE_EN = "The 15th International Conference on the South China Sea"
TITLE_VI = "Hội thảo Quốc tế về Biển Đông lần thứ 15"
THEME_EN = "Cooperation for a peaceful sea"
THEME_VI = "Hợp tác vì một vùng biển hòa bình"
VENUE_EN = "National Convention Centre"
VENUE_VI = "Trung tâm Hội nghị Quốc gia"
PRACTICAL_EN = "Shuttle buses leave the hotel at 7:30."
PRACTICAL_VI = "Xe đưa đón khởi hành từ khách sạn lúc 7:30."
SESSION_EN = "Panel 2: Fisheries cooperation"
SESSION_VI = "Phiên 2: Hợp tác nghề cá"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The RSVP pages count requests in the cache (rate limits).
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def edition():
    forum = ForumFactory(
        name=FORUM_EN,
        name_vi=FORUM_VI,
        short_name="East Sea Conference",
        short_name_vi="Hội thảo Biển Đông",
    )
    return EditionFactory(
        forum=forum,
        title=TITLE_EN,
        title_vi=TITLE_VI,
        theme=THEME_EN,
        theme_vi=THEME_VI,
        venue=VENUE_EN,
        venue_vi=VENUE_VI,
        practical_information=PRACTICAL_EN,
        practical_information_vi=PRACTICAL_VI,
    )


@pytest.fixture
def session(edition):
    return SessionFactory(edition=edition, title=SESSION_EN, title_vi=SESSION_VI)


def invited(edition, session, language):
    """A sent invitation (offering the session) to an expert who reads `language`."""
    return sent_invitation(
        expert=ExpertFactory(preferred_language=language),
        edition=edition,
        offered_session=session,
        offered_role="speaker",
    )


# --- the rule -----------------------------------------------------------------------------------


def test_text_in_gives_vietnamese_when_given_and_english_otherwise():
    edition = EditionFactory(title="The 3rd Mekong Forum", title_vi="Diễn đàn Mekong lần thứ 3")
    assert edition.text_in("title", "vi") == "Diễn đàn Mekong lần thứ 3"
    assert edition.text_in("title", "en") == "The 3rd Mekong Forum"
    # The active language when none is given.
    with translation.override("vi"):
        assert edition.text_in("title") == "Diễn đàn Mekong lần thứ 3"
    with translation.override("en"):
        assert edition.text_in("title") == "The 3rd Mekong Forum"


def test_no_vietnamese_text_falls_back_to_english():
    forum = ForumFactory(name="Ocean Dialogue", name_vi="")
    edition = EditionFactory(forum=forum, title="The 11th Ocean Dialogue", theme_vi="   ")
    session = SessionFactory(edition=edition, title="Opening")
    assert forum.text_in("name", "vi") == "Ocean Dialogue"
    assert edition.text_in("title", "vi") == "The 11th Ocean Dialogue"
    assert edition.text_in("theme", "vi") == edition.theme  # blank counts as not translated
    assert session.text_in("title", "vi") == "Opening"


def test_only_texts_with_a_vietnamese_twin_can_be_asked_for():
    # The template filter reaches only these fields, never another attribute of the model.
    with pytest.raises(ValueError):
        EditionFactory().text_in("contact_email", "vi")


# --- emails and calendar files ------------------------------------------------------------------


def test_vietnamese_expert_gets_the_vietnamese_titles_in_the_email(edition, session):
    invitation, _ = invited(edition, session, "vi")
    email = render_email("invitation", invitation, raw_token="abc")
    assert TITLE_VI in email.subject
    assert TITLE_EN not in email.subject
    for text in (TITLE_VI, SESSION_VI, VENUE_VI):
        assert text in email.text_body
    for text in (TITLE_EN, SESSION_EN, VENUE_EN):
        assert text not in email.text_body
    assert FORUM_VI in email.html_body and FORUM_EN not in email.html_body
    confirmation = render_email("confirmation", invitation, raw_token="abc")
    assert TITLE_VI in confirmation.subject
    assert PRACTICAL_VI in confirmation.text_body and PRACTICAL_EN not in confirmation.text_body


def test_english_expert_gets_the_english_titles_in_the_email(edition, session):
    invitation, _ = invited(edition, session, "en")
    email = render_email("invitation", invitation, raw_token="abc")
    assert TITLE_EN in email.subject
    for text in (TITLE_EN, SESSION_EN, VENUE_EN):
        assert text in email.text_body
    for text in (TITLE_VI, SESSION_VI, VENUE_VI):
        assert text not in email.text_body
    assert FORUM_EN in email.html_body and FORUM_VI not in email.html_body
    confirmation = render_email("confirmation", invitation, raw_token="abc")
    assert PRACTICAL_EN in confirmation.text_body and PRACTICAL_VI not in confirmation.text_body


def test_the_queued_invitation_and_its_calendar_file_are_in_vietnamese(edition, session):
    invitation, _ = invited(edition, session, "vi")
    message = OutboxMessage.objects.get(to_email=invitation.expert.email)
    assert TITLE_VI in message.subject
    assert TITLE_VI in message.text_body
    (event,) = Calendar.from_ical(bytes(message.attachments.get().content)).walk("VEVENT")
    assert str(event["SUMMARY"]) == f"{SESSION_VI} - {TITLE_VI}"
    assert str(event["LOCATION"]) == f"Hall A, {VENUE_VI}, Hà Nội"
    assert str(event["DESCRIPTION"]) == f"{THEME_VI}\n\n{PRACTICAL_VI}"


@pytest.mark.parametrize(
    ("language", "summary", "description"),
    [
        ("vi", f"{SESSION_VI} - {TITLE_VI}", f"{THEME_VI}\n\n{PRACTICAL_VI}"),
        ("en", f"{SESSION_EN} - {TITLE_EN}", f"{THEME_EN}\n\n{PRACTICAL_EN}"),
    ],
)
def test_calendar_file_is_in_the_experts_language(edition, session, language, summary, description):
    invitation, _ = invited(edition, session, language)
    # Whatever language is active where the file is made (a worker, a staff page).
    with translation.override("en" if language == "vi" else "vi"):
        data = build_invitation_ics(invitation)
    (event,) = Calendar.from_ical(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == summary
    assert str(event["DESCRIPTION"]) == description


def test_calendar_file_without_vietnamese_titles_is_in_english():
    edition = EditionFactory(title="The 4th Sinology Symposium", theme="Classics")
    invitation, _ = sent_invitation(expert=ExpertFactory(preferred_language="vi"), edition=edition)
    (event,) = Calendar.from_ical(build_invitation_ics(invitation)).walk("VEVENT")
    assert str(event["SUMMARY"]) == "The 4th Sinology Symposium"


# --- pages --------------------------------------------------------------------------------------


def test_rsvp_page_in_vietnamese_shows_the_vietnamese_titles(client, edition, session):
    _, token = invited(edition, session, "vi")
    page = client.get(reverse("forums:rsvp", args=[token])).content.decode()
    assert '<html lang="vi">' in page
    for text in (FORUM_VI, TITLE_VI, THEME_VI, VENUE_VI, SESSION_VI, PRACTICAL_VI):
        assert text in page
    for text in (FORUM_EN, TITLE_EN, THEME_EN, VENUE_EN, SESSION_EN, PRACTICAL_EN):
        assert text not in page


def test_rsvp_page_switched_to_english_shows_the_english_titles(client, edition, session):
    _, token = invited(edition, session, "vi")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("forums:rsvp", args=[token])).content.decode()
    assert TITLE_EN in page and SESSION_EN in page
    assert TITLE_VI not in page and SESSION_VI not in page


def test_session_choices_and_answer_summary_use_the_vietnamese_titles(client, edition, session):
    other = SessionFactory(edition=edition, title="Closing", title_vi="Bế mạc")
    invitation, token = invited(edition, session, "vi")
    url = reverse("forums:rsvp", args=[token])
    page = client.get(url).content.decode()
    assert "Bế mạc (" in page  # the checkbox of each session
    response = client.post(
        url,
        {
            "answer": "accepted",
            "version": invitation.version,
            "privacy_consent": "on",
            "chatham_house_acknowledged": "on",
            "sessions": [other.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "<li>Bế mạc</li>" in response.content.decode()


def test_my_invitations_page_lists_the_vietnamese_titles(client, edition, session):
    invitation, _ = invited(edition, session, "vi")
    user = UserFactory(email=invitation.expert.email)
    # As signing in by code does: the address is verified.
    user.emailaddress_set.create(email=user.email, verified=True, primary=True)
    client.force_login(user)
    page = client.get(reverse("experts:me")).content.decode()
    assert TITLE_VI in page and SESSION_VI in page and "Hội thảo Biển Đông ·" in page
    assert TITLE_EN not in page and "East Sea Conference" not in page


def test_data_download_names_editions_in_the_experts_language(edition, session):
    invitation, _ = invited(edition, session, "vi")
    with translation.override("vi"):
        data = personal_data_export(expert=invitation.expert, user=UserFactory())
    (entry,) = data["invitations"]
    assert entry["forum"] == FORUM_VI
    assert entry["edition"] == TITLE_VI
    assert entry["offered_session"] == SESSION_VI


# --- admin --------------------------------------------------------------------------------------


def test_edition_admin_has_the_vietnamese_fields_beside_the_english_ones(
    admin_client, edition, session
):
    page = admin_client.get(reverse("admin:forums_edition_change", args=[edition.pk]))
    html = page.content.decode()
    for name in ("title_vi", "theme_vi", "venue_vi", "practical_information_vi"):
        assert f'name="{name}"' in html
    # Each on the row of its English text.
    for name in ("title", "theme", "venue", "practical_information"):
        assert f"field-{name} field-{name}_vi" in html
    assert 'name="sessions-0-title_vi"' in html


def test_coordinator_saves_vietnamese_titles_through_the_admin(admin_client):
    forum = ForumFactory()
    page = admin_client.get(reverse("admin:forums_forum_change", args=[forum.pk]))
    assert 'name="name_vi"' in page.content.decode()


@pytest.mark.parametrize(
    "url_name", ["admin:forums_edition_change", "admin:partners_institution_change"]
)
def test_no_view_on_site_link_without_a_public_page(admin_client, url_name):
    obj = EditionFactory() if "edition" in url_name else InstitutionFactory()
    html = admin_client.get(reverse(url_name, args=[obj.pk])).content.decode()
    assert "viewsitelink" not in html
    assert "/admin/r/" not in html  # the admin's redirect behind "View on site"


def test_no_view_on_site_link_for_a_coordinator_either():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["change_edition"]))
    client = Client()
    client.force_login(user)
    edition = EditionFactory()
    html = client.get(reverse("admin:forums_edition_change", args=[edition.pk])).content.decode()
    assert "/admin/r/" not in html


def test_the_template_filter_picks_the_active_language_and_tolerates_no_object():
    engine_template = Template(
        '{% load forums_text %}{{ edition|in_language:"title" }}|{{ missing|in_language:"title" }}'
    )
    edition = EditionFactory(title="The 5th Mekong Forum", title_vi="Diễn đàn Mekong lần thứ 5")
    with translation.override("vi"):
        assert (
            engine_template.render(Context({"edition": edition, "missing": None}))
            == "Diễn đàn Mekong lần thứ 5|"
        )
    with translation.override("en"):
        assert (
            engine_template.render(Context({"edition": edition, "missing": None}))
            == "The 5th Mekong Forum|"
        )
