"""Delegation requests: staff send one, the institution's contact names delegates by link, each
delegate is invited in the usual flow, replaced until the deadline; the MOU lists them."""

import datetime as dt
import re
import threading

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.services import send_outbox_message
from experts.models import Expert
from forums.models import Invitation, InvitationEvent
from partners.delegations import (
    DELEGATION_KIND,
    DelegationError,
    Nominee,
    nominate_delegates,
    send_delegation_request,
)
from partners.models import DelegationRequest, Nomination
from tests.factories import (
    EditionFactory,
    ExpertFactory,
    InstitutionFactory,
    MOUFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:partners_delegationrequest_add")
LIST_URL = reverse("admin:partners_delegationrequest_changelist")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # the page's rate limits count per client address, as in the RSVP tests
    yield
    cache.clear()


@pytest.fixture
def coordinator():
    return UserFactory(groups=["Forum coordinators"])


def make_request(*, staff=None, max_delegates=3, deadline=None, **kwargs):
    staff = staff or UserFactory(groups=["Forum coordinators"])
    institution = kwargs.pop("institution", None) or InstitutionFactory()
    return DelegationRequest.objects.create(
        edition=kwargs.pop("edition", None) or EditionFactory(),
        institution=institution,
        contact_name="Lee Wei Ming",
        contact_email="contact@ims.example.org",
        language=kwargs.pop("language", "en"),
        max_delegates=max_delegates,
        deadline=deadline or timezone.localdate() + dt.timedelta(days=14),
        created_by=staff,
        **kwargs,
    )


def sent_request(**kwargs):
    delegation = make_request(**kwargs)
    token = send_delegation_request(request=delegation, sent_by=delegation.created_by)
    delegation.refresh_from_db()
    return delegation, reverse("delegation", args=[token])


def rows(*people, total=None):
    """POST data of the nomination form: one block per (name, email[, language])."""
    total = total if total is not None else max(len(people), 1)
    data = {
        "action": "nominate",
        "delegate-TOTAL_FORMS": str(total),
        "delegate-INITIAL_FORMS": "0",
        "delegate-MIN_NUM_FORMS": "0",
        "delegate-MAX_NUM_FORMS": "1000",
    }
    # As a browser posts them: the rows left empty still send their language's selected option.
    people = [*people, *[("", "")] * (total - len(people))]
    for index, person in enumerate(people):
        name, email, *rest = person
        data.update(
            {
                f"delegate-{index}-name": name,
                f"delegate-{index}-title": "Dr." if name else "",
                f"delegate-{index}-email": email,
                f"delegate-{index}-language": rest[0] if rest else "en",
            }
        )
    return data


def replace_data(nomination, name, email, reason="Moved to another post"):
    prefix = f"replace-{nomination.pk}"
    return {
        "action": "replace",
        "nomination": str(nomination.pk),
        f"{prefix}-name": name,
        f"{prefix}-title": "",
        f"{prefix}-email": email,
        f"{prefix}-language": "vi",
        f"{prefix}-reason": reason,
    }


# --- staff ---------------------------------------------------------------------------------


def add_post(edition, institution, **overrides):
    data = {
        "edition": edition.pk,
        "institution": institution.pk,
        "mou": "",
        "contact_name": "Lee Wei Ming",
        "contact_email": "contact@ims.example.org",
        "language": "en",
        "max_delegates": "3",
        "deadline": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        "message": "",
        "nominations-TOTAL_FORMS": "0",
        "nominations-INITIAL_FORMS": "0",
        "nominations-MIN_NUM_FORMS": "0",
        "nominations-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "may_send"),
    [
        ("Portal administrators", True),
        ("Forum coordinators", True),
        ("Partnerships officers", True),
        ("Viewers", False),
        ("Registration desk", False),
    ],
)
def test_who_may_create_and_send_a_delegation_request(client, role, may_send):
    client.force_login(UserFactory(groups=[role]))
    edition, mou = EditionFactory(), MOUFactory()
    response = client.post(ADD_URL, add_post(edition, mou.institution, mou=mou.pk))
    if not may_send:
        assert response.status_code == 403
        assert not DelegationRequest.objects.exists()
        return
    assert response.status_code == 302, response.content.decode()[:3000]
    delegation = DelegationRequest.objects.get()
    assert delegation.mou == mou and delegation.status == DelegationRequest.Status.DRAFT
    response = client.post(
        LIST_URL, {"action": "send_requests", ACTION_CHECKBOX_NAME: [delegation.pk]}
    )
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.status == DelegationRequest.Status.SENT
    assert OutboxMessage.objects.filter(kind=DELEGATION_KIND).count() == 1


def test_an_mou_of_another_institution_is_refused_in_words(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        ADD_URL, add_post(EditionFactory(), InstitutionFactory(), mou=MOUFactory().pk)
    )
    assert response.status_code == 200
    assert "This MOU is with another institution." in response.content.decode()
    assert not DelegationRequest.objects.exists()


def test_the_outbox_holds_no_working_link_and_the_sent_email_does(client):
    delegation, url = sent_request()
    message = OutboxMessage.objects.get(kind=DELEGATION_KIND)
    token = url.rstrip("/").rsplit("/", 1)[1]
    for text in (message.subject, message.text_body, message.html_body):
        assert token not in text
        assert "/delegation/" not in text
    assert "[[outbox:link:delegation_link]]" in message.text_body
    assert token not in delegation.token_hash and token != delegation.token_seed
    send_outbox_message(message_id=message.pk)
    [email] = mail.outbox
    assert email.to == ["Lee Wei Ming <contact@ims.example.org>"]
    assert url in email.body
    assert client.get(url).status_code == 200


def test_sending_again_gives_a_new_link_and_the_old_one_stops_working(client):
    delegation, old_url = sent_request()
    new_token = send_delegation_request(request=delegation, sent_by=delegation.created_by)
    assert client.get(old_url).status_code == 404
    assert client.get(reverse("delegation", args=[new_token])).status_code == 200


# --- the contact -----------------------------------------------------------------------------


def test_the_whole_flow_nominate_then_each_delegate_is_invited(client):
    delegation, url = sent_request(max_delegates=3)
    known = ExpertFactory(email="an.known@uni.example.org", affiliation=None)
    response = client.post(
        url,
        rows(
            ("Nguyễn Thị Lan", "lan@ims.example.org", "vi"),
            ("A. Known", "AN.known@uni.example.org"),
        ),
        follow=True,
    )
    page = response.content.decode()
    assert "Each delegate you named will receive a personal invitation" in page
    assert "Nguyễn Thị Lan" in page
    new = Expert.objects.get(email="lan@ims.example.org")
    assert new.affiliation == delegation.institution
    assert new.preferred_language == "vi" and new.honorific == "Dr."
    known.refresh_from_db()
    assert known.affiliation == delegation.institution  # matched by email, not duplicated
    assert Expert.objects.filter(email__iexact="an.known@uni.example.org").count() == 1
    invitations = Invitation.objects.filter(edition=delegation.edition)
    assert {i.status for i in invitations} == {Invitation.Status.SENT}
    assert invitations.count() == 2
    assert OutboxMessage.objects.filter(kind="invitation").count() == 2
    note = InvitationEvent.objects.get(invitation__expert=new, kind=InvitationEvent.Kind.NOTE)
    assert note.details["nominated_by"] == f"Lee Wei Ming ({delegation.institution})"
    assert Nomination.objects.active().count() == 2
    # The admin's delegation page shows who was named.
    staff = UserFactory(groups=["Viewers"])
    client.force_login(staff)
    change = client.get(reverse("admin:partners_delegationrequest_change", args=[delegation.pk]))
    assert "lan@ims.example.org" in change.content.decode()


def test_more_than_the_limit_is_refused_and_nothing_is_lost(client):
    _delegation, url = sent_request(max_delegates=2)
    client.post(url, rows(("First Delegate", "first@ims.example.org")))
    data = rows(("Second", "second@ims.example.org"), ("Third", "third@ims.example.org"), total=2)
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "places left: 1. Please name no more than 1 (you sent 2)" in page
    assert 'value="third@ims.example.org"' in page  # what was typed is still there
    assert Nomination.objects.count() == 1
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    ("people", "message"),
    [
        (
            [("One", "same@ims.example.org"), ("Two", "SAME@ims.example.org")],
            "SAME@ims.example.org is given twice",
        ),
        ([("One", "not-an-address")], "Enter a valid email address."),
        ([("", "")], "Please name at least one delegate."),
    ],
)
def test_bad_rows_are_refused_with_a_message(client, people, message):
    _delegation, url = sent_request(max_delegates=3)
    response = client.post(url, rows(*people, total=3))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Nomination.objects.exists() and not Invitation.objects.exists()


