"""Shared bits of the outbox services: settings with their defaults, the Message-ID domain."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings

from ..models import OutboxMessage

Status = OutboxMessage.Status

# A worker's clock may lag the web server's by a little; a fresh row is still "due".
CLOCK_SKEW = timedelta(seconds=5)


def outbox_setting(name: str):
    defaults = {
        "OUTBOX_SENDING_TIMEOUT": 300,
        "OUTBOX_MAX_ATTEMPTS": 6,
        "OUTBOX_RETRY_BASE_DELAY": 60,
        "OUTBOX_RETRY_MAX_DELAY": 6 * 3600,
        "OUTBOX_BATCH_SIZE": 100,
        "OUTBOX_TASK_BATCH_SIZE": 50,
        "OUTBOX_SWEEP_TIME_BUDGET": 50,
    }
    return getattr(settings, name, defaults[name])


def message_id_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"
