"""The public read API (/api/v1/): what the public pages publish, as JSON, and nothing more."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from experts.models import Expert
from forums.models import AttributionRule, Forum, SessionRole
from forums.services import unpublish_programme
from tests.factories import EditionFactory, ForumFactory, SessionFactory, SessionRoleFactory
from tests.forums.programme_factories import programme_path, published_edition, speaker

pytestmark = pytest.mark.django_db

FORUM_KEYS = {"slug", "name", "editions_url"}
EDITION_KEYS = {
    "forum",
    "forum_name",
    "number",
    "title",
    "theme",
    "start_date",
    "end_date",
    "city",
    "venue",
    "format",
    "format_label",
    "programme_url",
    "page_url",
}
SESSION_KEYS = {
    "title",
    "kind",
    "kind_label",
    "starts_at",
    "ends_at",
    "room",
    "closed_door",
    "attribution",
    "attribution_label",
    "people",
}
PERSON_KEYS = {"role", "role_label", "name", "affiliation", "private_capacity"}
PAGE_KEYS = {"count", "next", "previous", "results"}
PROGRAMME_KEYS = {
    "edition",
    "time_zone",
    "days",
    "rules",
    "date",
    "sessions",
    "label",
    "explanation",
}
# Every key any public answer may hold. An expert's email, phone, nationality, biography,
# position, passport or answers are none of them.
PUBLIC_KEYS = FORUM_KEYS | EDITION_KEYS | SESSION_KEYS | PERSON_KEYS | PAGE_KEYS | PROGRAMME_KEYS


def keys_of(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_of(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_of(item)}
    return set()


def api_programme_path(edition) -> str:
    return reverse("api:edition_programme", args=[edition.forum.slug, edition.number])


def get_json(client, path, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_the_forum_list_has_active_forums_with_links_to_their_editions(client):
    ForumFactory(name="Ocean Dialogue", slug="ocean-dialogue")
    ForumFactory(name="Old Forum", slug="old-forum", active=False)

    data = get_json(client, reverse("api:forum_list"))

    assert data["count"] == 1
    assert data["results"] == [
        {
            "slug": "ocean-dialogue",
            "name": "Ocean Dialogue",
            "editions_url": "/api/v1/editions/?forum=ocean-dialogue",
        }
    ]


def test_editions_are_the_published_ones_earliest_first(client):
    today = timezone.localdate()
    later = published_edition(start_date=today + dt.timedelta(days=90))
    sooner = published_edition(start_date=today + dt.timedelta(days=30))
    EditionFactory(title="Not published yet")
    hidden = published_edition()
    Forum.objects.filter(pk=hidden.forum_id).update(active=False)

    data = get_json(client, reverse("api:edition_list"))

    assert [e["title"] for e in data["results"]] == [sooner.title, later.title]
    first = data["results"][0]
    assert first["programme_url"] == api_programme_path(sooner)
    assert first["page_url"] == programme_path(sooner)
    assert first["start_date"] == sooner.start_date.isoformat()
    assert first["venue"] == sooner.venue and first["city"] == sooner.city


def test_editions_filter_by_forum_and_by_dates_that_overlap_the_range(client):
    today = timezone.localdate()
    ocean = ForumFactory(slug="ocean")
    other = ForumFactory(slug="other")
    days = dt.timedelta
    january = published_edition(forum=ocean, start_date=today + days(10), end_date=today + days(12))
    march = published_edition(forum=ocean, start_date=today + days(60), end_date=today + days(61))
    elsewhere = published_edition(forum=other, start_date=today + days(11))
    path = reverse("api:edition_list")

    def titles(query):
        return [e["title"] for e in get_json(client, f"{path}?{query}")["results"]]

    assert titles("forum=ocean") == [january.title, march.title]
    assert titles("forum=other") == [elsewhere.title]
    assert titles("forum=nobody") == []
    # An edition is in the range if any of its days is.
    in_range = [january.title, elsewhere.title, march.title]
    assert titles(f"from={(today + days(12)).isoformat()}") == in_range
    assert titles(f"from={(today + days(13)).isoformat()}") == [march.title]
    assert titles(f"to={(today + days(10)).isoformat()}") == [january.title]
    both = f"forum=ocean&from={(today + days(11)).isoformat()}&to={(today + days(59)).isoformat()}"
    assert titles(both) == [january.title]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=yesterday", "from", "Date has wrong format"),
        ("to=2026-13-01", "to", "Date has wrong format"),
        ("from=2026-05-02&to=2026-05-01", "to", "“to” must not be before “from”."),
        ("forum=not%20a%20slug", "forum", 'Enter a valid "slug"'),
    ],
)
def test_a_bad_filter_is_a_400_that_says_which_and_why(client, query, field, message):
    published_edition()
    response = client.get(f"{reverse('api:edition_list')}?{query}")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    assert message in errors[field][0]


def test_pages_of_editions_with_a_page_size(client):
    editions = [published_edition() for _ in range(5)]
    path = reverse("api:edition_list")

    first = get_json(client, f"{path}?page_size=2")
    second = get_json(client, f"{path}?page_size=2&page=2")
    last = get_json(client, f"{path}?page_size=2&page=3")

    assert first["count"] == 5 and first["previous"] is None
    assert first["next"].endswith("?page=2&page_size=2")
    titles = [e["title"] for page in (first, second, last) for e in page["results"]]
    assert sorted(titles) == sorted(e.title for e in editions) and len(set(titles)) == 5
    assert last["next"] is None
    assert client.get(f"{path}?page=9").status_code == 404


def test_a_programme_has_days_sessions_times_rooms_kinds_rules_and_listed_people(client):
    edition = published_edition(default_attribution=AttributionRule.CHATHAM_HOUSE)
    day = timezone.make_aware(dt.datetime.combine(edition.start_date, dt.time(9, 0)))
    opening = SessionFactory(
        edition=edition,
        title="Opening Session",
        kind="opening",
        room="Grand Ballroom",
        attribution=AttributionRule.ON_THE_RECORD,
        starts_at=day,
        ends_at=day + dt.timedelta(minutes=45),
    )
    panel = SessionFactory(
        edition=edition,
        title="Panel 4: ASEAN Centrality",
        room="Lotus Room",
        starts_at=day + dt.timedelta(days=1, hours=4, minutes=30),
        ends_at=day + dt.timedelta(days=1, hours=6),
    )
    speaker(
        opening,
        honorific="Amb.",
        honorific_vi="Đại sứ",
        given_name="Hùng",
        family_name="Trần Văn",
        name_order=Expert.NameOrder.FAMILY_FIRST,
        capacity=Expert.Capacity.OFFICIAL_PRIVATE,
        affiliation=None,
        affiliation_text="Ministry of Foreign Affairs",
    )
    speaker(panel, family_name="Unlisted", listed=False)
    SessionRoleFactory(session=panel)  # on the programme, never invited

    data = get_json(client, api_programme_path(edition))

    assert data["edition"]["title"] == edition.title
    assert data["time_zone"] == "Asia/Ho_Chi_Minh"
    assert [d["date"] for d in data["days"]] == [
        edition.start_date.isoformat(),
        (edition.start_date + dt.timedelta(days=1)).isoformat(),
    ]
    first, second = data["days"][0]["sessions"][0], data["days"][1]["sessions"][0]
    assert first == {
        "title": "Opening Session",
        "kind": "opening",
        "kind_label": "Opening",
        "starts_at": f"{edition.start_date.isoformat()}T09:00:00+07:00",
        "ends_at": f"{edition.start_date.isoformat()}T09:45:00+07:00",
        "room": "Grand Ballroom",
        "closed_door": False,
        "attribution": "on_the_record",
        "attribution_label": "On the record",
        "people": [
            {
                "role": "speaker",
                "role_label": "Speaker",
                "name": "Amb. Trần Văn Hùng",
                "affiliation": "Ministry of Foreign Affairs",
                "private_capacity": True,
            }
        ],
    }
    assert second["title"] == "Panel 4: ASEAN Centrality" and second["room"] == "Lotus Room"
    assert second["starts_at"].endswith("T13:30:00+07:00")
    assert second["attribution"] == "chatham_house" and second["people"] == []
    assert [rule["label"] for rule in data["rules"]] == ["On the record", "Chatham House Rule"]

    vietnamese = get_json(client, api_programme_path(edition) + "?lang=vi")
    assert vietnamese["days"][0]["sessions"][0]["people"][0]["name"] == "Đại sứ Trần Văn Hùng"
    accept_vi = get_json(client, api_programme_path(edition), HTTP_ACCEPT_LANGUAGE="vi")
    assert accept_vi["days"][0]["sessions"][0]["people"][0]["name"] == "Đại sứ Trần Văn Hùng"


@pytest.mark.parametrize("how", ["flag", "rule"])
def test_a_closed_door_session_has_its_title_and_no_names_nor_rule(client, how):
    edition = published_edition()
    closed = SessionFactory(
        edition=edition,
        title="Closed-Door Roundtable",
        closed_door=how == "flag",
        attribution=AttributionRule.CLOSED_DOOR if how == "rule" else "",
        description="Participants: the heads of delegation.",
    )
    speaker(closed, family_name="Insider")
    speaker(closed, role=SessionRole.Role.MODERATOR, family_name="Chairwoman")

    response = client.get(api_programme_path(edition))
    session = response.json()["days"][0]["sessions"][0]

    assert session["title"] == "Closed-Door Roundtable" and session["closed_door"] is True
    assert session["people"] == []
    assert session["attribution"] is None and session["attribution_label"] is None
    text = response.content.decode()
    for hidden in ("Insider", "Chairwoman", "heads of delegation"):
        assert hidden not in text


def test_an_unpublished_unknown_or_inactive_edition_is_a_404(client):
    draft = EditionFactory()
    assert client.get(api_programme_path(draft)).status_code == 404
    edition = published_edition()
    assert client.get(api_programme_path(edition)).status_code == 200
    unpublish_programme(edition=edition, unpublished_by=None)
    assert client.get(api_programme_path(edition)).status_code == 404
    path = reverse("api:edition_programme", args=[edition.forum.slug, 999])
    assert client.get(path).status_code == 404
    again = published_edition()
    Forum.objects.filter(pk=again.forum_id).update(active=False)
    assert client.get(api_programme_path(again)).status_code == 404


def test_no_public_answer_holds_a_key_beyond_the_public_ones(client):
    edition = published_edition()
    session = SessionFactory(edition=edition)
    speaker(session, family_name="Listed", email="private@example.org", phone="+84 90 000")
    SessionFactory(edition=edition, closed_door=True)
    answers = [
        get_json(client, reverse("api:forum_list")),
        get_json(client, reverse("api:edition_list")),
        get_json(client, api_programme_path(edition)),
    ]
    for data in answers:
        assert keys_of(data) <= PUBLIC_KEYS, keys_of(data) - PUBLIC_KEYS
        text = str(data)
        assert "private@example.org" not in text and "+84 90 000" not in text
    assert keys_of(answers[2]["days"][0]["sessions"][0]["people"]) == PERSON_KEYS


@pytest.mark.parametrize("name", ["forum_list", "edition_list", "programme"])
def test_public_answers_are_cacheable_and_a_conditional_get_is_a_304(client, name):
    edition = published_edition()
    SessionFactory(edition=edition)
    path = api_programme_path(edition) if name == "programme" else reverse(f"api:{name}")

    response = client.get(path)
    etag = response["ETag"]
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)

    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]
    assert not response.cookies  # nothing per visitor: a shared cache may keep it
    assert again.status_code == 304 and again.content == b""
    assert client.head(path).status_code == 200
    SessionFactory(edition=edition, title="A new panel")
    EditionFactory(forum=edition.forum)  # not published: changes nothing the API shows
    changed = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == (200 if name == "programme" else 304)


def test_a_post_is_refused(client):
    edition = published_edition()
    for path in (reverse("api:edition_list"), api_programme_path(edition)):
        assert client.post(path, {}).status_code == 405


def test_query_counts_do_not_grow_with_the_rows(client, django_assert_num_queries):
    edition = published_edition()
    session = SessionFactory(edition=edition)
    speaker(session)
    # Count and page; count and page; the edition, its sessions and the listed roles.
    for path, queries in (
        (reverse("api:forum_list"), 2),
        (reverse("api:edition_list"), 2),
        (api_programme_path(edition), 3),
    ):
        with django_assert_num_queries(queries):
            get_json(client, path)

    for _ in range(12):
        published_edition(forum=edition.forum)
        ForumFactory()
    for n in range(15):
        other = SessionFactory(edition=edition, title=f"Panel {n}")
        speaker(other)
    SessionFactory(edition=edition, closed_door=True)
    for path, queries in (
        (reverse("api:forum_list"), 2),
        (reverse("api:edition_list"), 2),
        (api_programme_path(edition), 3),
    ):
        with django_assert_num_queries(queries):
            data = get_json(client, path)
    assert len(data["days"][0]["sessions"]) == 17