def test_a_delegate_already_named_is_refused_and_a_double_submit_changes_nothing(client):
    _delegation, url = sent_request(max_delegates=3)
    data = rows(("First", "first@ims.example.org"), total=3)
    client.post(url, data)
    response = client.post(url, data, follow=True)  # the same form sent again
    assert "already named; nothing was changed" in response.content.decode()
    response = client.post(
        url, rows(("New", "new@ims.example.org"), ("First again", "FIRST@ims.example.org"))
    )
    assert response.status_code == 400
    assert "first@ims.example.org is already named as a delegate (First)" in (
        response.content.decode()
    )
    assert Nomination.objects.count() == 1 and Invitation.objects.count() == 1


def test_a_forged_link_and_a_cancelled_request(client):
    delegation, url = sent_request()
    assert client.get("/delegation/not-a-real-token/").status_code == 404
    assert client.post("/delegation/not-a-real-token/", rows(("X", "x@e.org"))).status_code == 404
    DelegationRequest.objects.filter(pk=delegation.pk).update(
        status=DelegationRequest.Status.CANCELLED
    )
    assert client.get(url).status_code == 410


def test_replacing_withdraws_the_old_invitation_with_the_reason_and_invites_the_new(client):
    _delegation, url = sent_request(max_delegates=1)
    client.post(url, rows(("Old Delegate", "old@ims.example.org")))
    old = Nomination.objects.get()
    response = client.post(
        url, replace_data(old, "Trần Văn Minh", "minh@ims.example.org"), follow=True
    )
    assert "Trần Văn Minh is now a delegate" in response.content.decode()
    old.refresh_from_db()
    assert old.withdrawn_at is not None and old.replaced_by.email == "minh@ims.example.org"
    assert old.invitation.status == Invitation.Status.WITHDRAWN
    withdrawn = old.invitation.events.get(kind=InvitationEvent.Kind.WITHDRAWN)
    assert "by Trần Văn Minh. Moved to another post" in withdrawn.details["reason"]
    assert OutboxMessage.objects.filter(kind="withdrawn").count() == 1
    new = old.replaced_by
    assert new.invitation.status == Invitation.Status.SENT
    assert new.invitation.expert.preferred_language == "vi"
    assert new.invitation.events.get(kind="note").details["replaces"] == "Old Delegate"
    page = client.get(url).content.decode()
    assert "Old Delegate, replaced by Trần Văn Minh" in page
    # Replacing someone already replaced (a second tab) is refused in words.
    response = client.post(url, replace_data(old, "Third", "third@ims.example.org"))
    assert "already been replaced" in response.content.decode()
    assert Nomination.objects.count() == 2


