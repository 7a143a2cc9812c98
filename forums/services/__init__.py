"""Forums services: every write of invitations, answers and reminders goes through here."""

from .emails import render_email, validate_template_text
from .invitations import (
    InvitationError,
    fill_places_from_waitlist,
    invite_and_send,
    invite_expert,
    promote_from_waitlist,
    queue_invitation_email,
    reissue_token,
    remind_invitation_now,
    resend_invitations,
    send_invitation,
    send_invitations,
    withdraw_invitation,
)
from .reminders import (
    create_default_reminder_rules,
    expire_unanswered_invitations,
    run_invitation_chores,
    send_due_reminders,
)
from .rsvp import (
    InvalidAnswer,
    RSVPClosed,
    RSVPError,
    StaleAnswer,
    closed_reason,
    record_rsvp_opened,
    submit_rsvp,
)
from .tokens import current_raw_token, find_invitation_by_token

__all__ = [
    "InvalidAnswer",
    "InvitationError",
    "RSVPClosed",
    "RSVPError",
    "StaleAnswer",
    "closed_reason",
    "create_default_reminder_rules",
    "current_raw_token",
    "expire_unanswered_invitations",
    "fill_places_from_waitlist",
    "find_invitation_by_token",
    "invite_and_send",
    "invite_expert",
    "promote_from_waitlist",
    "queue_invitation_email",
    "record_rsvp_opened",
    "reissue_token",
    "remind_invitation_now",
    "render_email",
    "resend_invitations",
    "run_invitation_chores",
    "send_due_reminders",
    "send_invitation",
    "send_invitations",
    "submit_rsvp",
    "validate_template_text",
    "withdraw_invitation",
]
