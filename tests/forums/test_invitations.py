import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.services import sweep_outbox
from experts.models import Expert
from forums.models import Invitation, InvitationEvent, hash_token
from forums.services import (
    InvalidAnswer,
    InvitationError,
    RSVPClosed,
    StaleAnswer,
    fill_places_from_waitlist,
    find_invitation_by_token,
    invite_and_send_later,
    invite_expert,
    invite_experts,
    record_rsvp_opened,
    reissue_token,
    save_edition,
    send_invitation,
    send_invitations,
    send_invitations_later,
    submit_rsvp,
    withdraw_invitation,
)
from forums.services import invitations as invitation_services
from forums.tasks import remind_invitations_task, resend_invitations_task, send_invitations_task
from tests.factories import EditionFactory, ExpertFactory, SessionFactory, UserFactory
from tests.forums.invitation_factories import sent_invitation
from tests.mail.sent import sent_text, written
from tests.support.fixtures import *  # noqa: F403  (pytest fixtures)
from tests.support.waiting import wait_for_idle_broker

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(groups=["Forum coordinators"])


def accept(invitation, **kwargs):
    return submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=invitation.version,
        attendance="in_person",
        privacy_consent=True,
        **kwargs,
    )


def events(invitation):
    return list(invitation.events.values_list("kind", flat=True))


