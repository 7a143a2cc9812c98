"""Demo step: the upcoming conference's speakers and moderators are invited to their sessions,
accept and (all but one) agree to be named; then the programme is published.

Through forums.services, as a coordinator and the experts would do it: every name on the
programme has an accepted invitation, so the edition page shows no warning. A re-run invites
no one twice and answers nothing twice.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from academy_portal.core import roles
from forums import services
from forums.ics import programme_url
from forums.models import Invitation, SessionRole

from .context import DemoContext

# Who, by position in the programme (session by session, in role order), answers otherwise:
# one speaker has not answered yet, one accepted but would rather not be named in public.
NOT_ANSWERED = 12
NOT_LISTED = 5


def build_programme(ctx: DemoContext) -> None:
    """Invite each role holder to their session and role; publish the programme."""
    edition = ctx.upcoming_edition
    coordinator = get_user_model().objects.filter(groups__name=roles.FORUM_COORDINATORS).first()
    invited = set(Invitation.objects.filter(edition=edition).values_list("expert_id", flat=True))
    # The roles build_sessions planned (not those later accepted offers added).
    cast = (
        SessionRole.objects.filter(session__edition=edition, expert__in=ctx.programme_experts)
        .select_related("session", "expert")
        .order_by("session__starts_at", "order", "pk")
    )
    for position, role in enumerate(cast):
        if role.expert_id in invited:
            continue
        invitation, _ = services.invite_expert(
            edition,
            expert=role.expert,
            invited_by=coordinator,
            offered_session=role.session,
            offered_role=role.role,
        )
        services.send_invitation(invitation, sent_by=coordinator)
        if position == NOT_ANSWERED:
            continue
        invitation.refresh_from_db()
        services.submit_rsvp(
            invitation,
            answer=Invitation.Status.ACCEPTED,
            expected_version=invitation.version,
            attendance=Invitation.Attendance.IN_PERSON,
            sessions=[role.session],
            privacy_consent=True,
            chatham_house_acknowledged=True,
            listing_consent=position != NOT_LISTED,
        )
    services.publish_programme(edition=edition, published_by=coordinator)
    ctx.notes += [
        "",
        "The public programme of the upcoming conference, and the forums' calendar feed:",
        f"  {programme_url(edition)}",
        f"  {settings.SITE_URL}{reverse('forums:calendar')}",
    ]
