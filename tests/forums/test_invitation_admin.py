import datetime as dt
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from academy_portal.mail.models import OutboxMessage
from forums.models import EmailTemplate, Invitation, InvitationEvent
from forums.services import find_invitation_by_token, invite_expert, submit_rsvp
from tests.factories import EditionFactory, ExpertFactory, SessionFactory, UserFactory
from tests.forums.invitation_factories import sent_invitation
from tests.mail.sent import sent_text

pytestmark = pytest.mark.django_db

EXPERTS_URL = reverse("admin:experts_expert_changelist")
INVITATIONS_URL = reverse("admin:forums_invitation_changelist")


@pytest.fixture
def coordinator():
    return UserFactory(groups=["Forum coordinators"])


@pytest.fixture
def viewer():
    return UserFactory(groups=["Viewers"])


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def invite_post(client, experts, **data):
    payload = {"action": "invite_to_edition", ACTION_CHECKBOX_NAME: [e.pk for e in experts]}
    payload.update(data)
    return client.post(EXPERTS_URL, payload)


def make_sent(edition, staff, **expert_kwargs):
    return sent_invitation(staff, edition=edition, expert=ExpertFactory(**expert_kwargs))[0]


# --- inviting from the expert list ---------------------------------------------------------


def test_invite_action_previews_in_each_language_then_invites_and_sends(coordinator_client):
    edition = EditionFactory(title="The 16th Ocean Dialogue")
    session = SessionFactory(edition=edition, title="Panel 1: Blue economy")
    english = ExpertFactory(preferred_language="en", given_name="Jane", family_name="Smith")
    vietnamese = ExpertFactory(
        preferred_language="vi",
        given_name="Hùng Sơn",
        family_name="Nguyễn",
        name_order="family_first",
    )
    experts = [english, vietnamese]

    response = invite_post(coordinator_client, experts)
    assert response.status_code == 200
    assert "Invite experts to an edition" in response.content.decode()
    assert not Invitation.objects.exists()

    form = {
        "edition": edition.pk,
        "offered_session": session.pk,
        "offered_role": "speaker",
        "personal_message": "We would value your view.",
    }
    response = invite_post(coordinator_client, experts, _preview="1", **form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Invitation: The 16th Ocean Dialogue" in page
    assert "Thư mời: The 16th Ocean Dialogue" in page
    assert "We would value your view." in page
    assert not Invitation.objects.exists() and not OutboxMessage.objects.exists()

    response = invite_post(coordinator_client, experts, _confirm="1", **form)
    assert response.status_code == 302
    assert response["Location"] == f"{INVITATIONS_URL}?edition__id__exact={edition.pk}"
    invitations = Invitation.objects.filter(edition=edition)
    assert invitations.count() == 2
    assert set(invitations.values_list("status", flat=True)) == {"sent"}
    assert set(invitations.values_list("offered_role", flat=True)) == {"speaker"}
    assert OutboxMessage.objects.filter(kind="invitation").count() == 2
    assert OutboxMessage.objects.get(to_email=vietnamese.email).subject.startswith("Thư mời")

    # A double click on "Invite and send" sends nothing more and says so.
    response = invite_post(coordinator_client, experts, _confirm="1", **form)
    assert OutboxMessage.objects.filter(kind="invitation").count() == 2
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Already invited" in m for m in messages)


def test_invite_form_errors_are_shown_and_nothing_is_created(coordinator_client):
    edition = EditionFactory()
    other_session = SessionFactory()
    response = invite_post(
        coordinator_client,
        [ExpertFactory()],
        _confirm="1",
        edition=edition.pk,
        offered_session=other_session.pk,
    )
    assert response.status_code == 200
    assert "Choose a session of the selected edition" in response.content.decode()
    response = invite_post(coordinator_client, [ExpertFactory()], _preview="1", edition="")
    assert "This field is required" in response.content.decode()
    assert not Invitation.objects.exists()


def test_only_open_editions_are_offered(coordinator_client):
    open_edition = EditionFactory(title="Open one")
    EditionFactory(title="Planning one", status="planning")
    page = invite_post(coordinator_client, [ExpertFactory()]).content.decode()
    assert "Open one" in page and "Planning one" not in page
    assert open_edition.pk


def test_edition_page_links_to_invite_and_to_its_invitations(coordinator_client):
    edition = EditionFactory()
    invited = ExpertFactory(given_name="Already", family_name="Invited")
    ExpertFactory(given_name="Not", family_name="Yet")
    invite_expert(edition, expert=invited, invited_by=None)
    page = coordinator_client.get(
        reverse("admin:forums_edition_change", args=[edition.pk])
    ).content.decode()
    assert f"{EXPERTS_URL}?not_invited_to={edition.pk}" in page
    assert f"{INVITATIONS_URL}?edition__id__exact={edition.pk}" in page
    listing = coordinator_client.get(EXPERTS_URL, {"not_invited_to": edition.pk}).content.decode()
    assert "Not Yet" in listing and "Already Invited" not in listing


def test_viewers_cannot_invite_or_act(client, viewer, coordinator):
    client.force_login(viewer)
    edition = EditionFactory()
    invite_post(client, [ExpertFactory()], _confirm="1", edition=edition.pk)
    assert not Invitation.objects.exists()
    invitation = make_sent(edition, coordinator)
    response = client.get(INVITATIONS_URL)
    assert response.status_code == 200
    assert 'name="action"' not in response.content.decode()
    client.post(
        INVITATIONS_URL,
        {"action": "withdraw_selected", ACTION_CHECKBOX_NAME: [invitation.pk], "_confirm": "1"},
    )
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    assert (
        client.get(reverse("admin:forums_invitation_change", args=[invitation.pk])).status_code
        == 200
    )


# --- the invitation list --------------------------------------------------------------------


def test_changelist_counts_by_status_for_the_filtered_edition(coordinator_client, coordinator):
    edition = EditionFactory(capacity=1)
    a, b, c = (make_sent(edition, coordinator) for _ in range(3))
    submit_rsvp(a, answer="accepted", expected_version=0, attendance="in_person")
    submit_rsvp(b, answer="accepted", expected_version=0, attendance="in_person")
    make_sent(EditionFactory(), coordinator)  # another edition: not counted
    response = coordinator_client.get(INVITATIONS_URL, {"edition__id__exact": edition.pk})
    counts = {item["status"]: item["count"] for item in response.context["status_counts"]}
    assert counts["accepted"] == 1 and counts["waitlisted"] == 1 and counts["sent"] == 1
    assert response.context["status_total"] == 3
    assert "capacity 1" in response.content.decode()
    assert c.status == "sent"


@pytest.mark.parametrize("rows", [1, 30])
def test_changelist_query_count_is_constant(
    coordinator_client, coordinator, django_assert_max_num_queries, rows
):
    edition = EditionFactory()
    for _ in range(rows):
        make_sent(edition, coordinator)
    with django_assert_max_num_queries(10):
        response = coordinator_client.get(INVITATIONS_URL, {"edition__id__exact": edition.pk})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows


def test_search_folds_vietnamese_diacritics(coordinator_client, coordinator):
    edition = EditionFactory()
    make_sent(edition, coordinator, given_name="Hùng Sơn", family_name="Nguyễn")
    make_sent(edition, coordinator, given_name="Jane", family_name="Smith")
    response = coordinator_client.get(INVITATIONS_URL, {"q": "nguyen hung"})
    names = [i.expert.full_name for i in response.context["cl"].result_list]
    assert names == ["Hùng Sơn Nguyễn"]


def test_status_and_visa_filters(coordinator_client, coordinator):
    edition = EditionFactory()
    visa = make_sent(edition, coordinator)
    submit_rsvp(
        visa, answer="accepted", expected_version=0, attendance="in_person", needs_visa_letter=True
    )
    make_sent(edition, coordinator)
    response = coordinator_client.get(
        INVITATIONS_URL, {"status__exact": "accepted", "needs_visa_letter__exact": "1"}
    )
    assert [i.pk for i in response.context["cl"].result_list] == [visa.pk]


# --- actions ---------------------------------------------------------------------------------


def act(client, action, invitations, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [i.pk for i in invitations], "index": 0}
    data.update(extra)
    return client.post(INVITATIONS_URL, data, follow=True)


def test_send_action_sends_drafts_once(coordinator_client, coordinator):
    invitation, _ = invite_expert(EditionFactory(), expert=ExpertFactory(), invited_by=coordinator)
    act(coordinator_client, "send_selected", [invitation])
    act(coordinator_client, "send_selected", [invitation])
    invitation.refresh_from_db()
    assert invitation.status == "sent"
    assert OutboxMessage.objects.filter(kind="invitation").count() == 1


def test_resend_and_reissue_give_a_new_working_link_once_per_click(coordinator_client, coordinator):
    invitation = make_sent(EditionFactory(), coordinator)

    def a_while_later():
        Invitation.objects.filter(pk=invitation.pk).update(
            token_issued_at=timezone.now() - dt.timedelta(minutes=5)
        )

    # Right after sending, "send again" is taken as a double click.
    response = act(coordinator_client, "resend_selected", [invitation])
    assert "less than a minute ago" in response.content.decode()
    assert OutboxMessage.objects.filter(kind="invitation").count() == 1

    a_while_later()
    old_hash = Invitation.objects.get(pk=invitation.pk).token_hash
    act(coordinator_client, "resend_selected", [invitation])
    act(coordinator_client, "resend_selected", [invitation])  # double click
    invitation.refresh_from_db()
    assert invitation.token_hash != old_hash
    assert OutboxMessage.objects.filter(kind="invitation").count() == 2

    a_while_later()
    act(coordinator_client, "reissue_selected", [invitation])
    assert OutboxMessage.objects.filter(kind="invitation").count() == 3
    latest = OutboxMessage.objects.filter(kind="invitation").order_by("-id").first()
    token = re.search(r"/rsvp/([^/]+)/", sent_text(latest)).group(1)
    assert find_invitation_by_token(token) == invitation
    kinds = list(invitation.events.values_list("kind", flat=True))
    assert kinds == ["created", "sent", "resent", "token_reissued"]


def test_remind_now_skips_answered_invitations(coordinator_client, coordinator):
    edition = EditionFactory()
    pending = make_sent(edition, coordinator)
    answered = make_sent(edition, coordinator)
    submit_rsvp(answered, answer="declined", expected_version=0)
    # Sent long enough ago for a manual reminder (MANUAL_REMINDER_MIN_GAP).
    Invitation.objects.update(sent_at=timezone.now() - dt.timedelta(hours=2))
    response = act(coordinator_client, "remind_selected", [pending, answered], _confirm="1")
    assert OutboxMessage.objects.filter(kind="reminder_unanswered").get().to_email == (
        pending.expert.email
    )
    assert "1 skipped" in response.content.decode()


def test_withdraw_asks_first_then_withdraws_and_frees_the_place(coordinator_client, coordinator):
    edition = EditionFactory(capacity=1)
    accepted = make_sent(edition, coordinator)
    waiting = make_sent(edition, coordinator)
    submit_rsvp(accepted, answer="accepted", expected_version=0, attendance="in_person")
    submit_rsvp(waiting, answer="accepted", expected_version=0, attendance="in_person")

    response = act(coordinator_client, "withdraw_selected", [accepted])
    assert "the place goes to the first expert on the waitlist" in response.content.decode()
    accepted.refresh_from_db()
    assert accepted.status == "accepted"

    act(coordinator_client, "withdraw_selected", [accepted], _confirm="1", notify="on")
    accepted.refresh_from_db()
    waiting.refresh_from_db()
    assert accepted.status == "withdrawn" and accepted.token_revoked_at
    assert waiting.status == "accepted"
    assert OutboxMessage.objects.filter(kind="withdrawn", to_email=accepted.expert.email).exists()
    assert OutboxMessage.objects.filter(kind="place_offered").exists()


def test_change_page_shows_history_and_answer_read_only(coordinator_client, coordinator):
    invitation = make_sent(EditionFactory(), coordinator)
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=0,
        attendance="in_person",
        dietary_needs="Halal",
    )
    url = reverse("admin:forums_invitation_change", args=[invitation.pk])
    page = coordinator_client.get(url).content.decode()
    assert "History" in page and "Answered" in page and "Halal" in page
    assert 'name="status"' not in page and 'name="dietary_needs"' not in page
    # Posting a forged status changes nothing.
    coordinator_client.post(url, {"status": "declined", "events-TOTAL_FORMS": "0"})
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


