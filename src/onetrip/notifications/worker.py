"""The outbox worker loop, for `onetrip worker` and for a thread inside `onetrip serve`.

Any number of loops may run at once, in threads or processes on several machines: each pass
claims its rows (SKIP LOCKED on PostgreSQL), so no message is taken twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections, connections

from onetrip.notifications import services, wakeup
from onetrip.notifications.services import DeliveryCounts

logger = logging.getLogger("onetrip.notifications.worker")

BATCH_SIZE = 100


def _never() -> bool:
    return False


def worker_pass(
    *, limit: int = BATCH_SIZE, should_stop: Callable[[], bool] = _never
) -> DeliveryCounts:
    """Deliver everything due now, batch after batch; return the counts."""
    total = DeliveryCounts()
    while True:
        counts = services.outbox_deliver_batch(limit=limit)
        total += counts
        if counts.claimed < limit or should_stop():
            return total


def _log(counts: DeliveryCounts) -> None:
    if counts.claimed:
        logger.info(
            "outbox: sent %d, retrying %d, failed %d",
            counts.sent,
            counts.retrying,
            counts.failed,
        )


def _sleep(seconds: float, should_stop: Callable[[], bool]) -> None:
    """Wait up to ``seconds``, waking early when a message is enqueued in this process or
    when asked to stop (checked every quarter second)."""
    deadline = time.monotonic() + seconds
    while not should_stop():
        remaining = deadline - time.monotonic()
        if remaining <= 0 or wakeup.wait(min(remaining, 0.25)):
            return


def worker_run(
    *, interval: float = 1.0, should_stop: Callable[[], bool], limit: int = BATCH_SIZE
) -> None:
    """Deliver due messages every ``interval`` seconds until ``should_stop()`` is true."""
    while not should_stop():
        try:
            _log(worker_pass(limit=limit, should_stop=should_stop))
        except Exception:
            # A lost database connection or similar: log, drop the connection, try again.
            logger.exception("outbox worker pass failed; retrying in %s s", interval)
            connections.close_all()
        finally:
            close_old_connections()
        _sleep(interval, should_stop)


class WorkerThread(threading.Thread):
    """A daemon thread running ``worker_run``; ``stop()`` ends it after the current pass."""

    def __init__(self, *, interval: float = 1.0) -> None:
        super().__init__(name="onetrip-outbox-worker", daemon=True)
        self.interval = interval
        self.stop_event = threading.Event()

    def run(self) -> None:
        try:
            worker_run(interval=self.interval, should_stop=self.stop_event.is_set)
        finally:
            connections.close_all()  # this thread's connections only

    def stop(self, timeout: float | None = 10.0) -> None:
        self.stop_event.set()
        wakeup.notify()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)


def start_in_thread(interval: float = 1.0) -> WorkerThread:
    """Start the outbox worker in a daemon thread of this process (for `onetrip serve`)."""
    thread = WorkerThread(interval=interval)
    thread.start()
    logger.info("outbox worker thread started (every %s s)", interval)
    return thread
