"""`onetrip scheduler`: periodic jobs under a lease, so one scheduler runs across machines."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from onetrip.conf.checks import require_channels
from onetrip.supervision.scheduler import run


class Command(BaseCommand):
    help = "Raise 电子监察 cards periodically while holding the scheduler lease."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=60.0)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, interval: float, once: bool, **opts):
        require_channels()
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        run(interval=interval, stop=stop, once=once)
