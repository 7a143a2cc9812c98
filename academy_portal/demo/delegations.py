"""Demo step: one delegation request to the upcoming edition, sent under a partner's MOU, with
two of its three places named (so the nomination page, the admin and the MOU all show some).

Through partners.delegations, as staff and the partner's contact would do it. A re-run names no
one twice and sends nothing again."""

import datetime as dt

from django.contrib.auth import get_user_model

from academy_portal.core import roles
from forums.models import Invitation
from partners import delegations
from partners.models import MOU, DelegationRequest

from .context import DemoContext, upsert

INSTITUTION = "cmis"
NAMED = 2


def build_delegations(ctx: DemoContext) -> None:
    """A delegation request from the upcoming East Sea Conference to a partner with an MOU."""
    edition = ctx.upcoming_edition
    institution = ctx.institutions[INSTITUTION]
    coordinator = get_user_model().objects.filter(groups__name=roles.FORUM_COORDINATORS).first()
    contact = institution.contacts.exclude(email="").order_by("pk").first()
    request = upsert(
        ctx,
        DelegationRequest,
        lookup={"edition": edition, "institution": institution},
        values={
            "mou": MOU.objects.in_force().filter(institution=institution).order_by("pk").first(),
            "contact_name": contact.name if contact else "International Relations Office",
            "contact_email": contact.email if contact else "international@example.org",
            "language": "en",
            "max_delegates": 3,
            "deadline": min(ctx.today + dt.timedelta(days=14), edition.start_date),
            "message": "We would be glad to welcome your researchers again this year.",
        },
        save=lambda row: delegations.save_delegation_request(request=row, saved_by=coordinator),
    )
    if request.status == DelegationRequest.Status.DRAFT:
        delegations.send_delegation_request(request=request, sent_by=coordinator)
    if request.nominations.exists():
        return
    invited = Invitation.objects.filter(edition=edition).values("expert_id")
    free = [e for e in ctx.experts if e.affiliation_id == institution.pk] + ctx.experts
    chosen = []
    for expert in free:
        if expert not in chosen and not invited.filter(expert_id=expert.pk).exists():
            chosen.append(expert)
        if len(chosen) == NAMED:
            break
    delegations.nominate_delegates(
        request=request,
        nominees=[
            delegations.Nominee(
                name=expert.full_name,
                title=expert.honorific,
                email=expert.email,
                language=expert.preferred_language,
            )
            for expert in chosen
        ],
    )
    ctx.notes.append(
        f"Delegation request: {institution} named {len(chosen)} of 3 delegates to {edition}; "
        "send it again from the admin (Delegation requests) for a nomination link."
    )
