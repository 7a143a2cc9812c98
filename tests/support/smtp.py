"""A real local SMTP server (aiosmtpd) that records what it receives.

`RecordingSMTPServer` runs in a thread of the calling process and can be stopped and started
again on the same port to simulate "SMTP down". `python -m tests.support.smtp --port P --log F`
runs the same server as a separate process (for benches, so the server does not share the
GIL with the client being measured); it appends one JSON line per message to F.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.parser import BytesHeaderParser
from pathlib import Path

from aiosmtpd.controller import Controller

from tests.support import waiting

OUTBOX_ID_HEADER = "X-Outbox-Id"

# aiosmtpd logs every SMTP command at INFO: thousands of lines per test run.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (the server binds it right after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    outbox_id: str | None
    message_id: str | None
    subject: str | None
    content: bytes = field(repr=False)
    received_at: float = 0.0

    @property
    def message(self):
        """The full parsed email.message.Message (parsed on demand: tests only)."""

        return message_from_bytes(self.content)


class _RecordingHandler:
    def __init__(self, on_message, reply=None):
        self._on_message = on_message
        self._reply = reply  # envelope -> an SMTP reply refusing it, or None to accept
        self._parser = BytesHeaderParser()

    async def handle_DATA(self, server, session, envelope):
        refusal = self._reply(envelope) if self._reply else None
        if refusal:
            return refusal
        # Headers only: parsing every body would make the server the bottleneck of a bench.
        headers = self._parser.parsebytes(envelope.content)
        self._on_message(
            ReceivedMessage(
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                outbox_id=headers.get(OUTBOX_ID_HEADER),
                message_id=headers.get("Message-ID"),
                subject=headers.get("Subject"),
                content=envelope.content,
                received_at=time.monotonic(),
            )
        )
        return "250 Message accepted for delivery"


class RecordingSMTPServer:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts, in order."""

    def __init__(self, port: int | None = None, host: str = "127.0.0.1"):
        self.host = host
        self.port = port or free_port(host)
        self._lock = threading.Lock()
        self._messages: list[ReceivedMessage] = []
        self._controller: Controller | None = None
        # Set by a test: envelope -> "421 ..." / "550 ..." to refuse that message, or None.
        self.reply: Callable[[object], str | None] | None = None

    # lifecycle ------------------------------------------------------------------------------
    def start(self) -> RecordingSMTPServer:
        if self._controller is not None:
            return self
        controller = Controller(
            _RecordingHandler(
                self._record, reply=lambda envelope: self.reply and self.reply(envelope)
            ),
            hostname=self.host,
            port=self.port,
            ready_timeout=10,
            # Large bodies (an .ics attachment, a long HTML mail) must not be refused.
            data_size_limit=20 * 1024 * 1024,
        )
        controller.start()
        self._controller = controller
        return self

    def stop(self) -> None:
        """Close the listening socket: clients now get "connection refused" (SMTP down)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    @property
    def url(self) -> str:
        """For EMAIL_URL (django-environ): plain SMTP, no TLS, no auth."""
        return f"smtp://{self.host}:{self.port}"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # recording ------------------------------------------------------------------------------
    def _record(self, message: ReceivedMessage) -> None:
        with self._lock:
            self._messages.append(message)

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self._lock:
            return list(self._messages)

    def count(self) -> int:
        with self._lock:
            return len(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def wait_for(self, count: int, *, timeout: float, poll: float = 0.05) -> int:
        """Wait until at least `count` messages arrived or `timeout` passed; the count seen."""
        waiting.poll(lambda: self.count() >= count, timeout=timeout, interval=poll)
        return self.count()


# --- subprocess mode -------------------------------------------------------------------------


def _serve(port: int, log_path: Path, host: str) -> None:
    log = log_path.open("a", buffering=1, encoding="utf-8")
    lock = threading.Lock()

    def write(message: ReceivedMessage) -> None:
        line = json.dumps(
            {
                "outbox_id": message.outbox_id,
                "rcpt": list(message.rcpt_tos),
                "size": len(message.content),
                "t": time.time(),
            }
        )
        with lock:
            log.write(line + "\n")

    controller = Controller(
        _RecordingHandler(write),
        hostname=host,
        port=port,
        ready_timeout=10,
        data_size_limit=20 * 1024 * 1024,
    )
    controller.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    print(f"listening on {host}:{port}", flush=True)
    stopped.wait()
    controller.stop()
    log.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True, help="one JSON line per message")
    args = parser.parse_args(argv)
    _serve(args.port, args.log, args.host)


if __name__ == "__main__":
    main()
