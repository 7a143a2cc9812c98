"""An expert's rights, through HTTP: download their data (theirs only, without a working link),
ask for erasure; staff complete it in the admin (coordinators only), keeping the forums'
figures; the consent keeps the version of the notice agreed to."""

import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.cache import cache
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from academy_portal.core.models import AccessLog
from academy_portal.mail.models import OutboxMessage
from experts.services import ensure_expert_user
from forums.models import ErasureRequest, Invitation, InvitationEvent
from forums.services import current_raw_token, send_invitation, submit_rsvp
from tests.factories import EditionFactory, ExpertFactory, UserFactory
from tests.forums.invitation_factories import InvitationFactory
from tests.mail.sent import sent_text

pytestmark = pytest.mark.django_db

ME_URL = reverse("experts:me")
DATA_URL = reverse("forums:my_data")
ERASURE_URL = reverse("forums:my_erasure")
REQUESTS_URL = reverse("admin:forums_erasurerequest_changelist")
PASSPORT = "JANE QUINCY PASSPORT-DOE"
OTHER_PASSPORT = "OTTO OTHER-PASSPORT"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # RSVP rate-limit counters
    yield
    cache.clear()


@pytest.fixture
def staff():
    return UserFactory()


def signed_in(client, expert):
    user = ensure_expert_user(email=expert.email)
    EmailAddress.objects.filter(user=user).update(verified=True)
    client.force_login(user)
    return user


def sent(staff, expert, **edition_kwargs):
    invitation = InvitationFactory(expert=expert, edition=EditionFactory(**edition_kwargs))
    send_invitation(invitation, sent_by=staff)
    invitation.refresh_from_db()
    return invitation


