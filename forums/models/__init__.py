from .forums import AttributionRule, Edition, EditionQuerySet, Forum, Session, SessionRole
from .invitations import (
    EmailTemplate,
    Invitation,
    InvitationEvent,
    InvitationQuerySet,
    ReminderRule,
    hash_token,
)
from .privacy import ErasureRequest

__all__ = [
    "AttributionRule",
    "Edition",
    "EditionQuerySet",
    "EmailTemplate",
    "ErasureRequest",
    "Forum",
    "Invitation",
    "InvitationEvent",
    "InvitationQuerySet",
    "ReminderRule",
    "Session",
    "SessionRole",
    "hash_token",
]
