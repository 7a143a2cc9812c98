"""What an outbox row becomes when it is sent (its markers filled in), for tests to read.

The row itself never holds a personal link or personal details; this builds the email the
worker would hand to the mail server, without sending it."""

from academy_portal.mail.models import OutboxMessage
from academy_portal.mail.services import build_email, write_pending_email


def sent_text(message: OutboxMessage) -> str:
    """The plain-text body as it goes out."""
    return build_email(message).body


def sent_html(message: OutboxMessage) -> str:
    """The HTML alternative as it goes out."""
    return build_email(message).alternatives[0][0]


def written(message: OutboxMessage) -> OutboxMessage:
    """The row as the worker writes it just before sending, for an email queued to be written
    when sent (an answer's confirmation); any other row as it is."""
    write_pending_email(message)
    return message
