"""Forums services: every write of invitations, answers and reminders goes through here."""

from .batches import (
    invite_and_send,
    invite_and_send_later,
    invite_experts,
    remind_invitations_later,
    resend_invitations_later,
    send_invitations_later,
)
from .emails import render_email, validate_template_text
from .invitations import (
    InvitationError,
    fill_places_from_waitlist,
    invite_expert,
    promote_from_waitlist,
    queue_invitation_email,
    reissue_token,
    remind_invitation_now,
    remind_invitations_now,
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
    "invite_and_send_later",
    "invite_expert",
    "invite_experts",
    "promote_from_waitlist",
    "queue_invitation_email",
    "record_rsvp_opened",
    "reissue_token",
    "remind_invitation_now",
    "remind_invitations_later",
    "remind_invitations_now",
    "render_email",
    "resend_invitations",
    "resend_invitations_later",
    "run_invitation_chores",
    "send_due_reminders",
    "send_invitation",
    "send_invitations",
    "send_invitations_later",
    "submit_rsvp",
    "validate_template_text",
    "withdraw_invitation",
]
