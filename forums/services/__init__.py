"""Forums services: every write of invitations, answers and reminders goes through here."""

from forums.validators import validate_template_text

from .batches import (
    BulkOutcome,
    Drafted,
    InviteOutcome,
    invite_and_send,
    invite_and_send_later,
    invite_and_send_or_queue,
    invite_experts,
    remind_invitations_later,
    remind_or_queue_invitations,
    resend_invitations_later,
    resend_or_queue_invitations,
    runs_in_background,
    send_invitations_later,
    send_or_queue_invitations,
)
from .editions import save_edition
from .emails import render_email
from .invitation_emails import queue_invitation_email
from .invitations import (
    InvitationError,
    ResendOutcome,
    invite_expert,
    reissue_token,
    resend_invitations,
    send_invitation,
    send_invitations,
    withdraw_invitation,
)
from .programme import publish_programme, record_schedule_change, unpublish_programme
from .recommendations import invite_suggested_experts
from .reminders import (
    ReminderPlan,
    RemindOutcome,
    SkippedReminder,
    create_default_reminder_rules,
    expire_unanswered_invitations,
    plan_reminders,
    remind_invitation_now,
    remind_invitations_now,
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
from .waitlist import fill_places_from_waitlist, promote_from_waitlist

__all__ = [
    "BulkOutcome",
    "Drafted",
    "InvalidAnswer",
    "InvitationError",
    "InviteOutcome",
    "RSVPClosed",
    "RSVPError",
    "RemindOutcome",
    "ReminderPlan",
    "ResendOutcome",
    "SkippedReminder",
    "StaleAnswer",
    "closed_reason",
    "create_default_reminder_rules",
    "current_raw_token",
    "expire_unanswered_invitations",
    "fill_places_from_waitlist",
    "find_invitation_by_token",
    "invite_and_send",
    "invite_and_send_later",
    "invite_and_send_or_queue",
    "invite_expert",
    "invite_experts",
    "invite_suggested_experts",
    "plan_reminders",
    "promote_from_waitlist",
    "publish_programme",
    "queue_invitation_email",
    "record_rsvp_opened",
    "record_schedule_change",
    "reissue_token",
    "remind_invitation_now",
    "remind_invitations_later",
    "remind_invitations_now",
    "remind_or_queue_invitations",
    "render_email",
    "resend_invitations",
    "resend_invitations_later",
    "resend_or_queue_invitations",
    "run_invitation_chores",
    "runs_in_background",
    "save_edition",
    "send_due_reminders",
    "send_invitation",
    "send_invitations",
    "send_invitations_later",
    "send_or_queue_invitations",
    "submit_rsvp",
    "unpublish_programme",
    "validate_template_text",
    "withdraw_invitation",
]
