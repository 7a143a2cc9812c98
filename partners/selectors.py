"""Partner reads: who receives MOU expiry notices, and an institution's history.

Reads only; the writes and rules are in services.py (which imports from here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from academy_portal.core.roles import PARTNERSHIPS_OFFICERS
from experts.models import Expert
from forums.models import SessionRole

from .models import MOU, Contact, Institution

# --- Expiry notice recipients ------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""
    language: str = field(default_factory=lambda: settings.LANGUAGE_CODE)


def partnership_recipients() -> list[Recipient]:
    """Active partnerships officers with an email, then PARTNERSHIPS_NOTIFY_EMAILS; one each."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=PARTNERSHIPS_OFFICERS)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    recipients: dict[str, Recipient] = {}
    for user in users:
        # Staff accounts carry no language preference: they read the portal's default language.
        name = user.get_full_name() or user.get_username()
        recipients.setdefault(user.email.strip().lower(), Recipient(email=user.email, name=name))
    for email in settings.PARTNERSHIPS_NOTIFY_EMAILS:
        email = email.strip()
        if email:
            recipients.setdefault(email.lower(), Recipient(email=email))
    return list(recipients.values())


# --- Partner history (read side) ---------------------------------------------------------------


@dataclass
class Participation:
    """One expert at one forum edition: the invitation (if any) and the session roles held."""

    edition: object
    invitation: object | None = None
    roles: list = field(default_factory=list)


@dataclass
class ExpertHistory:
    expert: object
    participations: list[Participation]


@dataclass
class PartnerHistory:
    institution: object
    mou_chains: list[list[MOU]]  # each chain oldest first, linked by `supersedes`
    contacts: list
    experts: list[ExpertHistory]
    invitations_available: bool


def _invitation_model():
    try:
        return apps.get_model("forums", "Invitation")
    except LookupError:
        return None


def _mou_chains(mous: list[MOU]) -> list[list[MOU]]:
    by_pk = {m.pk: m for m in mous}
    successor = {m.supersedes_id: m for m in mous if m.supersedes_id in by_pk}
    chains = []
    for mou in mous:
        if mou.supersedes_id in by_pk:
            continue  # not the start of a chain
        chain, seen = [mou], {mou.pk}
        while chain[-1].pk in successor and successor[chain[-1].pk].pk not in seen:
            chain.append(successor[chain[-1].pk])
            seen.add(chain[-1].pk)
        chains.append(chain)

    def start(chain):
        first = chain[0]
        return first.signed_on or first.effective_from or dt.date.min, first.pk

    # Newest relationship first: what staff look for is the MOU in force now.
    return sorted(chains, key=start, reverse=True)


def partner_history(institution_id: int) -> PartnerHistory:
    """Everything the academy did with one institution, in a fixed number of queries."""
    invitation_model = _invitation_model()
    expert_prefetches = [
        Prefetch(
            "session_roles",
            queryset=SessionRole.objects.select_related("session__edition__forum"),
        )
    ]
    if invitation_model is not None:
        expert_prefetches.append(
            Prefetch(
                "invitations",
                queryset=invitation_model.objects.select_related(
                    "edition__forum", "offered_session", "presence"
                ),
            )
        )
    institution = get_object_or_404(
        Institution.objects.prefetch_related(
            Prefetch(
                "mous",
                queryset=MOU.objects.select_related("supersedes", "superseded_by").order_by(
                    "signed_on", "effective_from", "pk"
                ),
            ),
            Prefetch("contacts", queryset=Contact.objects.order_by("name")),
            Prefetch(
                "experts",
                queryset=Expert.objects.order_by("name_sort_key", "pk").prefetch_related(
                    *expert_prefetches
                ),
            ),
        ),
        pk=institution_id,
    )
    experts = []
    for expert in institution.experts.all():
        by_edition: dict[int, Participation] = {}
        if invitation_model is not None:
            for invitation in expert.invitations.all():
                by_edition.setdefault(
                    invitation.edition_id, Participation(edition=invitation.edition)
                ).invitation = invitation
        for role in expert.session_roles.all():
            edition = role.session.edition
            by_edition.setdefault(edition.pk, Participation(edition=edition)).roles.append(role)
        participations = sorted(
            by_edition.values(), key=lambda p: (p.edition.start_date, p.edition.pk), reverse=True
        )
        experts.append(ExpertHistory(expert=expert, participations=participations))
    return PartnerHistory(
        institution=institution,
        mou_chains=_mou_chains(list(institution.mous.all())),
        contacts=list(institution.contacts.all()),
        experts=experts,
        invitations_available=invitation_model is not None,
    )