def accept_over_http(client, invitation, *, passport=PASSPORT, consent=True):
    """The expert accepts on their signed-in invitation page, with passport and diet."""
    data = {
        "answer": "accepted",
        "version": invitation.version,
        "chatham_house_acknowledged": "on",
        "dietary_needs": "Halal",
        "needs_visa_letter": "on",
        "passport_name": passport,
        "passport_nationality": "GB",
        "attendance": "in_person",
    }
    if consent:
        data["privacy_consent"] = "on"
    response = client.post(reverse("forums:my_invitation", args=[invitation.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    invitation.refresh_from_db()
    return invitation


@pytest.fixture
def two_experts(staff):
    """Jane (signed in on `client`) and Otto, each with an accepted invitation and emails."""
    jane = ExpertFactory(given_name="Jane", family_name="Doe", email="jane.doe@experts.test")
    otto = ExpertFactory(given_name="Otto", family_name="Other", email="otto@elsewhere.test")
    jane_inv = sent(staff, jane, title="Ocean Dialogue 12")
    otto_inv = sent(staff, otto, title="Mekong Forum 4")
    otto_client = Client()
    signed_in(otto_client, otto)
    accept_over_http(otto_client, otto_inv, passport=OTHER_PASSPORT)
    return jane, otto, jane_inv, otto_inv


# --- download ---------------------------------------------------------------------------


def test_download_holds_the_experts_own_data_and_nobody_elses(client, two_experts, settings):
    settings.PRIVACY_NOTICE_VERSION = "2026-11-test"
    jane, _otto, jane_inv, _otto_inv = two_experts
    user = signed_in(client, jane)
    accept_over_http(client, jane_inv)

    response = client.get(DATA_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    data = json.loads(text)
    assert data["profile"]["email"] == "jane.doe@experts.test"
    assert data["profile"]["given_name"] == "Jane"
    [invitation] = data["invitations"]
    assert invitation["edition"] == "Ocean Dialogue 12"
    assert invitation["status"] == "accepted"
    assert invitation["answer"]["passport_name"] == PASSPORT
    assert invitation["answer"]["dietary_needs"] == "Halal"
    assert invitation["consent"]["privacy_notice_version"] == "2026-11-test"
    assert {e["what"] for e in invitation["history"]} >= {"sent", "answered"}
    assert data["consents"]["privacy_notice"][0]["version"] == "2026-11-test"
    kinds = {m["kind"] for m in data["emails_sent_to_you"]}
    assert {"invitation", "confirmation"} <= kinds
    assert all(m["subject"] for m in data["emails_sent_to_you"])
    assert data["sign_in_accounts"][0]["email"] == "jane.doe@experts.test"
    # Nothing of Otto's.
    for foreign in (OTHER_PASSPORT, "otto@elsewhere.test", "Otto", "Mekong Forum 4"):
        assert foreign not in text
    # The download is logged like any export of personal data.
    log = AccessLog.objects.get(user=user)
    assert log.action == AccessLog.Action.EXPORT and log.object_ids == [jane.pk]


def test_download_holds_no_working_rsvp_link(client, two_experts):
    jane, _otto, jane_inv, _ = two_experts
    signed_in(client, jane)
    token = current_raw_token(jane_inv)
    assert token  # the link in Jane's invitation email still works...
    message = OutboxMessage.objects.get(to_email=jane.email, kind="invitation")
    assert token in sent_text(message)

    text = client.get(DATA_URL).content.decode()

    # ...and is nowhere in her download, nor any other personal link or its hash.
    assert token not in text
    assert "/rsvp/" not in text
    assert jane_inv.token_hash not in text
    assert not re.search(r"[A-Za-z0-9_-]{43}", text)


def test_nobody_gets_another_experts_data(client, two_experts, staff):
    jane, otto, _, otto_inv = two_experts
    signed_in(client, jane)
    # The pages take no id: naming Otto's expert or invitation id changes nothing.
    for query in ({"expert": otto.pk}, {"id": otto.pk}, {"invitation": otto_inv.pk}):
        text = client.get(DATA_URL, query).content.decode()
        assert "otto@elsewhere.test" not in text and OTHER_PASSPORT not in text
    assert client.get(f"/me/data.json/{otto.pk}").status_code == 404
    assert client.get(f"/me/{otto.pk}/data.json").status_code == 404
    # Otto's invitation page is not Jane's.
    assert client.get(reverse("forums:my_invitation", args=[otto_inv.pk])).status_code == 404
    # Signed out: to the sign-in page. A staff account that is no expert: 403.
    anonymous = Client()
    assert anonymous.get(DATA_URL).status_code == 302
    assert anonymous.get(ERASURE_URL).status_code == 302
    staff_client = Client()
    staff_client.force_login(staff)
    assert staff_client.get(DATA_URL).status_code == 403
    assert staff_client.post(ERASURE_URL).status_code == 403
    assert not ErasureRequest.objects.exists()


# --- erasure request ----------------------------------------------------------------------


def test_me_page_offers_download_and_erasure(client):
    expert = ExpertFactory()
    signed_in(client, expert)
    text = client.get(ME_URL).content.decode()
    assert DATA_URL in text
    assert ERASURE_URL in text


def test_expert_asks_for_erasure_after_a_confirmation_and_sees_it_pending(client):
    expert = ExpertFactory()
    signed_in(client, expert)

    page = client.get(ERASURE_URL)
    assert page.status_code == 200
    assert "Yes, erase my data" in page.content.decode()
    assert not ErasureRequest.objects.exists()  # showing the page asks nothing

    response = client.post(ERASURE_URL)
    assert response.status_code == 302 and response["Location"] == ME_URL
    again = client.post(ERASURE_URL)  # a second click or tab
    assert again.status_code == 302

    request = ErasureRequest.objects.get()
    assert request.expert == expert and request.status == ErasureRequest.Status.PENDING
    me = client.get(ME_URL).content.decode()
    assert "The request is pending" in me
    assert ERASURE_URL not in me  # no second request offered
    assert "The request is pending" in client.get(ERASURE_URL).content.decode()
    # Staff see it in the admin.
    viewer = UserFactory(groups=["Viewers"])
    staff_client = Client()
    staff_client.force_login(viewer)
    listing = staff_client.get(REQUESTS_URL)
    assert listing.status_code == 200
    assert expert.full_name in listing.content.decode()


def test_erasure_request_needs_a_post_with_csrf(client):
    expert = ExpertFactory()
    user = ensure_expert_user(email=expert.email)
    EmailAddress.objects.filter(user=user).update(verified=True)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(ERASURE_URL).status_code == 403
    assert not ErasureRequest.objects.exists()


# --- completing it in the admin --------------------------------------------------------------


def counts_per_edition():
    return list(
        Invitation.objects.values("edition_id", "status")
        .annotate(n=Count("pk"))
        .order_by("edition_id", "status")
    )


def act(client, erasure_request, **extra):
    return client.post(
        REQUESTS_URL,
        {"action": "anonymise_selected", ACTION_CHECKBOX_NAME: [erasure_request.pk], **extra},
    )


@pytest.fixture
def jane_asked(client, two_experts, staff):
    """Jane accepted one forum, declined another, and asked for erasure on /me/."""
    jane, _otto, jane_inv, _otto_inv = two_experts
    jane_user = signed_in(client, jane)
    accept_over_http(client, jane_inv)
    declined = sent(staff, jane, title="Sinology Symposium 3")
    submit_rsvp(
        declined, answer="declined", expected_version=declined.version, decline_reason="Ill"
    )
    assert client.post(ERASURE_URL).status_code == 302
    return jane, jane_user, ErasureRequest.objects.get(expert=jane), (jane_inv, declined)


def test_coordinator_anonymises_the_expert_keeping_the_figures(client, jane_asked, two_experts):
    jane, jane_user, erasure_request, (accepted, declined) = jane_asked
    _jane, _otto, _, otto_inv = two_experts
    old_token = current_raw_token(accepted)
    figures = counts_per_edition()
    coordinator = UserFactory(groups=["Forum coordinators"])
    staff_client = Client()
    staff_client.force_login(coordinator)

    confirm = act(staff_client, erasure_request)  # first the confirmation page
    assert confirm.status_code == 200
    assert "Erase and anonymise" in confirm.content.decode()
    jane.refresh_from_db()
    assert jane.given_name == "Jane"  # nothing done yet
    assert "jane" in jane.search_text and jane.profile_search_text  # folded copies exist

    done = act(staff_client, erasure_request, _confirm="1")

    assert done.status_code == 302
    jane.refresh_from_db()
    assert jane.full_name == f"Erased expert #{jane.pk}"
    assert "erased.invalid" in jane.email and "jane" not in jane.email
    assert (jane.phone, jane.bio, jane.affiliation_text, jane.position) == ("", "", "", "")
    # Nor do the folded search columns keep the name, email, position or affiliation.
    assert "jane" not in jane.search_text and jane.profile_search_text == ""
    # The forums' figures hold: same invitations, editions and statuses.
    assert counts_per_edition() == figures
    for invitation in (accepted, declined):
        invitation.refresh_from_db()
        assert invitation.expert_id == jane.pk
        assert invitation.passport_name == "" and invitation.dietary_needs == ""
        assert invitation.decline_reason == ""
        assert invitation.token_hash is None
        event = invitation.events.get(kind=InvitationEvent.Kind.DATA_ERASED)
        assert event.actor == coordinator
        assert f"erasure request #{erasure_request.pk}" in event.details["reason"]
    assert accepted.status == Invitation.Status.ACCEPTED
    assert declined.status == Invitation.Status.DECLINED
    # The old link, the account and the sign-in are gone.
    assert Client().get(reverse("forums:rsvp", args=[old_token])).status_code == 404
    jane_user.refresh_from_db()
    assert not jane_user.is_active and jane_user.email == ""
    assert "jane" not in jane_user.username.lower()
    assert not EmailAddress.objects.filter(user=jane_user).exists()
    assert client.get(ME_URL).status_code == 302  # signed out
    # Emails to her keep subject and kind, lose address and texts.
    assert not OutboxMessage.objects.filter(to_email__iexact="jane.doe@experts.test").exists()
    to_her = OutboxMessage.objects.filter(to_email=jane.email)
    assert to_her.count() >= 3
    assert all(m.text_body == "" and m.html_body == "" and m.subject for m in to_her)
    # Who did it, and when; Otto untouched.
    erasure_request.refresh_from_db()
    assert erasure_request.status == ErasureRequest.Status.COMPLETED
    assert erasure_request.completed_by == coordinator and erasure_request.completed_at
    otto_inv.refresh_from_db()
    assert otto_inv.passport_name == OTHER_PASSPORT
    assert OutboxMessage.objects.filter(to_email="otto@elsewhere.test").exclude(text_body="")
    # Nothing of hers in the history events.
    events = json.dumps(list(InvitationEvent.objects.values_list("details", flat=True)))
    assert PASSPORT not in events and "Jane" not in events

    # Running the action again changes nothing.
    act(staff_client, erasure_request, _confirm="1")
    assert InvitationEvent.objects.filter(kind=InvitationEvent.Kind.DATA_ERASED).count() == 2


def test_viewer_cannot_anonymise(jane_asked):
    jane, _user, erasure_request, _ = jane_asked
    viewer = UserFactory(groups=["Viewers"])
    staff_client = Client()
    staff_client.force_login(viewer)

    response = act(staff_client, erasure_request, _confirm="1")

    assert response.status_code in (200, 302, 403)
    jane.refresh_from_db()
    assert jane.given_name == "Jane" and jane.email == "jane.doe@experts.test"
    erasure_request.refresh_from_db()
    assert erasure_request.status == ErasureRequest.Status.PENDING
    changelist = staff_client.get(REQUESTS_URL).content.decode()
    assert "anonymise_selected" not in changelist


# --- consent version --------------------------------------------------------------------------


def test_consent_keeps_the_notice_version_and_admin_shows_it(client, staff, settings):
    settings.PRIVACY_NOTICE_VERSION = "v-2026-test"
    expert = ExpertFactory()
    signed_in(client, expert)
    invitation = accept_over_http(client, sent(staff, expert))

    assert invitation.privacy_consent is True
    assert invitation.privacy_notice_version == "v-2026-test"
    assert invitation.privacy_consented_at is not None
    coordinator = UserFactory(groups=["Forum coordinators"])
    staff_client = Client()
    staff_client.force_login(coordinator)
    page = staff_client.get(reverse("admin:forums_invitation_change", args=[invitation.pk]))
    assert "v-2026-test" in page.content.decode()

    # A later notice: the consent given stays tied to the version then agreed to, until the
    # expert answers again; a decline without consent keeps no version.
    settings.PRIVACY_NOTICE_VERSION = "v-2027-test"
    response = client.post(
        reverse("forums:my_invitation", args=[invitation.pk]),
        {"answer": "declined", "version": invitation.version},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.privacy_consent is False
    assert invitation.privacy_notice_version == ""


def test_privacy_notice_states_retention_and_rights(client, settings):
    settings.RETENTION_PASSPORT_DAYS = 45
    settings.RETENTION_NOT_ATTENDING_MONTHS = 9
    settings.PRIVACY_NOTICE_VERSION = "v-notice-9"
    text = client.get(reverse("forums:privacy")).content.decode()
    assert "45 days after the forum ends" in text
    assert "9 months later" in text
    assert "download everything the portal" in text
    assert "erased" in text
    assert "v-notice-9" in text
