"""Reminder rules per edition, due reminders, and expiry of unanswered invitations.

A rule is due from (anchor - days) until the anchor (RSVP deadline or first day). When several rules
of one audience are due at once (the beat was down), only the latest one is sent: an expert gets one
"please answer" email, not two in a row. Each (rule, invitation) is sent at most once.

Reminders sent by hand ("Remind now"): never within settings.MANUAL_REMINDER_MIN_GAP minutes of
the invitation going out or of the expert's previous reminder.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import CHANGE
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from academy_portal.core.services import log_admin_action
from academy_portal.mail.models import OutboxMessage
from forums.models import Edition, EmailTemplate, Invitation, InvitationEvent, ReminderRule

from .events import invitation_ids, lock_invitation, record_event, refresh_invitation
from .invitation_emails import BatchCache, queue_invitation_email
from .tokens import current_raw_token, issue_token

DEFAULT_REMINDER_RULES = (
    (ReminderRule.Audience.NON_RESPONDERS, 14),
    (ReminderRule.Audience.NON_RESPONDERS, 3),
    (ReminderRule.Audience.PARTICIPANTS, 7),
    (ReminderRule.Audience.PARTICIPANTS, 1),
)
# An expert invited a day ago is not reminded yet; a later run inside the rule's window will.
RECENTLY_SENT_GRACE = timedelta(days=2)
# Overdue invitations expired per transaction; reminders queued per transaction.
EXPIRY_BATCH = 500
REMINDER_BATCH = 50


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


def _remind_batch(rule: ReminderRule, invitation_ids: list[int], *, now, cache) -> int:
    """Remind these invitations of the rule in one transaction; how many were queued."""
    queued = 0
    with transaction.atomic():
        # Skip rows locked by an answer being saved right now: the next run sees the outcome.
        # By primary key, with the expert only (the rare offered session is read if there is
        # one): no join that reads a whole small table for each reminder.
        locked = (
            Invitation.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("expert")
            .filter(pk__in=invitation_ids)
            .order_by("pk")
        )
        for invitation in locked:
            invitation.edition = rule.edition
            if concerns(rule, invitation, now=now) and _remind(rule, invitation, cache=cache):
                queued += 1
    return queued


def _remind(rule: ReminderRule, invitation: Invitation, *, cache: BatchCache) -> bool:
    """Queue the rule's reminder to a locked invitation it concerns; False if queued before."""
    raw = current_raw_token(invitation)
    if raw is None:  # SECRET_KEY changed since the link was issued: give a working one
        raw = issue_token(invitation)
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
        cache=cache,
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

    today = today or timezone.localdate()
    now = timezone.now()
    invitation_type = ContentType.objects.get_for_model(Invitation)
    queued = 0
    for rule in current_rules(today=today):
        invitations = rule.edition.invitations.filter(token_revoked_at__isnull=True)
        if rule.audience == ReminderRule.Audience.PARTICIPANTS:
            invitations = invitations.filter(status=Invitation.Status.ACCEPTED)
        else:
            invitations = invitations.pending().filter(sent_at__lte=now - RECENTLY_SENT_GRACE)
        ids = list(invitations.order_by("pk").values_list("pk", flat=True))
        keys = {f"reminder:{rule.pk}:{pk}": pk for pk in ids}
        # What earlier runs queued, read through these invitations' own outbox rows (indexed
        # by related object), not by looking every key up among all emails ever queued.
        # queue_email's unique dedup_key still settles a race between two runs.
        done = set(
            OutboxMessage.objects.filter(
                related_content_type=invitation_type,
                related_object_id__in=ids,
                dedup_key__in=list(keys),
            )
            .order_by()
            .values_list("dedup_key", flat=True)
        )
        cache = BatchCache()  # the edition's templates, looked up once per rule
        due = [pk for key, pk in keys.items() if key not in done]
        # A transaction per REMINDER_BATCH reminders, not per reminder: each commit waits for
        # the disk, and an answer being saved waits at most one batch for its row.
        for start in range(0, len(due), REMINDER_BATCH):
            queued += _remind_batch(rule, due[start : start + REMINDER_BATCH], now=now, cache=cache)
    return queued


