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
from .visa_letters import REGISTER_SUFFIX, LetterSettings, VisaLetter, VisaLetterQuerySet

__all__ = [
    "REGISTER_SUFFIX",
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
    "LetterSettings",
    "Presence",
    "ReminderRule",
    "Session",
    "SessionRole",
    "VisaLetter",
    "VisaLetterQuerySet",
    "hash_token",
]
