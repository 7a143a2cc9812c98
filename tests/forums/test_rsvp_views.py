import datetime as dt
import re
import secrets
import time
from urllib.parse import quote

import pytest
import time_machine
from django.core.cache import cache
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from academy_portal.core import ratelimit
from forums.models import Edition, Invitation, InvitationEvent
from forums.services import reissue_token, submit_rsvp, withdraw_invitation
from tests.factories import EditionFactory, ExpertFactory, SessionFactory, UserFactory
from tests.forums.invitation_factories import sent_invitation

pytestmark = pytest.mark.django_db

FORGED_TOKENS = [
    "x",
    "q7Jx0vKpV3mZ9bT2wLcR8nYfH4sD6gA1eU5iO0kWzXy",  # right shape, unknown
    "A" * 43,
    "A" * 500,  # far too long
    "<script>alert(1)</script>",
    "..%2F..%2Fetc",
    "tok en;drop table",
    "ủy-ban-ngoại-giao",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache; each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff():
    return UserFactory()


def rsvp_url(token):
    # Quoted by hand: forged tokens may hold "/" or other characters reverse() refuses.
    return reverse("forums:rsvp", args=["TOKEN"]).replace("TOKEN", quote(token, safe=""))


def accept_data(invitation, **overrides):
    data = {
        "answer": "accepted",
        "version": invitation.version,
        "privacy_consent": "on",
        "chatham_house_acknowledged": "on",
        "dietary_needs": "Vegetarian",
        "arrival_date": "",
        "departure_date": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def snapshot(invitation):
    invitation.refresh_from_db()
    data = model_to_dict(invitation)
    data["updated_at"] = invitation.updated_at
    data["token_hash"] = invitation.token_hash
    data["version"] = invitation.version
    return data


# --- showing the invitation -------------------------------------------------------------


def test_page_shows_edition_session_role_rule_and_deadline(client, staff):
    edition = EditionFactory(theme="Peace and cooperation", venue="Melia Hanoi")
    session = SessionFactory(edition=edition, title="Panel 2: Fisheries", attribution="")
    _invitation, token = sent_invitation(
        staff, edition=edition, offered_session=session, offered_role="speaker"
    )
    response = client.get(rsvp_url(token))
    assert response.status_code == 200
    text = response.content.decode()
    assert edition.title in text
    assert "Peace and cooperation" in text
    assert "Melia Hanoi" in text
    assert "Panel 2: Fisheries" in text
    assert "Speaker" in text
    assert "Chatham House Rule" in text
    assert "neither the identity nor the affiliation" in text
    assert "This session is held under the Chatham House Rule." in text
    assert 'name="chatham_house_acknowledged"' in text
    assert 'name="version" value="0"' in text
    assert reverse("forums:privacy") in text
    # No JavaScript and no inline styles: the strict CSP would block them.
    assert "<script" not in text
    assert "style=" not in text


def test_get_never_changes_the_invitation_only_records_one_opened_event(client, staff):
    invitation, token = sent_invitation(staff)
    before = snapshot(invitation)
    for _ in range(3):
        assert client.get(rsvp_url(token)).status_code == 200
    assert snapshot(invitation) == before
    assert invitation.events.filter(kind=InvitationEvent.Kind.OPENED).count() == 1


def test_token_pages_send_privacy_headers(client, staff):
    _invitation, token = sent_invitation(staff)
    for response in (client.get(rsvp_url(token)), client.get(rsvp_url("nope"))):
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Cache-Control"] == "no-store"
        assert "noindex" in response["X-Robots-Tag"]
        assert "Content-Security-Policy" in response


@pytest.mark.parametrize("token", FORGED_TOKENS)
def test_forged_tokens_get_the_same_polite_404(client, staff, token):
    invitation, _ = sent_invitation(staff)
    reference = client.get(rsvp_url("definitely-not-a-token"))
    response = client.get(rsvp_url(token))
    assert response.status_code == 404
    assert response.content == reference.content
    text = response.content.decode()
    assert "This link does not work" in text
    assert invitation.expert.family_name not in text
    assert invitation.edition.title not in text
    assert response["Referrer-Policy"] == "no-referrer"


def test_forged_token_post_is_a_404_and_changes_nothing(client, staff):
    invitation, _ = sent_invitation(staff)
    before = snapshot(invitation)
    response = client.post(rsvp_url(secrets.token_urlsafe(32)), accept_data(invitation))
    assert response.status_code == 404
    assert snapshot(invitation) == before


def test_withdrawn_invitation_is_gone_without_the_expert_name(client, staff):
    invitation, token = sent_invitation(staff)
    withdraw_invitation(invitation, withdrawn_by=staff)
    response = client.get(rsvp_url(token))
    assert response.status_code == 410
    text = response.content.decode()
    assert "withdrawn" in text
    assert invitation.expert.family_name not in text
    assert 'class="rsvp-form"' not in text
    post = client.post(rsvp_url(token), accept_data(invitation))
    assert post.status_code == 410
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.WITHDRAWN


def test_ended_edition_is_gone(client, staff):
    invitation, token = sent_invitation(staff)
    past = timezone.localdate() - dt.timedelta(days=10)
    Edition.objects.filter(pk=invitation.edition_id).update(
        start_date=past, end_date=past + dt.timedelta(days=1), rsvp_deadline=past
    )
    response = client.get(rsvp_url(token))
    assert response.status_code == 410
    assert "already taken place" in response.content.decode()


def test_expired_invitation_is_gone(client, staff):
    invitation, token = sent_invitation(staff)
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.EXPIRED)
    response = client.get(rsvp_url(token))
    assert response.status_code == 410
    assert "The time to answer this invitation has passed" in response.content.decode()


def test_tampered_form_without_version_asks_to_reload(client, staff):
    invitation, token = sent_invitation(staff)
    data = accept_data(invitation)
    del data["version"]
    response = client.post(rsvp_url(token), data)
    assert response.status_code == 200
    assert "Please reload the page and answer again." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT


def test_reissued_link_replaces_the_old_one(client, staff):
    invitation, old_token = sent_invitation(staff)
    new_token = reissue_token(invitation, issued_by=staff)
    old = client.get(rsvp_url(old_token))
    assert old.status_code == 404
    assert 'class="rsvp-form"' not in old.content.decode()
    assert client.get(rsvp_url(new_token)).status_code == 200


# --- answering -----------------------------------------------------------------------------


def test_accept_redirects_with_confirmation_message(client, staff):
    edition = EditionFactory()
    session = SessionFactory(edition=edition)
    invitation, token = sent_invitation(staff, edition=edition)
    data = accept_data(invitation, sessions=[session.pk], needs_hotel="on")
    response = client.post(rsvp_url(token), data)
    assert response.status_code == 302
    assert response["Location"] == rsvp_url(token)
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(response["Location"])
    assert "We have emailed you a confirmation with a calendar file" in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.version == 1
    assert invitation.needs_hotel is True
    assert invitation.dietary_needs == "Vegetarian"
    assert list(invitation.sessions_attending.all()) == [session]
    assert invitation.attendance == Invitation.Attendance.IN_PERSON
    # The page now shows the answer and offers to change it.
    assert "Your current answer" in page.content.decode()
    assert 'name="version" value="1"' in page.content.decode()


def test_post_works_when_the_browser_sends_origin_null(staff):
    # Referrer-Policy: no-referrer makes browsers send "Origin: null" on form posts.
    invitation, token = sent_invitation(staff)
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(rsvp_url(token), accept_data(invitation), HTTP_ORIGIN="null")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED


def test_double_submit_is_harmless(client, staff):
    invitation, token = sent_invitation(staff)
    data = accept_data(invitation)
    first = client.post(rsvp_url(token), data)
    second = client.post(rsvp_url(token), data)
    assert first.status_code == second.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.version == 1
    assert invitation.events.filter(kind=InvitationEvent.Kind.ANSWERED).count() == 1
    assert not invitation.events.filter(kind=InvitationEvent.Kind.CHANGED).exists()


def test_two_tabs_answering_at_once_keeps_what_the_second_tab_typed(client, staff):
    invitation, token = sent_invitation(staff)
    tab_a = accept_data(invitation)
    tab_b = {"answer": "declined", "version": invitation.version, "decline_reason": "Teaching"}
    assert client.post(rsvp_url(token), tab_a).status_code == 302
    response = client.post(rsvp_url(token), tab_b)
    assert response.status_code == 409
    text = response.content.decode()
    assert "Your answer was changed in another window" in text
    assert "Teaching" in text  # what tab B typed is still in the form
    assert re.search(r'value="declined"[^>]*checked', text)
    assert 'name="version" value="1"' in text  # resubmitting is now a deliberate choice
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    # Sending again from the refreshed form records the decline.
    tab_b["version"] = 1
    assert client.post(rsvp_url(token), tab_b).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    assert invitation.decline_reason == "Teaching"


def test_decline_needs_no_consent_and_keeps_no_travel_details(client, staff):
    invitation, token = sent_invitation(staff)
    data = {
        "answer": "declined",
        "version": 0,
        "decline_reason": "Another meeting",
        "needs_visa_letter": "on",
        "passport_name": "SMITH JANE",
    }
    assert client.post(rsvp_url(token), data).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    assert invitation.decline_reason == "Another meeting"
    assert invitation.passport_name == ""
    assert invitation.needs_visa_letter is False


def test_accept_requires_privacy_consent_and_chatham_house_acknowledgement(client, staff):
    invitation, token = sent_invitation(staff)
    data = accept_data(invitation, privacy_consent=None, chatham_house_acknowledged=None)
    response = client.post(rsvp_url(token), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "To accept, please agree to the privacy notice." in text
    assert "respect the Chatham House Rule" in text
    assert "Vegetarian" in text  # nothing typed is lost
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    assert invitation.version == 0


def test_no_chatham_house_checkbox_for_on_the_record_sessions(client, staff):
    edition = EditionFactory(default_attribution="on_the_record")
    invitation, token = sent_invitation(staff, edition=edition)
    text = client.get(rsvp_url(token)).content.decode()
    assert 'name="chatham_house_acknowledged"' not in text
    assert "Remarks may be quoted" in text
    data = accept_data(invitation, chatham_house_acknowledged=None)
    assert client.post(rsvp_url(token), data).status_code == 302


def test_visa_letter_requires_passport_name_and_nationality(client, staff):
    invitation, token = sent_invitation(staff)
    data = accept_data(invitation, needs_visa_letter="on")
    response = client.post(rsvp_url(token), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "give your name exactly as on your passport" in text
    assert "choose the nationality on your passport" in text
    data.update(passport_name="NGUYEN VAN A", passport_nationality="VN")
    assert client.post(rsvp_url(token), data).status_code == 302
    invitation.refresh_from_db()
    assert invitation.needs_visa_letter is True
    assert invitation.passport_name == "NGUYEN VAN A"
    assert invitation.passport_nationality.code == "VN"


def test_departure_before_arrival_is_refused_in_plain_words(client, staff):
    invitation, token = sent_invitation(staff)
    data = accept_data(invitation, arrival_date="2030-05-03", departure_date="2030-05-01")
    response = client.post(rsvp_url(token), data)
    assert response.status_code == 200
    assert "The departure date cannot be before the arrival date." in response.content.decode()


def test_hybrid_edition_asks_how_they_attend(client, staff):
    edition = EditionFactory(format=Edition.Format.HYBRID)
    invitation, token = sent_invitation(staff, edition=edition)
    assert 'name="attendance"' in client.get(rsvp_url(token)).content.decode()
    response = client.post(rsvp_url(token), accept_data(invitation))
    assert "attend in person or online" in response.content.decode()
    assert (
        client.post(rsvp_url(token), accept_data(invitation, attendance="online")).status_code
        == 302
    )
    invitation.refresh_from_db()
    assert invitation.attendance == Invitation.Attendance.ONLINE


def test_in_person_edition_has_no_attendance_or_companion_question(client, staff):
    _invitation, token = sent_invitation(staff)
    text = client.get(rsvp_url(token)).content.decode()
    assert 'name="attendance"' not in text
    assert 'name="accompanying_person"' not in text


def test_accompanying_person_only_when_the_edition_allows(client, staff):
    edition = EditionFactory(allows_accompanying_person=True)
    invitation, token = sent_invitation(staff, edition=edition)
    assert 'name="accompanying_person"' in client.get(rsvp_url(token)).content.decode()
    data = accept_data(invitation, accompanying_person="Mr. Tran")
    assert client.post(rsvp_url(token), data).status_code == 302
    invitation.refresh_from_db()
    assert invitation.accompanying_person == "Mr. Tran"


def test_tentative_answer(client, staff):
    invitation, token = sent_invitation(staff)
    data = {"answer": "tentative", "version": 0, "privacy_consent": "on"}
    response = client.post(rsvp_url(token), data, follow=True)
    assert "tentative answer" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.TENTATIVE


def test_full_edition_puts_the_expert_on_the_waiting_list(client, staff):
    edition = EditionFactory(capacity=1)
    first, first_token = sent_invitation(staff, edition=edition)
    second, second_token = sent_invitation(staff, edition=edition)
    client.post(rsvp_url(first_token), accept_data(first))
    response = client.post(rsvp_url(second_token), accept_data(second), follow=True)
    assert "waiting list" in response.content.decode()
    second.refresh_from_db()
    assert second.status == Invitation.Status.WAITLISTED


def test_deadline_passed_page_is_read_only_and_says_whom_to_contact(client, staff):
    edition = EditionFactory(contact_email="east-sea@academy.test")
    invitation, token = sent_invitation(staff, edition=edition)
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=0,
        privacy_consent=True,
        chatham_house_acknowledged=True,
        attendance="in_person",
    )
    Edition.objects.filter(pk=edition.pk).update(
        rsvp_deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    before = snapshot(invitation)
    response = client.get(rsvp_url(token))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'class="rsvp-form"' not in text
    assert "Accepted" in text
    assert "east-sea@academy.test" in text
    post = client.post(rsvp_url(token), {"answer": "declined", "version": 1})
    assert post.status_code == 302
    assert snapshot(invitation) == before
    page = client.get(post["Location"]).content.decode()
    assert "deadline" in page.lower()


# --- rate limits -----------------------------------------------------------------------------


def test_too_many_posts_for_one_link_get_a_429_page(client, staff):
    invitation, token = sent_invitation(staff)
    for _ in range(10):
        # Invalid answers still count: the limit protects the server, not the data.
        assert client.post(rsvp_url(token), {"version": 0}).status_code == 200
    response = client.post(rsvp_url(token), accept_data(invitation))
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert response["Referrer-Policy"] == "no-referrer"
    # What is left of the link's 60-second window (exact: tests/core/test_ratelimit.py).
    assert 0 < int(response["Retry-After"]) <= 60
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    # GET still works: reading the invitation is never blocked.
    assert client.get(rsvp_url(token)).status_code == 200


def test_the_limits_are_settings(client, staff, settings):
    settings.RSVP_RATE_LIMIT_PER_LINK = 3
    _invitation, token = sent_invitation(staff)
    statuses = [client.post(rsvp_url(token), {"version": 0}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    settings.RSVP_RATE_LIMIT_PER_LINK = 100
    settings.RSVP_RATE_LIMIT_PER_ADDRESS = 5
    cache.clear()
    statuses = [client.post(rsvp_url(token), {"version": 0}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_too_many_posts_from_one_address_get_a_429_page(client, staff):
    tokens = [sent_invitation(staff)[1] for _ in range(4)]
    statuses = [client.post(rsvp_url(tokens[i % 4]), {"version": 0}).status_code for i in range(30)]
    assert set(statuses) == {200}
    assert client.post(rsvp_url(tokens[0]), {"version": 0}).status_code == 429
    other_address = client.post(rsvp_url(tokens[1]), {"version": 0}, REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 200


def test_behind_a_proxy_the_limit_is_per_client_not_per_proxy(client, staff, settings):
    settings.USE_X_FORWARDED_FOR = True
    tokens = [sent_invitation(staff)[1] for _ in range(4)]
    for i in range(30):
        # A client cannot dodge the limit by sending its own X-Forwarded-For entries.
        forged = f"203.0.113.{i}, 198.51.100.7"
        client.post(rsvp_url(tokens[i % 4]), {"version": 0}, HTTP_X_FORWARDED_FOR=forged)
    blocked = client.post(rsvp_url(tokens[0]), {"version": 0}, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert blocked.status_code == 429
    # Another client behind the same proxy (same REMOTE_ADDR) is not affected.
    other = client.post(rsvp_url(tokens[1]), {"version": 0}, HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert other.status_code == 200


def test_ratelimit_helper_counts_per_key_and_window():
    limit = ratelimit.Limit(count=2, seconds=1)
    # The clock moves (the limiter's and the cache's expiry alike) instead of the test sleeping.
    with time_machine.travel(time.time(), tick=False) as clock:
        assert ratelimit.hit("t", "a", limit)
        assert ratelimit.hit("t", "a", limit)
        assert not ratelimit.hit("t", "a", limit)
        assert not ratelimit.hit("t", "a", limit)
        assert ratelimit.hit("t", "b", limit)  # another key has its own budget
        assert ratelimit.hit("u", "a", limit)  # and so has another scope
        clock.shift(1.1)
        assert ratelimit.hit("t", "a", limit)  # the window has passed: a fresh budget


# --- languages ---------------------------------------------------------------------------


def test_page_is_in_the_experts_preferred_language(client, staff):
    expert = ExpertFactory(preferred_language="vi")
    _invitation, token = sent_invitation(staff, expert=expert)
    response = client.get(rsvp_url(token))
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()
    assert response["Content-Language"] == "vi"


def test_language_choice_wins_over_the_preferred_language(client, staff):
    expert = ExpertFactory(preferred_language="vi")
    invitation, token = sent_invitation(staff, expert=expert)
    before = snapshot(invitation)
    switch = client.get(rsvp_url(token) + "?lang=en")
    assert switch.status_code == 302
    assert switch["Location"] == rsvp_url(token)
    assert switch["Referrer-Policy"] == "no-referrer"
    response = client.get(switch["Location"])
    assert '<html lang="en">' in response.content.decode()
    assert snapshot(invitation) == before
    # The switch on token pages is made of plain links (no form posting to /i18n/).
    assert 'href="?lang=vi"' in response.content.decode()


def test_gone_pages_render_in_vietnamese(client, staff):
    client.cookies["django_language"] = "vi"
    response = client.get(rsvp_url("nope"))
    assert response.status_code == 404
    assert '<html lang="vi">' in response.content.decode()


def test_privacy_notice_page(client):
    response = client.get(reverse("forums:privacy"))
    assert response.status_code == 200
    assert "visa support letter" in response.content.decode()


def test_ratelimit_helper_on_redis(require_redis, settings):
    # Production shares the counters between web processes through Redis.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
        }
    }
    cache.clear()
    limit = ratelimit.Limit(count=3, seconds=2)
    key = secrets.token_hex(8)
    # The limiter's clock moves past the window instead of the test sleeping; Redis still holds
    # the old window's keys then (their TTL runs on the server), which must not keep it shut.
    with time_machine.travel(time.time(), tick=False) as clock:
        assert [ratelimit.hit("redis-test", key, limit) for _ in range(5)] == [
            True,
            True,
            True,
            False,
            False,
        ]
        clock.shift(2.1)
        assert ratelimit.hit("redis-test", key, limit)
    cache.clear()


@pytest.mark.parametrize("sessions", [1, 25])
def test_rsvp_page_query_count_does_not_grow_with_sessions(
    client, staff, django_assert_num_queries, sessions
):
    edition = EditionFactory()
    created = [SessionFactory(edition=edition) for _ in range(sessions)]
    invitation, token = sent_invitation(staff, edition=edition, offered_session=created[0])
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=0,
        sessions=created,
        privacy_consent=True,
        chatham_house_acknowledged=True,
        attendance="in_person",
    )
    client.get(rsvp_url(token))  # the first opening also writes its "opened" event
    # The invitation, "opened within the hour?", the sessions attended, the edition's sessions,
    # and "has a role on the programme?" (whether to ask for the consent to be listed).
    with django_assert_num_queries(5):
        response = client.get(rsvp_url(token))
    assert response.status_code == 200
    assert response.content.decode().count('name="sessions"') == sessions
    ticked = re.findall(r'name="sessions"[^>]* checked', response.content.decode())
    assert len(ticked) == sessions  # all attended, all shown ticked


def test_vietnamese_nationality_list_has_the_academys_names_in_vietnamese_order(client, staff):
    expert = ExpertFactory(preferred_language="vi")
    _invitation, token = sent_invitation(staff, expert=expert)
    page = client.get(rsvp_url(token)).content.decode()
    select = page.split('name="passport_nationality"')[1].split("</select>")[0]
    options = re.findall(r'<option value="(\w*)"[^>]*>([^<]*)</option>', select)
    labels = [label for code, label in options if code]
    assert len(labels) == len(set(labels))
    assert ("IS", "Ai-xơ-len") in options and ("IE", "Ai-len") in options
    assert ("JE", "Jersey") in options and ("NE", "Niger") in options
    assert labels.index("Dominica") < labels.index("Đức") < labels.index("Ecuador")
