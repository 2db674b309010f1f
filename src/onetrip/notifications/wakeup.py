"""A process-local nudge: enqueueing a message wakes an in-process worker thread at once."""

from __future__ import annotations

import threading

_event = threading.Event()


def notify() -> None:
    _event.set()


def wait(timeout: float) -> bool:
    """Sleep until notified or ``timeout`` seconds pass; True if notified."""
    woken = _event.wait(timeout)
    _event.clear()
    return woken