def test_no_add_and_no_delete_of_sent_invitations(coordinator_client, coordinator):
    invitation = make_sent(EditionFactory(), coordinator)
    assert coordinator_client.get(reverse("admin:forums_invitation_add")).status_code == 403
    url = reverse("admin:forums_invitation_delete", args=[invitation.pk])
    assert coordinator_client.post(url, {"post": "yes"}).status_code == 403
    assert Invitation.objects.filter(pk=invitation.pk).exists()


# --- email templates and reminder rules -------------------------------------------------------


def test_email_template_page_previews_and_rejects_bad_placeholders(coordinator_client):
    EditionFactory()
    template = EmailTemplate.objects.get(kind="invitation", language="vi", edition=None)
    url = reverse("admin:forums_emailtemplate_change", args=[template.pk])
    page = coordinator_client.get(url).content.decode()
    assert "Kính gửi Ông/Bà Nguyễn Hùng Sơn" in page  # never "Kính gửi Dr."
    assert "{{ rsvp_link }}" in page  # the placeholder list
    response = coordinator_client.post(
        url,
        {
            "kind": "invitation",
            "language": "vi",
            "edition": "",
            "subject": "Thư mời",
            "body": "Kính gửi {{ ten }}",
        },
    )
    assert response.status_code == 200
    assert "Unknown placeholder(s): ten" in response.content.decode()
    template.refresh_from_db()
    assert "{{ ten }}" not in template.body


