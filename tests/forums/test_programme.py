"""The public forum pages: /forums/ and an edition's programme, with no sign-in."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from experts.models import Expert
from forums.models import AttributionRule, Forum, Invitation, SessionRole
from forums.services import publish_programme, unpublish_programme
from tests.factories import (
    EditionFactory,
    ExpertFactory,
    ForumFactory,
    SessionFactory,
    SessionRoleFactory,
)
from tests.forums.programme_factories import (
    answer,
    programme_path,
    published_edition,
    speaker,
)

pytestmark = pytest.mark.django_db
EN_DASH = "\u2013"


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_an_unpublished_edition_is_a_404_and_publishing_makes_it_public(client):
    edition = EditionFactory()
    SessionFactory(edition=edition, title="Panel 1: Fisheries")
    assert client.get(programme_path(edition)).status_code == 404
    assert edition.title not in client.get(reverse("forums:forum_index")).content.decode()

    assert publish_programme(edition=edition, published_by=None)
    assert not publish_programme(edition=edition, published_by=None)  # once is enough

    assert "Panel 1: Fisheries" in text_of(client.get(programme_path(edition)))
    assert edition.title in text_of(client.get(reverse("forums:forum_index")))

    unpublish_programme(edition=edition, unpublished_by=None)
    assert client.get(programme_path(edition)).status_code == 404


def test_an_edition_of_an_inactive_forum_or_an_unknown_number_is_a_404(client):
    edition = published_edition()
    unknown = reverse("forums:programme", args=[edition.forum.slug, 999])
    assert client.get(unknown).status_code == 404
    Forum.objects.filter(pk=edition.forum_id).update(active=False)
    assert client.get(programme_path(edition)).status_code == 404


def test_the_index_lists_upcoming_and_past_published_editions_of_active_forums(client):
    forum = ForumFactory(name="Ocean Dialogue")
    today = timezone.localdate()
    upcoming = published_edition(forum=forum, title="The 11th Ocean Dialogue")
    past = published_edition(
        forum=forum,
        title="The 9th Ocean Dialogue",
        start_date=today - dt.timedelta(days=200),
        end_date=today - dt.timedelta(days=199),
        rsvp_deadline=None,
        status="held",
    )
    EditionFactory(forum=forum, title="The 12th Ocean Dialogue")  # not published

    text = text_of(client.get(reverse("forums:forum_index")))

    assert text.index("Upcoming") < text.index(upcoming.title) < text.index("Past editions")
    assert text.index("Past editions") < text.index(past.title)
    assert "The 12th Ocean Dialogue" not in text
    assert programme_path(upcoming) in text and programme_path(past) in text


def test_sessions_by_day_with_local_times_rooms_formats_and_rules_explained(client):
    edition = published_edition(default_attribution=AttributionRule.CHATHAM_HOUSE)
    first_day = dt.datetime.combine(edition.start_date, dt.time(9, 0))
    SessionFactory(
        edition=edition,
        title="Opening Session",
        kind="opening",
        room="Grand Ballroom",
        attribution=AttributionRule.ON_THE_RECORD,
        starts_at=timezone.make_aware(first_day),
        ends_at=timezone.make_aware(first_day + dt.timedelta(minutes=45)),
    )
    second_day = timezone.make_aware(first_day + dt.timedelta(days=1, hours=4, minutes=30))
    SessionFactory(
        edition=edition,
        title="Panel 4: ASEAN Centrality",
        room="Lotus Room",
        starts_at=second_day,
        ends_at=second_day + dt.timedelta(minutes=90),
    )

    text = text_of(client.get(programme_path(edition)))

    assert text.index("Day 1") < text.index("Opening Session") < text.index("Day 2")
    assert text.index("Day 2") < text.index("Panel 4: ASEAN Centrality")
    # Hanoi time (the edition's time zone), whatever the server's clock says.
    assert 'datetime="' + edition.start_date.isoformat() + 'T09:00:00+07:00"' in text
    assert f">09:00</time>{EN_DASH}<time" in text and ">09:45</time>" in text
    assert f">13:30</time>{EN_DASH}<time" in text and ">15:00</time>" in text
    assert "Grand Ballroom" in text and "Lotus Room" in text
    assert "Opening" in text and "Panel" in text
    assert "On the record" in text and "Chatham House Rule" in text
    assert "neither the identity nor the affiliation of the speaker" in text
    assert "Remarks may be quoted and attributed to the speaker." in text
    assert "Asia/Ho_Chi_Minh, UTC+7" in text


def test_only_speakers_who_accepted_and_agreed_to_be_listed_are_named(client):
    edition = published_edition()
    session = SessionFactory(edition=edition)
    speaker(session, given_name="Jane", family_name="Listed")
    unlisted, *_ = speaker(session, given_name="Omar", family_name="Unlisted", listed=False)
    tentative, *_ = speaker(session, family_name="Tentative", answered="tentative")
    pending, *_ = speaker(session, given_name="Pia", family_name="Pending", answered=None)
    # On the programme, never invited. A name of its own: a random one could be a word of the
    # page (the session's title, another name) and make the test fail by chance.
    stranger = SessionRoleFactory(
        session=session, expert=ExpertFactory(family_name="Stranger")
    ).expert
    SessionRole.objects.create(session=session, expert=tentative, role="speaker")
    SessionRole.objects.create(session=session, expert=pending, role="speaker")

    text = text_of(client.get(programme_path(edition)))

    assert "Dr. Jane Listed" in text
    for expert in (unlisted, tentative, pending, stranger):
        assert expert.family_name not in text


def test_consent_is_stored_with_its_time_and_withdrawn_with_a_decline(client):
    edition = published_edition()
    session = SessionFactory(edition=edition)
    expert, invitation, _ = speaker(session, family_name="Consenting")
    assert invitation.listing_consent and invitation.listing_consented_at is not None
    assert expert.family_name in text_of(client.get(programme_path(edition)))

    invitation = answer(invitation, Invitation.Status.DECLINED)

    assert not invitation.listing_consent and invitation.listing_consented_at is None
    assert expert.family_name not in text_of(client.get(programme_path(edition)))


def test_honorific_name_order_affiliation_and_private_capacity(client):
    edition = published_edition()
    session = SessionFactory(edition=edition)
    speaker(
        session,
        honorific="Amb.",
        honorific_vi="Đại sứ",
        given_name="Hùng",
        family_name="Trần Văn",
        name_order=Expert.NameOrder.FAMILY_FIRST,
        capacity=Expert.Capacity.OFFICIAL_PRIVATE,
        affiliation=None,
        affiliation_text="Ministry of Foreign Affairs",
    )
    speaker(
        session,
        role=SessionRole.Role.MODERATOR,
        honorific="Prof.",
        given_name="Anna",
        family_name="Berg",
        affiliation=None,
        affiliation_text="Lund University",
    )

    text = text_of(client.get(programme_path(edition)))

    assert "Amb. Trần Văn Hùng" in text
    assert "Ministry of Foreign Affairs" in text
    assert text.count("in a private capacity") == 1
    # The moderator comes first, whatever the order of acceptance.
    assert text.index("Moderator:") < text.index("Prof. Anna Berg") < text.index("Speaker:")
    assert 'Prof. Anna Berg</span><span class="affiliation">, Lund University' in text

    vietnamese = text_of(client.get(programme_path(edition), HTTP_ACCEPT_LANGUAGE="vi"))
    assert "Đại sứ Trần Văn Hùng" in vietnamese
    assert "Amb." not in vietnamese and "Prof." not in vietnamese  # no English honorific


@pytest.mark.parametrize("how", ["flag", "rule"])
def test_a_closed_door_session_shows_its_title_and_by_invitation_only(client, how):
    edition = published_edition()
    closed = SessionFactory(
        edition=edition,
        title="Closed-Door Roundtable: Crisis Management",
        closed_door=how == "flag",
        attribution=AttributionRule.CLOSED_DOOR if how == "rule" else "",
        description="Participants: the heads of delegation.",
    )
    speaker(closed, family_name="Insider")
    speaker(closed, role="moderator", family_name="Chairwoman")

    text = text_of(client.get(programme_path(edition)))

    assert "Closed-Door Roundtable: Crisis Management" in text
    assert "By invitation" in text
    for hidden in ("Insider", "Chairwoman", "heads of delegation", "Moderator:", "Speaker:"):
        assert hidden not in text


def test_the_vietnamese_page_shows_vietnamese_titles_with_english_where_untranslated(client):
    forum = ForumFactory(name="Ocean Dialogue", name_vi="Đối thoại Biển")
    edition = published_edition(
        forum=forum,
        title="The 11th Ocean Dialogue",
        title_vi="Đối thoại Biển lần thứ 11",
        theme="Blue economy",
        theme_vi="Kinh tế biển xanh",
    )
    SessionFactory(edition=edition, title="Panel 1: Fisheries", title_vi="Phiên 1: Nghề cá")
    SessionFactory(edition=edition, title="Panel 2: Untranslated")

    english = text_of(client.get(programme_path(edition)))
    client.cookies["django_language"] = "vi"
    vietnamese = text_of(client.get(programme_path(edition)))

    assert "The 11th Ocean Dialogue" in english and "Panel 1: Fisheries" in english
    assert '<html lang="vi">' in vietnamese
    for title in ("Đối thoại Biển lần thứ 11", "Kinh tế biển xanh", "Phiên 1: Nghề cá"):
        assert title in vietnamese
    assert "The 11th Ocean Dialogue" not in vietnamese and "Panel 1: Fisheries" not in vietnamese
    assert "Panel 2: Untranslated" in vietnamese
    index = text_of(client.get(reverse("forums:forum_index")))
    assert "Đối thoại Biển lần thứ 11" in index


def test_the_language_link_sets_the_cookie_and_comes_back(client):
    edition = published_edition()
    response = client.get(programme_path(edition) + "?lang=vi")
    assert response.status_code == 302 and response["Location"] == programme_path(edition)
    assert response.cookies["django_language"].value == "vi"


def test_public_pages_are_cacheable_and_answer_304_to_a_matching_etag(client):
    edition = published_edition()
    SessionFactory(edition=edition)
    for path in (programme_path(edition), reverse("forums:forum_index")):
        response = client.get(path)
        assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
        assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
        assert not response.cookies  # no session, no CSRF cookie: a shared cache may keep it
        again = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304


def test_no_inline_script_or_style_on_the_public_pages(client):
    edition = published_edition()
    SessionFactory(edition=edition)
    for path in (programme_path(edition), reverse("forums:forum_index")):
        text = text_of(client.get(path))
        assert "<script" not in text and "<style" not in text and " style=" not in text


def build_programme(edition, sessions: int, speakers_each: int):
    for n in range(sessions):
        session = SessionFactory(edition=edition, closed_door=n == 1)
        for _ in range(speakers_each):
            speaker(session)


@pytest.mark.parametrize(("sessions", "speakers_each"), [(1, 1), (8, 4)])
def test_the_programme_page_makes_the_same_few_queries_whatever_its_size(
    client, django_assert_num_queries, sessions, speakers_each
):
    edition = published_edition()
    build_programme(edition, sessions, speakers_each)
    # The edition with its forum, the sessions, the listed roles with experts and affiliations.
    with django_assert_num_queries(3):
        text = text_of(client.get(programme_path(edition)))
    assert text.count('class="card session') == sessions


@pytest.mark.parametrize("editions", [1, 12])
def test_the_index_makes_the_same_few_queries_whatever_its_size(
    client, django_assert_num_queries, editions
):
    forum = ForumFactory()
    for _ in range(editions):
        published_edition(forum=forum)
    with django_assert_num_queries(2):  # the forums, then their published editions
        text = text_of(client.get(reverse("forums:forum_index")))
    assert text.count(f"/forums/{forum.slug}/") == editions
