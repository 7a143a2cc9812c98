"""Waiting for a real process (a Celery worker, the SMTP server, Redis) with a deadline.

Tests never sleep to let something happen: they poll for the state they need and fail, saying
what they waited for, when it does not come in time. This is the only sleep in the tests: the
interval between two looks at another process, which no clock of ours can move.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import redis

T = TypeVar("T")


def poll(condition: Callable[[], T], *, timeout: float, interval: float = 0.05) -> T:
    """Call `condition` until it returns something truthy or `timeout` seconds passed; return
    its last value (falsy on timeout). Exceptions from `condition` propagate."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def wait_until(condition: Callable[[], T], *, timeout: float, poll_interval=0.1, what: str) -> T:
    """poll(), failing the test with `what` if the condition is still false at the deadline."""
    value = poll(condition, timeout=timeout, interval=poll_interval)
    if not value:
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")
    return value


def broker_idle(redis_url: str, *, since: float | None = None, queue: str = "celery") -> bool:
    """No task waits in the Redis broker's queue and none is held unacknowledged (of those
    handed to a worker after `since`, a time.time(), when given: a SIGKILLed worker's tasks
    stay unacknowledged for the visibility timeout).

    The portal's tasks are acknowledged late (CELERY_TASK_ACKS_LATE), after they ran: an idle
    broker means every task published so far has finished, including any a task queued."""

    client = redis.Redis.from_url(redis_url)
    try:
        # kombu keeps one list per priority step (celery, celery\x06\x163 ...), and the
        # messages a worker took but has not acknowledged in "unacked", indexed by the time
        # it took them in "unacked_index".
        lists = [key for key in client.scan_iter(match=f"{queue}*") if client.type(key) == b"list"]
        waiting = sum(client.llen(key) for key in lists)
        held = client.zcount("unacked_index", "-inf" if since is None else since, "+inf")
        return waiting == 0 and held == 0
    finally:
        client.close()


def wait_for_idle_broker(redis_url: str, *, timeout: float, since: float | None = None) -> None:
    """Wait until every task published to the broker has run (broker_idle), seen idle twice in
    a row: a worker pops a message a moment before it records it as unacknowledged."""
    streak = 0

    def settled() -> bool:
        nonlocal streak
        streak = streak + 1 if broker_idle(redis_url, since=since) else 0
        return streak >= 2

    wait_until(settled, timeout=timeout, what="the worker to finish every published task")
