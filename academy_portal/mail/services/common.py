"""Shared bits of the outbox services: their settings, the Message-ID domain."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings

from ..models import OutboxMessage

Status = OutboxMessage.Status

# A worker's clock may lag the web server's by a little; a fresh row is still "due".
CLOCK_SKEW = timedelta(seconds=5)


def outbox_setting(name: str):
    """An OUTBOX_* setting, read when used (tests change them); settings.py defines them all."""
    return getattr(settings, name)


def message_id_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"