def expire_unanswered_invitations(*, today=None) -> int:
    """Invitations still unanswered after the RSVP deadline become EXPIRED, each with its
    event, EXPIRY_BATCH at a time: each row is locked and still unanswered when it changes
    (a row an answer is being saved to is skipped; the next run sees how it ended)."""
    today = today or timezone.localdate()
    ids = list(
        Invitation.objects.pending()
        .filter(edition__rsvp_deadline__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    details = {"deadline": str(today - timedelta(days=1))}
    expired = 0
    for start in range(0, len(ids), EXPIRY_BATCH):
        with transaction.atomic():
            locked = [
                invitation.pk
                for invitation in Invitation.objects.select_for_update(skip_locked=True)
                .filter(pk__in=ids[start : start + EXPIRY_BATCH], status=Invitation.Status.SENT)
                .order_by("pk")
                .only("pk")
            ]
            Invitation.objects.filter(pk__in=locked).update(
                status=Invitation.Status.EXPIRED, updated_at=timezone.now()
            )
            InvitationEvent.objects.bulk_create(
                InvitationEvent(
                    invitation_id=pk, kind=InvitationEvent.Kind.EXPIRED, details=details
                )
                for pk in locked
            )
            expired += len(locked)
    return expired


def run_invitation_chores(*, today=None) -> dict[str, int]:
    """The periodic job: expire what is overdue first, then send the reminders due."""
    expired = expire_unanswered_invitations(today=today)
    reminded = send_due_reminders(today=today)
    return {"expired": expired, "reminded": reminded}


# --- reminders sent by hand ("Remind now") --------------------------------------------------


@dataclass
class SkippedReminder:
    invitation: Invitation
    reason: str  # in words for the staff member


@dataclass
class RemindOutcome:
    """What "Remind now" did: the invitations reminded, and those skipped with the reason."""

    reminded: list[Invitation] = field(default_factory=list)
    skipped: list[SkippedReminder] = field(default_factory=list)


@dataclass
class ReminderPlan:
    """What "Remind now" would do: those it would remind, those it would skip and why."""

    to_remind: list[Invitation] = field(default_factory=list)
    skipped: list[SkippedReminder] = field(default_factory=list)

    @property
    def invitations(self) -> list[Invitation]:
        return [*self.to_remind, *(s.invitation for s in self.skipped)]


def plan_reminders(invitations, *, requested_at: datetime | None = None) -> ReminderPlan:
    """Who "Remind now" at `requested_at` (default now) would remind and who it would skip,
    with the reason; writes nothing. The rule is remind_invitations_now's own
    (`_why_not_remind`), each invitation's last reminder read in the same query; the service
    checks again, under a lock, when it sends."""
    requested_at = requested_at or timezone.now()
    rows = (
        Invitation.objects.filter(pk__in=invitation_ids(invitations))
        .select_related("expert", "edition__forum")
        .annotate(
            last_reminded_at=Max(
                "events__created_at", filter=Q(events__kind=InvitationEvent.Kind.REMINDED)
            )
        )
        .order_by("expert__name_sort_key", "pk")
    )
    plan = ReminderPlan()
    for invitation in rows:
        reason = _why_not_remind(
            invitation, requested_at=requested_at, last_reminded=invitation.last_reminded_at
        )
        if reason is None:
            plan.to_remind.append(invitation)
        else:
            plan.skipped.append(SkippedReminder(invitation, reason))
    return plan


def manual_reminder_gap() -> timedelta:
    return timedelta(minutes=settings.MANUAL_REMINDER_MIN_GAP)


def remind_invitations_now(
    invitations, *, reminded_by, requested_at: datetime | None = None
) -> RemindOutcome:
    """remind_invitation_now for each invitation given; says which were reminded, which not
    and why (answered or not sent, or within the minimum gap of the last email)."""
    outcome = RemindOutcome()
    requested_at = requested_at or timezone.now()
    rows = Invitation.objects.filter(pk__in=invitation_ids(invitations)).order_by("pk")
    for invitation in rows.select_related("expert"):
        reason = _remind_now(invitation, reminded_by=reminded_by, requested_at=requested_at)
        if reason is None:
            outcome.reminded.append(invitation)
        else:
            outcome.skipped.append(SkippedReminder(invitation, reason))
    return outcome


def remind_invitation_now(
    invitation: Invitation, *, reminded_by, requested_at: datetime | None = None
) -> bool:
    """A "please answer" reminder now, for a pending invitation only; False if not sent.

    Invariant: an expert gets no manual reminder within settings.MANUAL_REMINDER_MIN_GAP
    minutes of the invitation being sent or of the previous reminder, judged at `requested_at`
    (the click; default now). So a double click, even one straddling a minute, or a background
    task run twice, sends one reminder."""
    reason = _remind_now(
        invitation, reminded_by=reminded_by, requested_at=requested_at or timezone.now()
    )
    return reason is None


REMINDED = _("Reminder sent.")  # the admin log's line ("_" is taken inside _remind_now)


def _remind_now(invitation: Invitation, *, reminded_by, requested_at: datetime) -> str | None:
    """Remind; None when reminded, else why not."""
    with transaction.atomic():
        _, locked = lock_invitation(invitation)
        reason = _why_not_remind(
            locked, requested_at=requested_at, last_reminded=_last_reminded(locked)
        )
        if reason is None:
            raw = current_raw_token(locked)
            if raw is None:  # SECRET_KEY was changed since the link was issued
                raw = issue_token(locked)
                locked.save()
                record_event(locked, InvitationEvent.Kind.TOKEN_REISSUED, actor=reminded_by)
            # The gap above decides; the key (with the click's minute) is a second guard.
            stamp = requested_at.strftime("%Y%m%d%H%M")
            _, created = queue_invitation_email(
                locked,
                EmailTemplate.Kind.REMINDER_UNANSWERED,
                dedup_key=f"reminder:manual:{locked.pk}:{stamp}",
                raw_token=raw,
            )
            if created:
                record_event(locked, InvitationEvent.Kind.REMINDED, actor=reminded_by, manual=True)
                log_admin_action(user=reminded_by, obj=locked, action_flag=CHANGE, message=REMINDED)
            else:
                reason = _("reminded a moment ago")
    refresh_invitation(invitation, locked)
    return reason


def _last_reminded(invitation: Invitation) -> datetime | None:
    return invitation.events.filter(kind=InvitationEvent.Kind.REMINDED).aggregate(
        last=Max("created_at")
    )["last"]


def _why_not_remind(
    invitation: Invitation, *, requested_at: datetime, last_reminded: datetime | None
) -> str | None:
    """Why "Remind now" skips this invitation at `requested_at`; None if it reminds.
    The one rule for the confirmation page (plan_reminders) and the sending."""
    if invitation.status != Invitation.Status.SENT or not invitation.is_answerable:
        return _("answered, not sent, or closed")
    gap = manual_reminder_gap()
    minutes = settings.MANUAL_REMINDER_MIN_GAP
    if invitation.sent_at is not None and invitation.sent_at > requested_at - gap:
        return ngettext(
            "invitation sent less than %(minutes)d minute ago",
            "invitation sent less than %(minutes)d minutes ago",
            minutes,
        ) % {"minutes": minutes}
    if last_reminded is not None and last_reminded > requested_at - gap:
        return ngettext(
            "reminded less than %(minutes)d minute ago",
            "reminded less than %(minutes)d minutes ago",
            minutes,
        ) % {"minutes": minutes}
    return None
