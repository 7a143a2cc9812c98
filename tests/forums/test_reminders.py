import datetime as dt

import pytest
from celery import current_app
from django.utils import timezone

from academy_portal.mail.models import OutboxMessage
from forums import tasks
from forums.models import Invitation, ReminderRule
from forums.services import (
    create_default_reminder_rules,
    expire_unanswered_invitations,
    invite_expert,
    remind_invitation_now,
    send_due_reminders,
    send_invitation,
    submit_rsvp,
    withdraw_invitation,
)
from tests.factories import EditionFactory, ExpertFactory, UserFactory
from tests.forums.invitation_factories import sent_invitation
from tests.mail.sent import sent_text

pytestmark = pytest.mark.django_db

# Relative to the real today: answerability checks use the real date.
TODAY = timezone.localdate()


@pytest.fixture
def staff():
    return UserFactory(groups=["Forum coordinators"])


def edition_with(*, deadline_in: int, start_in: int = 30, today=TODAY, **kwargs):
    return EditionFactory(
        start_date=today + dt.timedelta(days=start_in),
        end_date=today + dt.timedelta(days=start_in + 1),
        rsvp_deadline=today + dt.timedelta(days=deadline_in),
        **kwargs,
    )


def sent(edition, staff, *, days_ago=5, language="en"):
    invitation, _ = sent_invitation(
        staff, edition=edition, expert=ExpertFactory(preferred_language=language)
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    invitation.refresh_from_db()
    return invitation


def reminders(kind="reminder_unanswered"):
    return OutboxMessage.objects.filter(kind=kind)


def test_each_new_edition_gets_the_default_rules_once():
    edition = EditionFactory()
    rules = sorted(edition.reminder_rules.values_list("audience", "days"))
    assert rules == [
        ("non_responders", 3),
        ("non_responders", 14),
        ("participants", 1),
        ("participants", 7),
    ]
    create_default_reminder_rules(edition)
    assert edition.reminder_rules.count() == 4


def test_due_reminder_goes_once_to_non_responders_only(staff):
    edition = edition_with(deadline_in=10)
    pending = sent(edition, staff)
    answered = sent(edition, staff)
    submit_rsvp(answered, answer="declined", expected_version=0)

    assert send_due_reminders(today=TODAY) == 1
    assert send_due_reminders(today=TODAY) == 0
    message = reminders().get()
    assert message.to_email == pending.expert.email
    rule = edition.reminder_rules.get(audience="non_responders", days=14)
    assert message.dedup_key == f"reminder:{rule.pk}:{pending.pk}"
    assert "/rsvp/" in sent_text(message)
    event = pending.events.get(kind="reminded")
    assert event.details == {"rule": rule.pk, "audience": "non_responders", "days": 14}
    assert not answered.events.filter(kind="reminded").exists()


def test_the_reminder_link_is_the_same_as_the_invitation_link(staff):
    edition = edition_with(deadline_in=10)
    invitation, _ = invite_expert(edition, expert=ExpertFactory(), invited_by=staff)
    token = send_invitation(invitation, sent_by=staff)
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=5)
    )
    send_due_reminders(today=TODAY)
    assert f"/rsvp/{token}/" in sent_text(reminders().get())


def test_an_expert_who_answers_before_the_next_rule_gets_no_further_reminder(staff):
    edition = edition_with(deadline_in=10)
    invitation = sent(edition, staff)
    send_due_reminders(today=TODAY)
    submit_rsvp(invitation, answer="accepted", expected_version=0, attendance="in_person")
    # Seven days later the 3-day rule is due, but the expert has answered meanwhile.
    assert send_due_reminders(today=TODAY + dt.timedelta(days=7)) == 0
    assert reminders().count() == 1


def test_nothing_is_sent_before_a_rule_is_due_or_after_the_deadline(staff):
    early = edition_with(deadline_in=20)
    sent(early, staff)
    assert send_due_reminders(today=TODAY) == 0
    assert send_due_reminders(today=TODAY + dt.timedelta(days=21)) == 0
    assert not reminders().exists()


def test_after_a_missed_run_only_the_latest_due_rule_is_sent(staff):
    edition = edition_with(deadline_in=2)
    invitation = sent(edition, staff)
    assert send_due_reminders(today=TODAY) == 1
    rule = edition.reminder_rules.get(audience="non_responders", days=3)
    assert reminders().get().dedup_key == f"reminder:{rule.pk}:{invitation.pk}"


def test_experts_invited_only_yesterday_are_not_reminded_yet(staff):
    edition = edition_with(deadline_in=10)
    sent(edition, staff, days_ago=1)
    assert send_due_reminders(today=TODAY) == 0
    # Two days later (still inside the 14-day rule's window) the reminder goes.
    Invitation.objects.update(sent_at=timezone.now() - dt.timedelta(days=3))
    assert send_due_reminders(today=TODAY + dt.timedelta(days=2)) == 1