def test_inviting_twice_returns_the_existing_invitation(staff):
    edition, expert = EditionFactory(), ExpertFactory()
    first, created = invite_expert(edition, expert=expert, invited_by=staff)
    again, created_again = invite_expert(
        edition, expert=expert, invited_by=staff, personal_message="other"
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert again.personal_message == ""
    assert Invitation.objects.count() == 1
    assert first.status == Invitation.Status.DRAFT
    assert first.invited_by == staff
    assert events(first) == ["created"]


def test_invite_rejects_a_session_of_another_edition_and_a_closed_edition(staff):
    edition = EditionFactory()
    with pytest.raises(InvitationError, match="not part of"):
        invite_expert(
            edition, expert=ExpertFactory(), invited_by=staff, offered_session=SessionFactory()
        )
    archived = EditionFactory(status="archived")
    with pytest.raises(InvitationError, match="not open"):
        invite_expert(archived, expert=ExpertFactory(), invited_by=staff)
    assert not Invitation.objects.exists()


def test_send_issues_a_hashed_token_and_queues_the_email(staff):
    invitation, token = sent_invitation(staff=staff)
    assert len(token) >= 43  # 256 bits, URL-safe base64
    assert invitation.status == Invitation.Status.SENT
    assert invitation.sent_at is not None
    assert invitation.token_hash == hash_token(token)
    # The raw token is nowhere in the invitation row.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM forums_invitation WHERE id = %s", [invitation.pk])
        row = cursor.fetchone()
    assert all(token not in str(value) for value in row)
    assert find_invitation_by_token(token) == invitation
    message = OutboxMessage.objects.get(kind="invitation")
    assert token not in message.text_body  # only a marker is stored
    assert f"/rsvp/{token}/" in sent_text(message)
    assert message.to_email == invitation.expert.email
    assert message.attachments.get().filename == "invitation.ics"
    assert events(invitation) == ["created", "sent"]


def test_unknown_or_forged_tokens_find_nothing(staff):
    _, token = sent_invitation(staff=staff)
    assert find_invitation_by_token("") is None
    assert find_invitation_by_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert find_invitation_by_token("x" * 5000) is None
    assert find_invitation_by_token(hash_token(token)) is None


def test_resend_and_reissue_invalidate_the_old_link(staff):
    invitation, first = sent_invitation(staff=staff)
    second = send_invitation(invitation, sent_by=staff)
    assert first != second
    assert find_invitation_by_token(first) is None
    assert find_invitation_by_token(second) == invitation
    third = reissue_token(invitation, issued_by=staff)
    assert find_invitation_by_token(second) is None
    assert find_invitation_by_token(third) == invitation
    assert events(invitation) == ["created", "sent", "resent", "token_reissued"]
    assert OutboxMessage.objects.filter(kind="invitation").count() == 2


def test_double_clicked_send_action_sends_once(staff):
    invitation, _ = invite_expert(EditionFactory(), expert=ExpertFactory(), invited_by=staff)
    assert send_invitations([invitation], sent_by=staff) == (1, [])
    assert send_invitations([invitation], sent_by=staff) == (0, [])
    assert OutboxMessage.objects.filter(kind="invitation").count() == 1


def test_sending_to_a_planning_edition_is_refused_clearly(staff):
    edition = EditionFactory(status="planning")
    invitation, _ = invite_expert(edition, expert=ExpertFactory(), invited_by=staff)
    sent, problems = send_invitations([invitation], sent_by=staff)
    assert sent == 0
    assert "not open" in problems[0]
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DRAFT
    assert not OutboxMessage.objects.exists()


def test_withdraw_revokes_the_link_and_queues_nothing(staff):
    invitation, token = sent_invitation(staff=staff)
    OutboxMessage.objects.all().delete()
    withdraw_invitation(invitation, withdrawn_by=staff)
    assert invitation.status == Invitation.Status.WITHDRAWN
    assert invitation.token_revoked_at is not None
    assert not OutboxMessage.objects.exists()
    found = find_invitation_by_token(token)
    assert found == invitation and not found.is_answerable
    with pytest.raises(RSVPClosed, match="withdrawn"):
        accept(found)
    # Sending again re-invites with a new, working link.
    new_token = send_invitation(invitation, sent_by=staff)
    assert find_invitation_by_token(new_token).is_answerable


def test_accept_records_answer_and_queues_confirmation_with_ics(staff):
    edition = EditionFactory()
    session = SessionFactory(edition=edition)
    invitation, _ = sent_invitation(staff, edition=edition)
    accept(
        invitation,
        sessions=[session],
        dietary_needs="  vegetarian  ",
        arrival_date=edition.start_date - dt.timedelta(days=1),
        departure_date=edition.end_date,
        needs_visa_letter=True,
        passport_name="SMITH Jane",
        passport_nationality="AU",
    )
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.version == 1
    assert invitation.dietary_needs == "vegetarian"
    assert list(invitation.sessions_attending.all()) == [session]
    assert invitation.responded_at is not None
    # Written when sent (an answer does not render its email): then with its calendar.
    confirmation = written(OutboxMessage.objects.get(kind="confirmation"))
    calendar, qr = confirmation.attachments.order_by("pk")
    assert calendar.mimetype.startswith("text/calendar")
    # The check-in QR code, made when the email is sent (tests/forums/test_checkin.py).
    assert (qr.filename, qr.generator) == ("check-in-qr.png", "forums.checkin_qr")
    event = invitation.events.get(kind="answered")
    assert event.by_expert and event.details["answer"] == "accepted"


def test_double_click_is_a_no_op_and_a_second_tab_is_stale(staff):
    invitation, _ = sent_invitation(staff=staff)
    seen_version = invitation.version
    accept(invitation)
    # Same answer posted again with the old version (double click): nothing changes.
    submit_rsvp(
        invitation,
        answer="accepted",
        expected_version=seen_version,
        attendance="in_person",
        privacy_consent=True,
    )
    assert invitation.version == 1
    assert OutboxMessage.objects.filter(kind="confirmation").count() == 1
    assert invitation.events.filter(kind__in=["answered", "changed"]).count() == 1
    # A different answer from a tab opened before the first answer is refused.
    with pytest.raises(StaleAnswer) as excinfo:
        submit_rsvp(invitation, answer="declined", expected_version=seen_version)
    assert "another window" in str(excinfo.value.message)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED


def test_changing_the_answer_records_a_changed_event(staff):
    invitation, _ = sent_invitation(staff=staff)
    submit_rsvp(invitation, answer="tentative", expected_version=0)
    submit_rsvp(invitation, answer="declined", expected_version=1, decline_reason="Travel")
    assert invitation.status == Invitation.Status.DECLINED
    assert invitation.decline_reason == "Travel"
    assert events(invitation)[-2:] == ["answered", "changed"]


def test_bad_answers_get_clear_messages_and_change_nothing(staff):
    edition = EditionFactory()
    invitation, _ = sent_invitation(staff, edition=edition)
    with pytest.raises(InvalidAnswer, match="departure date"):
        accept(
            invitation,
            arrival_date=edition.start_date,
            departure_date=edition.start_date - dt.timedelta(days=2),
        )
    with pytest.raises(InvalidAnswer, match="accompanying"):
        accept(invitation, accompanying_person="Spouse")
    with pytest.raises(InvalidAnswer, match="sessions of this event"):
        accept(invitation, sessions=[SessionFactory()])
    with pytest.raises(InvalidAnswer):
        submit_rsvp(invitation, answer="maybe", expected_version=0)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT and invitation.version == 0
    assert not OutboxMessage.objects.filter(kind="confirmation").exists()


def test_answers_after_the_deadline_are_refused(staff):
    edition = EditionFactory()
    invitation, _ = sent_invitation(staff, edition=edition)
    edition.rsvp_deadline = timezone.localdate() - dt.timedelta(days=1)
    edition.save()
    invitation.refresh_from_db()
    assert invitation.deadline_passed and not invitation.is_answerable
    with pytest.raises(RSVPClosed, match="deadline"):
        accept(invitation)


def test_capacity_waitlist_and_promotion(staff):
    edition = EditionFactory(capacity=2)
    a, _ = sent_invitation(staff, edition=edition)
    b, _ = sent_invitation(staff, edition=edition)
    c, _ = sent_invitation(staff, edition=edition)
    d, _ = sent_invitation(staff, edition=edition)
    for invitation in (a, b, c, d):
        accept(invitation)
    assert [i.status for i in (a, b, c, d)] == ["accepted", "accepted", "waitlisted", "waitlisted"]
    assert c.waitlisted_at < d.waitlisted_at
    assert OutboxMessage.objects.filter(kind="waitlisted").count() == 2
    assert OutboxMessage.objects.filter(kind="confirmation").count() == 2

    # An accepted expert declines: the first on the waitlist gets the place, and is told.
    submit_rsvp(b, answer="declined", expected_version=b.version)
    c.refresh_from_db()
    d.refresh_from_db()
    assert c.status == Invitation.Status.ACCEPTED
    assert d.status == Invitation.Status.WAITLISTED
    offered = OutboxMessage.objects.get(kind="place_offered")
    assert offered.to_email == c.expert.email
    assert "offered_place" in events(c)
    assert Invitation.objects.filter(edition=edition, status="accepted").count() == 2

    # A waitlisted expert who declines simply leaves the waitlist.
    submit_rsvp(d, answer="declined", expected_version=d.version)
    assert d.status == Invitation.Status.DECLINED and d.waitlisted_at is None


def test_withdrawing_an_accepted_invitation_frees_the_place(staff):
    edition = EditionFactory(capacity=1)
    a, _ = sent_invitation(staff, edition=edition)
    b, _ = sent_invitation(staff, edition=edition)
    accept(a)
    accept(b)
    assert b.status == Invitation.Status.WAITLISTED
    withdraw_invitation(a, withdrawn_by=staff)
    b.refresh_from_db()
    assert b.status == Invitation.Status.ACCEPTED


def test_raising_the_capacity_fills_places_from_the_waitlist(staff):
    edition = EditionFactory(capacity=1)
    invitations = [sent_invitation(staff, edition=edition)[0] for _ in range(3)]
    for invitation in invitations:
        accept(invitation)
    edition.capacity = 2
    save_edition(edition=edition, changed_by=staff)  # as the edition admin does
    assert edition.invitations.get(status="accepted", pk=invitations[1].pk)
    assert edition.invitations.filter(status="waitlisted").count() == 1
    assert OutboxMessage.objects.get(kind="place_offered").to_email == (invitations[1].expert.email)
    # Nothing more to do when called again (e.g. another save).
    assert fill_places_from_waitlist(edition, actor=staff) == []


def test_record_rsvp_opened_is_throttled_and_changes_nothing(staff):
    invitation, _ = sent_invitation(staff=staff)
    before = Invitation.objects.values().get(pk=invitation.pk)
    record_rsvp_opened(invitation)
    record_rsvp_opened(invitation)
    assert invitation.events.filter(kind=InvitationEvent.Kind.OPENED).count() == 1
    assert Invitation.objects.values().get(pk=invitation.pk) == before
    InvitationEvent.objects.filter(kind="opened").update(
        created_at=timezone.now() - dt.timedelta(hours=2)
    )
    record_rsvp_opened(invitation)
    assert invitation.events.filter(kind=InvitationEvent.Kind.OPENED).count() == 2


def test_queued_mail_is_delivered_in_the_experts_language(staff, mailoutbox):

    expert = ExpertFactory(preferred_language="vi")
    sent_invitation(staff=staff, expert=expert)
    sweep_outbox()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("Thư mời:")
    assert mailoutbox[0].to[0].endswith(f"<{expert.email}>")


def _in_parallel(*calls):
    """Run the calls at the same moment in threads; returns their results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the test inspects what each attempt raised
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.postgres
@pytest.mark.usefixtures("default_email_templates")
def test_two_experts_accepting_the_last_place_at_once(require_postgres, transactional_db):
    # Real concurrency needs row locks: PostgreSQL only (SQLite serialises writers anyway).
    staff = UserFactory()
    edition = EditionFactory(capacity=1)
    first, _ = sent_invitation(staff, edition=edition)
    second, _ = sent_invitation(staff, edition=edition)
    results = _in_parallel(
        lambda: accept(Invitation.objects.get(pk=first.pk)),
        lambda: accept(Invitation.objects.get(pk=second.pk)),
    )
    assert not [r for r in results if isinstance(r, Exception)]
    statuses = sorted(Invitation.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "waitlisted"]


@pytest.mark.postgres
@pytest.mark.usefixtures("default_email_templates")
def test_two_tabs_answering_at_once_save_one_answer(require_postgres, transactional_db):
    staff = UserFactory()
    invitation, _ = sent_invitation(staff=staff)
    results = _in_parallel(
        lambda: submit_rsvp(
            Invitation.objects.get(pk=invitation.pk), answer="declined", expected_version=0
        ),
        lambda: submit_rsvp(
            Invitation.objects.get(pk=invitation.pk), answer="tentative", expected_version=0
        ),
    )
    assert sum(isinstance(r, StaleAnswer) for r in results) == 1
    invitation.refresh_from_db()
    assert invitation.version == 1
    assert invitation.events.filter(kind__in=["answered", "changed"]).count() == 1


def test_confirmation_lists_what_the_expert_told_us(staff):
    edition = EditionFactory()
    invitation, _ = sent_invitation(staff, edition=edition)
    accept(
        invitation,
        dietary_needs="Vegetarian",
        needs_visa_letter=True,
        passport_name="SMITH Jane",
        passport_nationality="AU",
        arrival_date=edition.start_date,
    )
    text = sent_text(OutboxMessage.objects.get(kind="confirmation"))
    assert "What you told us:" in text
    assert "- Dietary needs: Vegetarian" in text
    assert "- Visa support letter needed: yes" in text
    assert "- Passport: SMITH Jane, Australia" in text
    assert "- Hotel room needed: no" in text


def test_an_invalid_address_is_a_clear_error_and_nothing_changes(staff):
    expert = ExpertFactory()
    Expert.objects.filter(pk=expert.pk).update(email="not-an-address")
    invitation, _ = invite_expert(EditionFactory(), expert=expert, invited_by=staff)
    sent, problems = send_invitations([invitation], sent_by=staff)
    assert sent == 0 and "not a valid email address" in problems[0]
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DRAFT and not invitation.token_hash
    assert not OutboxMessage.objects.exists()


# --- many invitations at once, and the background tasks --------------------------------------


def test_invite_experts_creates_one_draft_each_and_reports_those_already_invited(staff):

    edition = EditionFactory()
    already_sent, _ = sent_invitation(staff, edition=edition)
    still_draft, _ = invite_expert(edition, expert=ExpertFactory(), invited_by=staff)
    new = ExpertFactory.create_batch(3)
    experts = [already_sent.expert, still_draft.expert, *new]

    result = invite_experts(edition, experts=experts, invited_by=staff, personal_message=" Hi ")
    assert result.already == [already_sent.expert]
    drafts = Invitation.objects.filter(pk__in=result.drafts)
    assert {i.expert for i in drafts} == {still_draft.expert, *new}
    assert all(i.status == "draft" for i in drafts)
    created = Invitation.objects.filter(expert__in=new)
    assert {i.personal_message for i in created} == {"Hi"}
    assert InvitationEvent.objects.filter(invitation__in=created, kind="created").count() == 3

    # Again: nothing new, no second "created" event.
    again = invite_experts(edition, experts=experts, invited_by=staff)
    assert sorted(again.drafts) == sorted(result.drafts)
    assert Invitation.objects.filter(edition=edition).count() == 5
    assert InvitationEvent.objects.filter(kind="created").count() == 5


def test_invite_experts_refuses_a_closed_edition_and_creates_nothing(staff):

    with pytest.raises(InvitationError, match="not open"):
        invite_experts(
            EditionFactory(status="archived"), experts=[ExpertFactory()], invited_by=staff
        )
    assert not Invitation.objects.exists()


def test_send_task_run_twice_sends_each_invitation_once(staff):

    edition = EditionFactory()
    ids = [invite_expert(edition, expert=ExpertFactory(), invited_by=staff)[0].pk for _ in range(3)]
    assert send_invitations_task(ids, staff.pk) == 3
    tokens = dict(Invitation.objects.values_list("pk", "token_hash"))
    # A redelivered task (worker killed before its ack) finds them sent and sends nothing.
    assert send_invitations_task(ids, staff.pk) == 0
    assert OutboxMessage.objects.filter(kind="invitation").count() == 3
    assert dict(Invitation.objects.values_list("pk", "token_hash")) == tokens
    assert InvitationEvent.objects.filter(kind="sent").count() == 3
    assert set(Invitation.objects.values_list("status", flat=True)) == {"sent"}


def test_a_problem_in_a_batch_loses_only_its_own_invitation(staff, monkeypatch):

    monkeypatch.setattr(invitation_services, "SEND_CHUNK_SIZE", 2)  # chunks of 2, 2, 1
    edition = EditionFactory()
    experts = ExpertFactory.create_batch(5)
    Expert.objects.filter(pk=experts[2].pk).update(email="not-an-address")
    invitations = [invite_expert(edition, expert=e, invited_by=staff)[0] for e in experts]
    sent, problems = send_invitations(invitations, sent_by=staff)
    assert sent == 4
    assert len(problems) == 1 and "not a valid email address" in problems[0]
    statuses = dict(Invitation.objects.values_list("expert_id", "status"))
    assert statuses[experts[2].pk] == "draft"
    assert sorted(statuses.values()) == ["draft", "sent", "sent", "sent", "sent"]
    assert OutboxMessage.objects.filter(kind="invitation").count() == 4


def test_resend_and_remind_tasks_run_twice_send_once(staff):

    invitation, _ = sent_invitation(staff=staff)
    Invitation.objects.filter(pk=invitation.pk).update(
        token_issued_at=timezone.now() - dt.timedelta(hours=1)
    )
    clicked = timezone.now() - dt.timedelta(minutes=10)  # the task ran late
    resend_invitations_task([invitation.pk], staff.pk, False, clicked.isoformat())
    # Run again well past the double-click minute: the link issued after the click stays.
    Invitation.objects.filter(pk=invitation.pk).update(
        token_issued_at=clicked + dt.timedelta(seconds=1)
    )
    resend_invitations_task([invitation.pk], staff.pk, False, clicked.isoformat())
    assert OutboxMessage.objects.filter(kind="invitation").count() == 2
    assert events(invitation) == ["created", "sent", "resent"]

    # The reminder's click comes well after the invitation went out (MANUAL_REMINDER_MIN_GAP).
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=clicked - dt.timedelta(hours=2))
    for _ in range(2):
        remind_invitations_task([invitation.pk], staff.pk, clicked.isoformat())
    assert OutboxMessage.objects.filter(kind="reminder_unanswered").count() == 1
    assert events(invitation).count("reminded") == 1


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
def test_a_real_worker_sends_a_background_batch_once_each(
    default_email_templates, smtp_server, start_worker, broker
):

    staff = UserFactory()
    edition = EditionFactory()
    experts = [ExpertFactory(email=f"batch-{n}@experts.test") for n in range(250)]
    # Tasks are published to Redis when the transaction commits; no worker runs yet.
    assert invite_and_send_later(edition, experts=experts, invited_by=staff).queued == 250
    assert Invitation.objects.filter(edition=edition, status="draft").count() == 250

    start_worker(concurrency=2)
    assert smtp_server.wait_for(250, timeout=120) >= 250
    invitations = Invitation.objects.filter(edition=edition)
    assert set(invitations.values_list("status", flat=True)) == {"sent"}

    # The same tasks once more, as a redelivery would run them: nothing is sent twice.
    send_invitations_later(invitations.values_list("pk", flat=True), sent_by=staff)
    wait_for_idle_broker(broker, timeout=60)
    recipients = [rcpt for m in smtp_server.messages for rcpt in m.rcpt_tos]
    assert sorted(recipients) == sorted(e.email for e in experts)
    assert OutboxMessage.objects.filter(kind="invitation").count() == 250
    assert InvitationEvent.objects.filter(kind="sent").count() == 250
