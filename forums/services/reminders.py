"""Reminder rules per edition, due reminders, and expiry of unanswered invitations.

A rule is due from (anchor - days) until the anchor (RSVP deadline or first day). When several rules
of one audience are due at once (the beat was down), only the latest one is sent: an expert gets one
"please answer" email, not two in a row. Each (rule, invitation) is sent at most once.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from forums.models import Edition, Invitation, InvitationEvent, ReminderRule

from .invitations import queue_invitation_email
from .tokens import _issue_token, current_raw_token

DEFAULT_REMINDER_RULES = (
    (ReminderRule.Audience.NON_RESPONDERS, 14),
    (ReminderRule.Audience.NON_RESPONDERS, 3),
    (ReminderRule.Audience.PARTICIPANTS, 7),
    (ReminderRule.Audience.PARTICIPANTS, 1),
)
# An expert invited a day ago is not reminded yet; a later run inside the rule's window will.
RECENTLY_SENT_GRACE = timedelta(days=2)


def create_default_reminder_rules(edition: Edition) -> list[ReminderRule]:
    """The usual reminders exist for the edition (existing rules are kept as they are)."""
    rules = []
    for audience, days in DEFAULT_REMINDER_RULES:
        rule, _ = ReminderRule.objects.get_or_create(edition=edition, audience=audience, days=days)
        rules.append(rule)
    return rules


def reminder_dedup_key(rule: ReminderRule, invitation: Invitation) -> str:
    return f"reminder:{rule.pk}:{invitation.pk}"


def current_rules(*, today) -> list[ReminderRule]:
    """Per edition and audience, the due rule closest to its anchor."""
    rules = (
        ReminderRule.objects.filter(active=True, edition__end_date__gte=today)
        .exclude(edition__status=Edition.Status.ARCHIVED)
        .select_related("edition__forum")
    )
    current: dict[tuple[int, str], ReminderRule] = {}
    for rule in rules:
        anchor = rule.anchor_date()
        if anchor is None or not (anchor - timedelta(days=rule.days) <= today <= anchor):
            continue
        key = (rule.edition_id, rule.audience)
        if key not in current or rule.days < current[key].days:
            current[key] = rule
    return list(current.values())


def concerns(rule: ReminderRule, invitation: Invitation, *, now) -> bool:
    """Whether the reminder is for this expert at this moment."""
    if invitation.token_revoked_at is not None:
        return False
    if rule.audience == ReminderRule.Audience.PARTICIPANTS:
        return invitation.status == Invitation.Status.ACCEPTED
    return (
        invitation.status == Invitation.Status.SENT
        and invitation.sent_at is not None
        and invitation.sent_at <= now - RECENTLY_SENT_GRACE
        and invitation.is_answerable
    )


def _remind(rule: ReminderRule, invitation_id: int, *, now) -> bool:
    with transaction.atomic():
        # Skip a row locked by an answer being saved right now: the next run sees its outcome.
        invitation = (
            Invitation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("expert", "offered_session")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None:
            return False
        invitation.edition = rule.edition
        if not concerns(rule, invitation, now=now):
            return False
        raw = current_raw_token(invitation)
        if raw is None:  # SECRET_KEY changed since the link was issued: give a working one
            raw = _issue_token(invitation)
            invitation.save()
            InvitationEvent.objects.create(
                invitation=invitation,
                kind=InvitationEvent.Kind.TOKEN_REISSUED,
                details={"reason": "reminder"},
            )
        participants = rule.audience == ReminderRule.Audience.PARTICIPANTS
        _, created = queue_invitation_email(
            invitation,
            rule.effective_template_kind,
            dedup_key=reminder_dedup_key(rule, invitation),
            raw_token=raw,
            ics_method="PUBLISH" if participants else None,
        )
        if created:
            InvitationEvent.objects.create(
                invitation=invitation,
                kind=InvitationEvent.Kind.REMINDED,
                details={"rule": rule.pk, "audience": rule.audience, "days": rule.days},
            )
        return created


def send_due_reminders(*, today=None) -> int:
    """Queue every reminder due today to those it concerns now, never twice; returns the count."""
    from academy_portal.mail.models import OutboxMessage

    today = today or timezone.localdate()
    now = timezone.now()
    queued = 0
    for rule in current_rules(today=today):
        invitations = rule.edition.invitations.filter(token_revoked_at__isnull=True)
        if rule.audience == ReminderRule.Audience.PARTICIPANTS:
            invitations = invitations.filter(status=Invitation.Status.ACCEPTED)
        else:
            invitations = invitations.pending().filter(sent_at__lte=now - RECENTLY_SENT_GRACE)
        ids = list(invitations.values_list("pk", flat=True))
        keys = {f"reminder:{rule.pk}:{pk}": pk for pk in ids}
        done = set(
            OutboxMessage.objects.filter(dedup_key__in=list(keys)).values_list(
                "dedup_key", flat=True
            )
        )
        for key, pk in keys.items():
            if key not in done and _remind(rule, pk, now=now):
                queued += 1
    return queued


def expire_unanswered_invitations(*, today=None) -> int:
    """Invitations still unanswered after the RSVP deadline become EXPIRED (with an event)."""
    today = today or timezone.localdate()
    ids = list(
        Invitation.objects.pending()
        .filter(edition__rsvp_deadline__lt=today)
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in ids:
        with transaction.atomic():
            invitation = (
                Invitation.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Invitation.Status.SENT)
                .first()
            )
            if invitation is None:
                continue
            invitation.status = Invitation.Status.EXPIRED
            invitation.save(update_fields=["status", "updated_at"])
            InvitationEvent.objects.create(
                invitation=invitation,
                kind=InvitationEvent.Kind.EXPIRED,
                details={"deadline": str(today - timedelta(days=1))},
            )
            expired += 1
    return expired


def run_invitation_chores(*, today=None) -> dict[str, int]:
    """The periodic job: expire what is overdue first, then send the reminders due."""
    expired = expire_unanswered_invitations(today=today)
    reminded = send_due_reminders(today=today)
    return {"expired": expired, "reminded": reminded}
