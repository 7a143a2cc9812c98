"""Demo step: the last East Sea Conference (14th), held, with its attendance: a dozen
participants who accepted, most checked in at the desk, the others closed as no-shows, one
corrected by staff, and feedback from two. Prints the check-in pages' addresses.

The invitations are history (answered before the edition, which has ended), so they are
written as rows; attendance goes through forums.services.attendance as the desk and staff do
it. A re-run finds everyone checked in and the attendance closed, and changes nothing.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from academy_portal.core import roles
from forums.models import Feedback, Invitation, Presence
from forums.services import attendance

from .context import DemoContext, upsert
from .data import EAST_SEA

PAST_EDITION = 14
PARTICIPANTS = 12
NO_SHOWS = 3  # the last ones of the list never came to the desk
FEEDBACK = [(5, "Frank and well-prepared discussions."), (4, "Useful; more time for Q&A.")]


def build_attendance(ctx: DemoContext) -> None:
    edition = ctx.editions[(EAST_SEA, PAST_EDITION)]
    coordinator = get_user_model().objects.filter(groups__name=roles.FORUM_COORDINATORS).first()
    desk = (
        get_user_model().objects.filter(groups__name=roles.REGISTRATION_DESK).first() or coordinator
    )
    # Experts other than those invited to the upcoming edition (the demo's first two dozen).
    experts = ctx.experts[-PARTICIPANTS:]
    answered = timezone.make_aware(dt.datetime.combine(edition.start_date, dt.time(10)))
    # Matched in bulk, with their attendance: a re-run costs a few queries, not one per row.
    existing = {
        invitation.expert_id: invitation
        for invitation in Invitation.objects.filter(edition=edition, expert__in=experts)
    }
    recorded = dict(
        Presence.objects.filter(invitation__edition=edition).values_list("invitation_id", "source")
    )
    invitations = []
    for expert in experts:
        invitations.append(
            upsert(
                ctx,
                Invitation,
                existing=existing.get(expert.pk),
                lookup={"edition": edition, "expert": expert},
                values={
                    "status": Invitation.Status.ACCEPTED,
                    "attendance": Invitation.Attendance.IN_PERSON,
                    "invited_by": coordinator,
                    "sent_at": answered - dt.timedelta(days=60),
                    "responded_at": answered - dt.timedelta(days=45),
                    "privacy_consent": True,
                },
            )
        )
    for invitation in invitations[:-NO_SHOWS]:
        if invitation.pk not in recorded:
            attendance.check_in(invitation=invitation, actor=desk)
    if edition.end_date < ctx.today and any(i.pk not in recorded for i in invitations):
        attendance.close_attendance(edition=edition, actor=coordinator)
    corrected = invitations[-1]
    if recorded.get(corrected.pk, Presence.Source.CLOSING) == Presence.Source.CLOSING:
        attendance.correct_attendance(
            invitation=corrected,
            status=Presence.Status.PRESENT,
            reason="Signed the paper list at the side entrance.",
            actor=coordinator,
        )
    given = set(
        Feedback.objects.filter(invitation__edition=edition).values_list("invitation_id", flat=True)
    )
    for invitation, (rating, comment) in zip(invitations, FEEDBACK, strict=False):
        if invitation.pk not in given:
            attendance.save_feedback(invitation=invitation, rating=rating, comment=comment)
    counts = attendance.attendance_counts(edition)
    upcoming = ctx.upcoming_edition
    ctx.notes += [
        "",
        f"Attendance of {edition}: {counts.present} present, {counts.absent} no-shows "
        f"of {counts.expected} confirmed.",
        "Registration desk (sign in as coordinator or desk):",
        f"  {settings.SITE_URL}{reverse('forums:checkin_desk', args=[upcoming.pk])}  (upcoming)",
        f"  {settings.SITE_URL}{reverse('forums:checkin_desk', args=[edition.pk])}  (held)",
    ]