def test_email_template_and_reminder_lists_load(coordinator_client):
    edition = EditionFactory()
    response = coordinator_client.get(reverse("admin:forums_emailtemplate_changelist"))
    assert response.status_code == 200
    response = coordinator_client.get(
        reverse("admin:forums_reminderrule_changelist"), {"edition__id__exact": edition.pk}
    )
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 4


def test_default_templates_cannot_be_deleted_but_overrides_can(coordinator_client):
    default = EmailTemplate.objects.get(kind="invitation", language="en", edition=None)
    url = reverse("admin:forums_emailtemplate_delete", args=[default.pk])
    assert coordinator_client.post(url, {"post": "yes"}).status_code == 403
    assert EmailTemplate.objects.filter(pk=default.pk).exists()
    override = EmailTemplate.objects.create(
        kind="invitation", language="en", edition=EditionFactory(), subject="x", body="y"
    )
    url = reverse("admin:forums_emailtemplate_delete", args=[override.pk])
    assert coordinator_client.post(url, {"post": "yes"}).status_code == 302
    assert not EmailTemplate.objects.filter(pk=override.pk).exists()


def test_coordinators_export_the_answers_escaped_and_viewers_cannot(client, coordinator, viewer):
    edition = EditionFactory()
    invitation = make_sent(
        edition, coordinator, given_name="Hùng Sơn", family_name="Nguyễn", name_order="family_first"
    )
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=0,
        attendance="in_person",
        dietary_needs='=HYPERLINK("http://evil")',
        needs_visa_letter=True,
        passport_name="NGUYEN HUNG SON",
    )
    make_sent(edition, coordinator)
    client.force_login(coordinator)
    response = act(client, "export_csv", Invitation.objects.all())
    assert response["Content-Type"].startswith("text/csv")
    text = response.getvalue().decode("utf-8-sig")
    assert "Nguyễn Hùng Sơn" in text and "NGUYEN HUNG SON" in text
    assert "'=HYPERLINK" in text
    assert len(text.strip().splitlines()) == 3  # header + two invitations
    response = act(client, "export_xlsx", [invitation])
    assert response.getvalue()[:2] == b"PK"  # a zip: .xlsx

    client.force_login(viewer)
    response = act(client, "export_csv", [invitation])
    assert not response.get("Content-Disposition")


