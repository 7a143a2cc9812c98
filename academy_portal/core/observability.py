"""Request ids for the logs, and the JSON log format.

Every request gets an id: the proxy's `X-Request-ID` when it looks like one (nginx's
$request_id, a load balancer's UUID), else a new one. It is kept in a context variable so every
log record made while the request runs carries it, and it is sent back in the response header,
so a user's "it failed at 10:42" and an nginx access line lead to the same log records.
"""

import contextvars
import logging
import re
import uuid

from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from the proxy: short, no spaces or control characters (it is logged verbatim).
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def request_id_from(header_value: str | None) -> str:
    """The proxy's id when it is well-formed, else a new random one."""
    if header_value and _VALID_REQUEST_ID.match(header_value):
        return header_value
    return uuid.uuid4().hex


def forget_request_id(**kwargs) -> None:
    """request_finished receiver: records after the response belong to no request."""
    request_id_var.set("-")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (`-` outside a request: workers, commands)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class PortalJsonFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, message, request id, and the exception."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s")
        kwargs.setdefault(
            "rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"}
        )
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        super().__init__(*args, **kwargs)


def logging_config(*, json: bool, level: str) -> dict:
    """The LOGGING setting: console output, plain text for people or JSON for a log shipper."""
    formatter = (
        {"()": PortalJsonFormatter}
        if json
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"portal": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "portal",
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    """Report errors of the web processes and Celery tasks to Sentry, without personal data:
    the portal holds passport names and personal links, so no request bodies, cookies or user
    details leave it (send_default_pii off; request bodies never attached)."""
    import sentry_sdk  # noqa: PLC0415 - only when a DSN is configured
    from sentry_sdk.integrations.celery import CeleryIntegration  # noqa: PLC0415 - same
    from sentry_sdk.integrations.django import DjangoIntegration  # noqa: PLC0415 - same

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
    )
