"""`onetrip worker`: deliver outbox messages until stopped (SIGINT / SIGTERM)."""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from onetrip.conf.checks import require_channels
from onetrip.notifications.worker import BATCH_SIZE, worker_pass, worker_run


class Command(BaseCommand):
    help = "Deliver due outbox messages (site inbox, SMS, e-mail) every --interval seconds."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between passes (default 1)"
        )
        parser.add_argument("--once", action="store_true", help="run one pass and exit")
        parser.add_argument("--limit", type=int, default=BATCH_SIZE, help="rows per batch")

    def handle(self, *args, interval: float, once: bool, limit: int, **opts):
        require_channels()
        if interval <= 0:
            raise CommandError("--interval 必须大于 0")
        if limit <= 0:
            raise CommandError("--limit 必须大于 0")
        if once:
            counts = worker_pass(limit=limit)
            self.stdout.write(
                f"已发送 {counts.sent} 条，待重试 {counts.retrying} 条，失败 {counts.failed} 条"
            )
            return

        stopping = False

        def request_stop(signum, frame):  # only sets a flag: safe inside a signal handler
            nonlocal stopping
            stopping = True

        previous = {
            sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        self.stdout.write(f"消息发送进程已启动，每 {interval:g} 秒检查一次，按 Ctrl+C 停止")
        self.stdout.flush()
        try:
            worker_run(interval=interval, should_stop=lambda: stopping, limit=limit)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            connections.close_all()
        self.stdout.write("消息发送进程已停止")
