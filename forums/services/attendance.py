"""Attendance: checking participants in at the desk, closing an edition's attendance, staff
corrections, the thank-you email to those who came and their feedback.

One `Presence` row per invitation (forums.models.attendance). Only accepted invitations can be
present or absent. Every change is an InvitationEvent (who, when, what before) and, when a
staff member made it, a line of the admin log.
"""

from dataclasses import dataclass, field

from django.contrib.admin.models import CHANGE
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy_portal.core.services import log_admin_action
from forums.models import Edition, EmailTemplate, Feedback, Invitation, InvitationEvent, Presence

from .events import lock_invitation, record_event, refresh_invitation
from .invitation_emails import BatchCache, queue_invitation_email


class AttendanceError(Exception):
    """An attendance change that may not be made; `message` says why, for staff."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@dataclass
class CheckInOutcome:
    invitation: Invitation
    presence: Presence
    already: bool  # the person was already marked present (a double tap): nothing changed


def _require_accepted(invitation: Invitation) -> None:
    if invitation.status != Invitation.Status.ACCEPTED:
        raise AttendanceError(
            _("%(name)s is not a confirmed participant (invitation: %(status)s).")
            % {"name": invitation.expert.full_name, "status": invitation.get_status_display()}
        )


@transaction.atomic
def check_in(*, invitation: Invitation, actor) -> CheckInOutcome:
    """Mark an accepted participant present, once: a second tap changes nothing (the status
    goes from "not known" or "absent" to "present" only), so the desk can tap twice safely."""
    _edition, locked = lock_invitation(invitation)
    _require_accepted(locked)
    presence = Presence.objects.select_for_update().filter(invitation=locked).first()
    if presence is not None and presence.status == Presence.Status.PRESENT:
        return CheckInOutcome(invitation=locked, presence=presence, already=True)
    previous = presence.status if presence else ""
    now = timezone.now()
    presence, _created = Presence.objects.update_or_create(
        invitation=locked,
        defaults={
            "status": Presence.Status.PRESENT,
            "source": Presence.Source.CHECK_IN,
            "recorded_by": actor,
            "recorded_at": now,
            "reason": "",
        },
    )
    record_event(locked, InvitationEvent.Kind.CHECKED_IN, actor=actor, previous=previous)
    log_admin_action(
        user=actor, obj=locked, action_flag=CHANGE, message=_("Checked in at the registration desk")
    )
    refresh_invitation(invitation, locked)
    return CheckInOutcome(invitation=invitation, presence=presence, already=False)


@transaction.atomic
def correct_attendance(*, invitation: Invitation, status: str, reason: str, actor) -> Presence:
    """Staff set a participant present or absent after the fact, with the reason written
    down; the previous value stays in the history."""
    reason = (reason or "").strip()
    if status not in Presence.Status.values:
        raise AttendanceError(_("Choose present or no-show."))
    if not reason:
        raise AttendanceError(_("Give the reason for the correction."))
    _edition, locked = lock_invitation(invitation)
    _require_accepted(locked)
    current = Presence.objects.select_for_update().filter(invitation=locked).first()
    previous = current.status if current else ""
    if current is not None and current.thanked_at and status != Presence.Status.PRESENT:
        raise AttendanceError(
            _("%(name)s has already been thanked for attending; they cannot become a no-show.")
            % {"name": locked.expert.full_name}
        )
    presence, _created = Presence.objects.update_or_create(
        invitation=locked,
        defaults={
            "status": status,
            "source": Presence.Source.CORRECTION,
            "recorded_by": actor,
            "recorded_at": timezone.now(),
            "reason": reason,
        },
    )
    record_event(
        locked,
        InvitationEvent.Kind.ATTENDANCE,
        actor=actor,
        attendance=status,
        previous=previous,
        reason=reason,
    )
    log_admin_action(
        user=actor,
        obj=locked,
        action_flag=CHANGE,
        message=_("Attendance corrected to %(status)s: %(reason)s")
        % {"status": Presence.Status(status).label, "reason": reason},
    )
    refresh_invitation(invitation, locked)
    return presence


@transaction.atomic
def close_attendance(*, edition: Edition, actor=None) -> int:
    """After the edition has ended, every accepted participant not checked in (and not
    corrected) becomes a no-show. Returns how many; a second run finds none and changes nothing.
    """
    if edition.end_date >= timezone.localdate():
        raise AttendanceError(
            _("%(edition)s has not ended yet: attendance is closed after the last day.")
            % {"edition": edition}
        )
    Edition.objects.select_for_update().filter(pk=edition.pk).first()  # one closing at a time
    open_ids = list(
        Invitation.objects.filter(
            edition=edition, status=Invitation.Status.ACCEPTED, presence__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not open_ids:
        return 0
    now = timezone.now()
    Presence.objects.bulk_create(
        [
            Presence(
                invitation_id=pk,
                status=Presence.Status.ABSENT,
                source=Presence.Source.CLOSING,
                recorded_by=actor,
                recorded_at=now,
            )
            for pk in open_ids
        ]
    )
    InvitationEvent.objects.bulk_create(
        [
            InvitationEvent(
                invitation_id=pk,
                kind=InvitationEvent.Kind.ATTENDANCE,
                actor=actor,
                details={"attendance": Presence.Status.ABSENT, "closing": True},
                created_at=now,
            )
            for pk in open_ids
        ]
    )
    log_admin_action(
        user=actor,
        obj=edition,
        action_flag=CHANGE,
        message=_("Attendance closed: %(count)d no-shows") % {"count": len(open_ids)},
    )
    return len(open_ids)


def close_ended_editions(*, today=None) -> dict[int, int]:
    """The daily chore: close the attendance of every ended edition that still has accepted
    participants without one. {edition id: no-shows recorded}; twice is harmless."""
    today = today or timezone.localdate()
    editions = Edition.objects.filter(
        end_date__lt=today,
        invitations__status=Invitation.Status.ACCEPTED,
        invitations__presence__isnull=True,
    ).distinct()
    return {edition.pk: close_attendance(edition=edition) for edition in editions}


@dataclass
class AttendanceCounts:
    expected: int
    present: int
    absent: int

    @property
    def unknown(self) -> int:
        return self.expected - self.present - self.absent


def attendance_counts(edition: Edition) -> AttendanceCounts:
    """Accepted participants and how many of them are present / no-shows (one query)."""
    counts = Invitation.objects.filter(
        edition=edition, status=Invitation.Status.ACCEPTED
    ).aggregate(
        expected=Count("pk"),
        present=Count("pk", filter=Q(presence__status=Presence.Status.PRESENT)),
        absent=Count("pk", filter=Q(presence__status=Presence.Status.ABSENT)),
    )
    return AttendanceCounts(**counts)


# --- Thank-you and feedback ------------------------------------------------------------------


@dataclass
class ThankYouPlan:
    to_thank: list[Invitation] = field(default_factory=list)
    already_thanked: int = 0
    not_present: int = 0


def plan_thank_you(edition: Edition) -> ThankYouPlan:
    """Who "Send thank-you" would write to (present, not yet thanked) and who it leaves out."""
    accepted = Invitation.objects.filter(edition=edition, status=Invitation.Status.ACCEPTED)
    plan = ThankYouPlan()
    plan.to_thank = list(
        accepted.filter(presence__status=Presence.Status.PRESENT, presence__thanked_at__isnull=True)
        .select_related("expert", "edition__forum")
        .order_by("expert__family_name", "expert__given_name", "pk")
    )
    plan.already_thanked = accepted.filter(presence__thanked_at__isnull=False).count()
    plan.not_present = accepted.exclude(presence__status=Presence.Status.PRESENT).count()
    return plan


@transaction.atomic
def send_thank_you(*, edition: Edition, actor) -> int:
    """Queue the thank-you email for each participant who came and has not been thanked:
    once per invitation (the presence row records it, the outbox deduplicates too).
    Returns how many were queued."""
    Edition.objects.select_for_update().filter(pk=edition.pk).first()
    presences = list(
        Presence.objects.select_for_update(of=("self",))
        .filter(
            invitation__edition=edition,
            invitation__status=Invitation.Status.ACCEPTED,
            status=Presence.Status.PRESENT,
            thanked_at__isnull=True,
        )
        .select_related("invitation__expert", "invitation__edition__forum")
        .order_by("pk")
    )
    cache = BatchCache()
    now = timezone.now()
    for presence in presences:
        invitation = presence.invitation
        queue_invitation_email(
            invitation,
            EmailTemplate.Kind.THANK_YOU,
            dedup_key=f"thank-you:{invitation.pk}",
            cache=cache,
        )
        presence.thanked_at = now
        record_event(invitation, InvitationEvent.Kind.THANKED, actor=actor)
    Presence.objects.bulk_update(presences, ["thanked_at"])
    if presences:
        log_admin_action(
            user=actor,
            obj=edition,
            action_flag=CHANGE,
            message=_("Thank-you email queued for %(count)d participants")
            % {"count": len(presences)},
        )
    return len(presences)


def attended(invitation: Invitation) -> bool:
    """Whether the invitation's expert was present (the materials page and feedback need it)."""
    return Presence.objects.filter(invitation=invitation, status=Presence.Status.PRESENT).exists()


@transaction.atomic
def save_feedback(*, invitation: Invitation, rating: int, comment: str = "") -> Feedback:
    """The participant's feedback, one per invitation: giving it again replaces it."""
    if not attended(invitation):
        raise AttendanceError(_("Feedback is asked of participants who attended."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise AttendanceError(_("Choose a rating from 1 to 5."))
    feedback, _created = Feedback.objects.update_or_create(
        invitation=invitation, defaults={"rating": rating, "comment": (comment or "").strip()}
    )
    return feedback