# --- large batches go to the background --------------------------------------------------------


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


def test_inviting_above_the_limit_queues_the_sending_and_sends_each_once(
    coordinator_client, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.INVITATIONS_INLINE_LIMIT = 2
    edition = EditionFactory()
    experts = ExpertFactory.create_batch(3)
    sent_before = make_sent(edition, coordinator)  # selected again: not invited twice
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = invite_post(
            coordinator_client, [*experts, sent_before.expert], _confirm="1", edition=edition.pk
        )
    assert response.status_code == 302
    # The request created the drafts and queued the sending; nothing is sent yet.
    assert Invitation.objects.filter(edition=edition, status="draft").count() == 3
    assert OutboxMessage.objects.filter(kind="invitation").count() == 1
    assert callbacks
    texts = messages_of(response)
    assert f"Sending 3 invitations to {edition} in the background" in texts[0]
    assert "the list shows their status as they go out" in texts[0]
    assert any("Already invited" in t and str(sent_before.expert) in t for t in texts)

    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()  # the worker, eager under pytest
    assert set(Invitation.objects.filter(edition=edition).values_list("status", flat=True)) == {
        "sent"
    }
    assert OutboxMessage.objects.filter(kind="invitation").count() == 4
    # The tasks again (a redelivery): nothing is sent twice.
    for callback in callbacks:
        callback()
    assert OutboxMessage.objects.filter(kind="invitation").count() == 4
    assert Invitation.objects.filter(edition=edition).count() == 4

    page = coordinator_client.get(INVITATIONS_URL, {"edition__id__exact": edition.pk})
    counts = {item["status"]: item["count"] for item in page.context["status_counts"]}
    assert counts["sent"] == 4 and counts["draft"] == 0


def test_inviting_up_to_the_limit_sends_in_the_request(coordinator_client, settings):
    settings.INVITATIONS_INLINE_LIMIT = 2
    edition = EditionFactory()
    response = invite_post(
        coordinator_client, ExpertFactory.create_batch(2), _confirm="1", edition=edition.pk
    )
    assert set(Invitation.objects.values_list("status", flat=True)) == {"sent"}
    assert OutboxMessage.objects.filter(kind="invitation").count() == 2
    assert messages_of(response) == [f"2 invitations to {edition} were sent."]


def test_select_all_across_pages_is_carried_through_the_invite_form(coordinator_client, settings):
    settings.INVITATIONS_INLINE_LIMIT = 2
    edition = EditionFactory()
    experts = ExpertFactory.create_batch(4)
    # "Select all 4" on the list posts the visible page's ids and select_across.
    page = invite_post(coordinator_client, experts[:1], select_across="1").content.decode()
    assert 'name="select_across" value="1"' in page
    assert page.count(f'name="{ACTION_CHECKBOX_NAME}"') == 1
    invite_post(
        coordinator_client, experts[:1], select_across="1", _confirm="1", edition=edition.pk
    )
    assert Invitation.objects.filter(edition=edition).count() == 4


@pytest.mark.parametrize("count", [60, 300])
def test_background_invite_request_has_a_bounded_query_count(
    coordinator_client, django_assert_max_num_queries, django_capture_on_commit_callbacks, count
):
    edition = EditionFactory()
    experts = ExpertFactory.create_batch(count)
    # Bulk inserts: one statement on PostgreSQL; SQLite caps a statement at 999 parameters, so
    # there the bound grows by its batches of ~30 rows, never by a query per row.
    batches = sum(
        -(-count // connection.ops.bulk_batch_size(model._meta.concrete_fields[1:], [None] * count))
        for model in (Invitation, InvitationEvent)
    )
    with (
        django_capture_on_commit_callbacks() as callbacks,
        django_assert_max_num_queries(18 + batches),
    ):
        response = invite_post(coordinator_client, experts, _confirm="1", edition=edition.pk)
    assert response.status_code == 302
    assert Invitation.objects.filter(edition=edition, status="draft").count() == count
    assert len(callbacks) == -(-count // 100)  # one task per 100 invitations


def test_send_resend_and_remind_actions_above_the_limit_run_in_the_background(
    coordinator_client, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.INVITATIONS_INLINE_LIMIT = 2
    edition = EditionFactory()
    drafts = [
        invite_expert(edition, expert=ExpertFactory(), invited_by=coordinator)[0] for _ in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = act(coordinator_client, "send_selected", drafts)
    assert "Sending 3 invitations in the background" in response.content.decode()
    assert Invitation.objects.filter(status="sent").count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        act(coordinator_client, "send_selected", drafts)  # double click: all sent already
    assert OutboxMessage.objects.filter(kind="invitation").count() == 3

    Invitation.objects.update(token_issued_at=timezone.now() - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        response = act(coordinator_client, "resend_selected", drafts)
    assert "Sending 3 invitations again in the background" in response.content.decode()
    assert OutboxMessage.objects.filter(kind="invitation").count() == 6

    # Sent long enough ago for a manual reminder (MANUAL_REMINDER_MIN_GAP).
    Invitation.objects.update(sent_at=timezone.now() - dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        response = act(coordinator_client, "remind_selected", drafts, _confirm="1")
        act(coordinator_client, "remind_selected", drafts, _confirm="1")  # double click
    assert "Sending 3 reminders in the background" in response.content.decode()
    assert OutboxMessage.objects.filter(kind="reminder_unanswered").count() == 3