def test_inactive_rules_and_withdrawn_invitations_are_skipped(staff):

    edition = edition_with(deadline_in=10)
    ReminderRule.objects.filter(edition=edition, days=14).update(active=False)
    sent(edition, staff)
    assert send_due_reminders(today=TODAY) == 0
    ReminderRule.objects.filter(edition=edition, days=14).update(active=True)
    withdrawn = sent(edition, staff)
    withdraw_invitation(withdrawn, withdrawn_by=staff)
    assert send_due_reminders(today=TODAY) == 1
    assert reminders().get().to_email != withdrawn.expert.email


def test_participants_get_the_practical_reminder_with_a_calendar_file(staff):
    edition = edition_with(deadline_in=2, start_in=7, practical_information="Bring your passport.")
    participant = sent(edition, staff)
    submit_rsvp(participant, answer="accepted", expected_version=0, attendance="in_person")
    sent(edition, staff)  # pending: gets a "please answer" reminder, not the participant one
    send_due_reminders(today=TODAY)
    message = reminders("reminder_participant").get()
    assert message.to_email == participant.expert.email
    assert "Bring your passport." in message.text_body
    assert message.attachments.get().filename == "invitation.ics"
    assert reminders().count() == 1


def test_vietnamese_expert_gets_a_vietnamese_reminder(staff):
    edition = edition_with(deadline_in=10)
    sent(edition, staff, language="vi")
    send_due_reminders(today=TODAY)
    message = reminders().get()
    assert message.language == "vi"
    assert message.subject.startswith("Thư nhắc phản hồi")
    # A Vietnamese letter: the Vietnamese form of address and the academy's Vietnamese name.
    assert "Kính gửi Ông/Bà " in message.text_body
    assert message.text_body.rstrip().endswith("Trân trọng,\nHọc viện Ngoại giao")


def test_unanswered_invitations_expire_after_the_deadline(staff):
    edition = edition_with(deadline_in=3)
    pending = sent(edition, staff)
    answered = sent(edition, staff)
    submit_rsvp(answered, answer="tentative", expected_version=0)
    assert expire_unanswered_invitations(today=TODAY + dt.timedelta(days=3)) == 0
    assert expire_unanswered_invitations(today=TODAY + dt.timedelta(days=4)) == 1
    assert expire_unanswered_invitations(today=TODAY + dt.timedelta(days=4)) == 0
    pending.refresh_from_db()
    answered.refresh_from_db()
    assert pending.status == Invitation.Status.EXPIRED
    assert answered.status == Invitation.Status.TENTATIVE
    assert pending.events.filter(kind="expired").count() == 1
    assert Invitation.objects.filter(status="expired").get() == pending


def test_the_beat_runs_the_invitation_chores_task_by_its_name(settings):
    tasks_run = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "forums.tasks.run_invitation_chores" in tasks_run
    assert "forums.tasks.send_due_reminders" not in tasks_run
    assert tasks.run_invitation_chores.name == "forums.tasks.run_invitation_chores"
    assert "forums.tasks.send_due_reminders" in current_app.tasks  # the old name, kept


def test_the_periodic_task_run_twice_sends_one_email(staff):
    today = timezone.localdate()
    edition = edition_with(deadline_in=10, today=today)
    sent(edition, staff)
    overdue = EditionFactory(rsvp_deadline=today + dt.timedelta(days=5))
    late = sent(overdue, staff)
    Invitation.objects.filter(pk=late.pk).update(status="sent")
    overdue.rsvp_deadline = today - dt.timedelta(days=1)
    overdue.save()

    first = tasks.run_invitation_chores.apply().get()
    # A message queued under the task's old name before an upgrade still runs the chores.
    second = current_app.tasks["forums.tasks.send_due_reminders"].apply().get()
    assert first == {"expired": 1, "reminded": 1}
    assert second == {"expired": 0, "reminded": 0}
    assert reminders().count() == 1
    assert late.events.filter(kind="expired").count() == 1


def test_remind_now_only_for_pending_and_once_per_double_click(staff):
    edition = edition_with(deadline_in=10, today=timezone.localdate())
    pending = sent(edition, staff)
    answered = sent(edition, staff)
    submit_rsvp(answered, answer="declined", expected_version=0)
    assert remind_invitation_now(pending, reminded_by=staff) is True
    assert remind_invitation_now(pending, reminded_by=staff) is False
    assert remind_invitation_now(answered, reminded_by=staff) is False
    message = reminders().get()
    assert message.dedup_key.startswith(f"reminder:manual:{pending.pk}:")
    event = pending.events.get(kind="reminded")
    assert event.actor == staff and event.details == {"manual": True}
