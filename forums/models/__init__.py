from .attendance import EditionMaterial, Feedback, Presence
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
    "EditionMaterial",
    "EditionQuerySet",
    "EmailTemplate",
    "ErasureRequest",
    "Feedback",
    "Forum",
    "Invitation",
    "InvitationEvent",
    "InvitationQuerySet",
    "Presence",
    "ReminderRule",
    "Session",
    "SessionRole",
    "hash_token",
]
