"""Start and stop a real Celery worker as a subprocess, for tests and benches.

The worker runs in its own process group so `kill()` can SIGKILL the parent and its prefork
children at once, the way an OOM killer or a container stop without grace does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

from tests.support.waiting import poll

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY_BIN = Path(sys.executable).with_name("celery")


class WorkerError(RuntimeError):
    pass


class CeleryWorker:
    """A `celery -A academy_portal worker` subprocess with the given environment."""

    def __init__(
        self,
        *,
        env: dict[str, str],
        log_path: Path,
        concurrency: int = 2,
        name: str | None = None,
        extra_args: tuple[str, ...] = (),
    ):
        self.env = env
        self.log_path = Path(log_path)
        self.concurrency = concurrency
        self.name = name or f"test-{uuid.uuid4().hex[:8]}"
        self.extra_args = extra_args
        self.process: subprocess.Popen | None = None
        self._log_offset = 0

    def start(self, *, wait_ready: float = 60) -> CeleryWorker:
        if self.process is not None:
            raise WorkerError("worker already started")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        # The production settings unless the caller says otherwise: pytest-django exports the
        # test settings (eager tasks, in-process cache), which a real worker must not run.
        full_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "academy_portal.settings",
            **self.env,
            "PYTHONUNBUFFERED": "1",
        }
        # pytest's own flag must not leak: the worker is a production-like process.
        full_env.pop("PYTEST_CURRENT_TEST", None)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(CELERY_BIN),
                    "-A",
                    "academy_portal",
                    "worker",
                    "--pool=prefork",
                    f"--concurrency={self.concurrency}",
                    f"--hostname={self.name}@%h",
                    "--loglevel=INFO",
                    # Mingle/gossip only slow the start of a lone worker.
                    "--without-mingle",
                    "--without-gossip",
                    *self.extra_args,
                ],
                cwd=BASE_DIR,
                env=full_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if wait_ready:
            self.wait_ready(timeout=wait_ready)
        return self

    def log_text(self) -> str:
        """What this worker (since its start) wrote to the log."""
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            return log.read().decode("utf-8", "replace")

    def wait_ready(self, *, timeout: float) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise WorkerError(f"worker exited with {self.process.returncode}:\n{self.tail()}")
            return " ready." in self.log_text()

        if not poll(ready, timeout=timeout, interval=0.1):
            raise WorkerError(f"worker not ready after {timeout}s:\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: no warm shutdown, no acks, nothing cleaned up."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._wait_group_gone(timeout=10)
        self.process = None

    def stop(self, *, timeout: float = 20) -> None:
        """Warm shutdown (SIGTERM: finish running tasks), then SIGKILL if it hangs."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._wait_group_gone(timeout=10)
        self.process = None

    def _wait_group_gone(self, *, timeout: float) -> None:
        # Prefork children may outlive the parent for a moment; they must not keep
        # delivering (or holding database connections) after "stopped".
        pgid = self.process.pid

        def gone() -> bool:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return True
            return False

        if poll(gone, timeout=timeout, interval=0.05):
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
