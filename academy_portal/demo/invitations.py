"""Demo step: invitations to the upcoming East Sea Conference, some answered, some pending.

Everything goes through forums.services, as staff and experts would do it. A re-run invites no one
twice and answers nothing twice; it only issues a fresh personal link for one pending invitation,
so `load_demo` can print a link that works (the raw token is never stored).
"""

import datetime as dt

from django.contrib.auth import get_user_model

from academy_portal.core import roles
from forums import services
from forums.models import Invitation
from forums.services.emails import rsvp_url

from .context import DemoContext

DEMO_INVITATIONS = 24
DRAFTS = 2
# What the invited experts answer, in order, after the drafts; the rest have not answered yet.
ANSWERS = [
    "accepted",
    "accepted",
    "declined",
    "accepted",
    "tentative",
    "accepted",
    "accepted",
    "declined",
    "accepted",
    "tentative",
    "accepted",
    "accepted",
    "declined",
    "accepted",
]
DECLINE_REASONS = ["A prior commitment abroad on those dates.", "Teaching duties that week."]
DIETARY = ["", "Vegetarian", "", "Halal", "", "No seafood"]


def build_invitations(ctx: DemoContext) -> None:
    """About two dozen invitations to the upcoming edition in every state staff will meet."""
    edition = ctx.upcoming_edition
    coordinator = get_user_model().objects.filter(groups__name=roles.FORUM_COORDINATORS).first()
    rng = ctx.rng("invitations")
    # The programme's speakers and moderators have their own invitations (programme.py).
    pool = [expert for expert in ctx.experts if expert.pk not in ctx.programme_experts]
    rng.shuffle(pool)
    sessions = list(edition.sessions.order_by("starts_at")[:3])
    for index, expert in enumerate(pool[:DEMO_INVITATIONS]):
        session = sessions[index % len(sessions)] if sessions and index % 4 == 0 else None
        invitation, created = services.invite_expert(
            edition,
            expert=expert,
            invited_by=coordinator,
            offered_session=session,
            offered_role="speaker" if session else "",
            personal_message=(
                "We would be honoured to hear your perspective again this year."
                if index % 5 == 0
                else ""
            ),
        )
        if created:
            ctx.changes["forums.Invitation created"] += 1
        if index < DRAFTS or invitation.status != Invitation.Status.DRAFT:
            continue
        services.send_invitation(invitation, sent_by=coordinator)
        answer_index = index - DRAFTS
        if answer_index < len(ANSWERS) and invitation.is_answerable:
            _answer(invitation, ANSWERS[answer_index], answer_index, edition)

    pending = (
        Invitation.objects.filter(edition=edition, expert__in=pool[:DEMO_INVITATIONS])
        .pending()
        .select_related("expert")
        .order_by("expert__family_name", "pk")
        .first()
    )
    if pending is not None and pending.is_answerable:
        token = services.reissue_token(pending, issued_by=coordinator)
        ctx.notes += [
            "",
            f"Try the expert side: the personal invitation of {pending.expert.formal_name} "
            f"(a new link each run; the previous one stops working):",
            f"  {rsvp_url(token)}",
        ]


def _answer(invitation: Invitation, answer: str, n: int, edition) -> None:
    details = {}
    if answer == "accepted":
        details = {
            "attendance": "in_person",
            "dietary_needs": DIETARY[n % len(DIETARY)],
            "arrival_date": edition.start_date - dt.timedelta(days=1),
            "departure_date": edition.end_date,
            "needs_hotel": n % 2 == 0,
            "needs_visa_letter": n % 3 == 0,
            "passport_name": invitation.expert.full_name.upper() if n % 3 == 0 else "",
            "passport_nationality": str(invitation.expert.nationality) if n % 3 == 0 else "",
            "privacy_consent": True,
            "chatham_house_acknowledged": True,
            "listing_consent": True,
        }
    elif answer == "declined":
        details = {"decline_reason": DECLINE_REASONS[n % len(DECLINE_REASONS)]}
    services.submit_rsvp(invitation, answer=answer, expected_version=invitation.version, **details)
