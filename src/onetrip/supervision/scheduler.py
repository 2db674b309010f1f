"""The periodic jobs loop, for `onetrip scheduler` and the thread `onetrip serve` starts."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import close_old_connections

from onetrip.supervision.services import cards_sweep, scheduler_lease, scheduler_lease_release

log = logging.getLogger(__name__)


def run(*, interval: float, stop: threading.Event, once: bool = False) -> None:
    holder = f"{socket.gethostname()}:{os.getpid()}"
    log.info("scheduler %s started (a pass every %s s, while it holds the lease)", holder, interval)
    holding = False
    while not stop.is_set():
        close_old_connections()
        try:
            held = scheduler_lease(holder=holder, seconds=int(interval * 3))
            if held != holding:
                log.info("scheduler %s %s the lease", holder, "took" if held else "does not hold")
                holding = held
            if held:
                raised = cards_sweep()
                if raised["yellow"] or raised["red"]:
                    log.info("cards raised: yellow %s, red %s", raised["yellow"], raised["red"])
        except Exception:  # a failed pass is logged and retried on the next one
            log.exception("scheduler pass failed")
        if once:
            break
        stop.wait(interval)
    if holding:
        try:  # a replacement need not wait for the lease to expire
            scheduler_lease_release(holder=holder)
            log.info("scheduler %s stopped and released the lease", holder)
        except Exception:
            log.exception("scheduler %s could not release the lease", holder)
    close_old_connections()


class SchedulerThread(threading.Thread):
    def __init__(self, interval: float):
        super().__init__(name="onetrip-scheduler", daemon=True)
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        run(interval=self.interval, stop=self._stop_event)

    def stop(self) -> None:
        self._stop_event.set()


def start_in_thread(interval: float = 60.0) -> SchedulerThread:
    thread = SchedulerThread(interval)
    thread.start()
    return thread
