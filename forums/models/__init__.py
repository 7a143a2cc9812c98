from .forums import AttributionRule, Edition, EditionQuerySet, Forum, Session, SessionRole
from .invitations import (
    EmailTemplate,
    Invitation,
    InvitationEvent,
    InvitationQuerySet,
    ReminderRule,
    hash_token,
)

__all__ = [
    "AttributionRule",
    "Edition",
    "EditionQuerySet",
    "EmailTemplate",
    "Forum",
    "Invitation",
    "InvitationEvent",
    "InvitationQuerySet",
    "ReminderRule",
    "Session",
    "SessionRole",
    "hash_token",
]
