"""Reads of the forums app that pages and admin pages share."""

from dataclasses import dataclass, field

from experts.models import Expert
from forums.models import Edition, Invitation, SessionRole


@dataclass
class EditionParticipation:
    """One edition in an expert's history: the invitation (if any) and the roles held."""

    edition: Edition
    invitation: Invitation | None = None
    roles: list[SessionRole] = field(default_factory=list)


def get_expert_participation(*, expert: Expert) -> list[EditionParticipation]:
    """The expert's invitations and session roles by edition, latest edition first.

    Two queries whatever the number of editions (invitations with their attendance, then
    roles, each with its edition and forum). The page shows no personal details of the answers.
    """
    by_edition: dict[int, EditionParticipation] = {}
    invitations = Invitation.objects.filter(expert=expert).select_related(
        "edition__forum", "offered_session", "presence"
    )
    for invitation in invitations:
        by_edition[invitation.edition_id] = EditionParticipation(
            edition=invitation.edition, invitation=invitation
        )
    roles = SessionRole.objects.filter(expert=expert).select_related("session__edition__forum")
    for role in roles.order_by("session__starts_at", "order"):
        edition = role.session.edition
        entry = by_edition.setdefault(edition.pk, EditionParticipation(edition=edition))
        entry.roles.append(role)
    return sorted(by_edition.values(), key=lambda entry: entry.edition.start_date, reverse=True)
