"""Outbox test helpers: a real local SMTP server (aiosmtpd) and a flaky fake mail backend.

Both stand in for the outside world (the mail server); nothing of ours is mocked."""

import re
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    """Raises `FlakyBackend.errors` one by one (one per send), then delivers like locmem."""

    errors: list[BaseException] = []
    lock = threading.Lock()

    def send_messages(self, messages):
        with self.lock:
            error = type(self).errors.pop(0) if type(self).errors else None
        if error is not None:
            raise error
        return super().send_messages(messages)


class UnreachableBackend(LocmemBackend):
    """A mail server that refuses connections."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages):
        self.open()


@pytest.fixture
def flaky_backend(settings):
    settings.EMAIL_BACKEND = "tests.mail.conftest.FlakyBackend"
    FlakyBackend.errors = []
    yield FlakyBackend
    FlakyBackend.errors = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Accepts mail and records it; `refuse` maps a recipient to an SMTP reply to refuse it."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def start(self):
        # A stopped aiosmtpd Controller cannot restart; a new one takes the same port.
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def outbox_ids(self) -> list[str]:
        ids = []
        for _rcpts, content in self.received:
            match = re.search(rb"^X-Outbox-Id: (\d+)", content, re.MULTILINE)
            ids.append(match.group(1).decode() if match else "?")
        return ids


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port, and the settings to send to it."""
    handler = RecordingHandler()
    handler.port = port = free_port()
    handler.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield handler
    handler.stop()


@pytest.fixture
def sent_mail():
    """django.core.mail.outbox, emptied first (pytest-django's locmem backend)."""
    mail.outbox = []
    return mail.outbox