def test_replacing_with_an_invalid_address_keeps_what_was_typed(client):
    _delegation, url = sent_request(max_delegates=1)
    client.post(url, rows(("Old Delegate", "old@ims.example.org")))
    old = Nomination.objects.get()
    response = client.post(url, replace_data(old, "New Person", "bad address"))
    page = response.content.decode()
    assert "Enter a valid email address." in page and 'value="New Person"' in page
    assert Nomination.objects.active().get() == old


def test_after_the_deadline_the_page_is_read_only(client):
    delegation, url = sent_request(max_delegates=2)
    client.post(url, rows(("First", "first@ims.example.org")))
    DelegationRequest.objects.filter(pk=delegation.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    page = client.get(url).content.decode()
    assert "Delegates can no longer be named or replaced here" in page
    assert 'name="delegate-0-email"' not in page and "Replace First" not in page
    response = client.post(url, rows(("Late", "late@ims.example.org")), follow=True)
    assert "has passed" in response.content.decode()
    first = Nomination.objects.get()
    client.post(url, replace_data(first, "Late", "late@ims.example.org"))
    assert Nomination.objects.count() == 1 and Invitation.objects.count() == 1


def test_the_page_is_rate_limited(client, settings):
    settings.RSVP_RATE_LIMIT_PER_LINK = 2
    _delegation, url = sent_request()
    statuses = [client.post(url, rows(("", ""))).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_the_page_speaks_the_requests_language_and_the_language_links(client):
    _delegation, url = sent_request(language="vi")
    page = client.get(url)
    assert page["Referrer-Policy"] == "no-referrer" and page["Cache-Control"] == "no-store"
    assert '<html lang="vi">' in page.content.decode()
    client.get(url + "?lang=en")
    assert '<html lang="en">' in client.get(url).content.decode()


@pytest.mark.parametrize("delegates", [1, 8])
def test_the_nomination_page_query_count_does_not_grow(
    client, django_assert_max_num_queries, delegates
):
    _delegation, url = sent_request(max_delegates=10)
    people = [(f"Delegate {n}", f"d{n}@ims.example.org") for n in range(delegates)]
    client.post(url, rows(*people))
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count('class="delegate"') == delegates


# --- the MOU ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 6])
def test_the_mou_lists_the_delegations_sent_under_it(client, django_assert_max_num_queries, count):
    mou = MOUFactory()
    for _ in range(count):
        make_request(institution=mou.institution, mou=mou)
    client.force_login(UserFactory(groups=["Viewers"]))
    url = reverse("admin:partners_mou_change", args=[mou.pk])
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    table = re.search(r'<table class="delegations">.*?</table>', page, re.S).group(0)
    assert table.count("<tr>") == count + 1
    assert "0 / 3" in table


@pytest.mark.parametrize("count", [1, 6])
def test_the_delegation_changelist_query_count(client, django_assert_max_num_queries, count):
    for _ in range(count):
        make_request()
    client.force_login(UserFactory(groups=["Forum coordinators"]))
    with django_assert_max_num_queries(10):
        response = client.get(LIST_URL)
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_tabs_naming_the_last_place_at_once_never_exceed_the_limit(require_postgres):
    """Two threads, two PostgreSQL connections, each naming a different delegate for the one
    place left at the same moment: the request row's lock lets one in, the other is told."""
    delegation, _url = sent_request(max_delegates=1)
    barrier = threading.Barrier(2)
    outcomes = []

    def name(email):
        try:
            barrier.wait(timeout=10)
            nominate_delegates(request=delegation, nominees=[Nominee(name=email, email=email)])
            outcomes.append("named")
        except DelegationError as error:
            outcomes.append(str(error.message))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=name, args=(f"{who}@ims.example.org",)) for who in ("a", "b")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes)[1] == "named" and "places left: 0" in sorted(outcomes)[0]
    assert Nomination.objects.active().count() == 1
    assert Invitation.objects.count() == 1
