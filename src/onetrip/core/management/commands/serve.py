"""`onetrip serve`: migrate, load the demo on first run and serve on one process group."""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from onetrip.conf.checks import require_channels
from onetrip.core.demo import DEMO_PASSWORD, demo_ensure


class Command(BaseCommand):
    help = "Run onetrip: database migrations, demo data on first run, and the web server."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-demo",
            action="store_true",
            help="do not load the shipped catalogue and demo accounts (the default on a "
            "shared database unless ONETRIP_DEMO is set)",
        )

    def handle(self, *args, host: str, port: int, threads: int, no_demo: bool, **opts):
        from waitress import serve

        from onetrip.conf.wsgi import application

        require_channels()
        # Demo accounts share one known password: only where the demo is on (the embedded
        # default, or ONETRIP_DEMO=1), never on a production database by default.
        no_demo = no_demo or not settings.ONETRIP_DEMO
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo:
            demo_ensure(stdout=self.stdout)
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        url = f"http://{shown}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"onetrip 已启动：{url}"))
        self.stdout.write(f"  办事指南 {url}   统计 {url}stats/   API 文档 {url}api/docs/")
        if not no_demo:
            self.stdout.write(f"  管理后台 {url}admin/ （演示账号 admin / {DEMO_PASSWORD}）")
        self.stdout.write(f"  数据目录 {settings.DATA_DIR}   按 Ctrl+C 停止")
        self.stdout.flush()
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        from onetrip.notifications.worker import start_in_thread
        from onetrip.supervision.scheduler import start_in_thread as start_scheduler

        worker = start_in_thread(interval=1.0)  # outbox delivery in the same process group
        scheduler = start_scheduler(interval=60.0)  # 电子监察 cards, under the lease
        sandbox = self._sandbox_start()  # the department registries the connector calls
        try:
            serve(
                application,
                host=host,
                port=port,
                threads=threads,
                ident="onetrip",
                # waitress drops X-Forwarded-* unless told; behind trusted proxies the app
                # reads them itself (onetrip.core.clientaddr).
                clear_untrusted_proxy_headers=settings.ONETRIP_TRUSTED_PROXIES == 0,
            )
        finally:
            worker.stop()
            scheduler.stop()
            if sandbox is not None:
                sandbox.stop()

    def _sandbox_start(self):
        """The sandbox registries in a thread on their own port, keys made on first run."""
        if not settings.ONETRIP_SANDBOX_EMBEDDED:
            return None
        from onetrip.exchange.sandbox.server import sandbox_build

        def start(port: int):
            return sandbox_build(
                key_dir=settings.ONETRIP_EXCHANGE_KEY_DIR,
                client_id=settings.ONETRIP_EXCHANGE_CLIENT_ID,
                people=settings.ONETRIP_SANDBOX_PEOPLE,
                enterprises=settings.ONETRIP_SANDBOX_ENTERPRISES,
                seed=settings.ONETRIP_SANDBOX_SEED,
                port=port,
                server_id=settings.ONETRIP_EXCHANGE_SERVER_ID,
            ).start()

        try:
            sandbox = start(settings.ONETRIP_SANDBOX_PORT)
        except OSError as exc:
            chosen = os.environ.get("ONETRIP_SANDBOX_PORT") or os.environ.get(
                "ONETRIP_EXCHANGE_URL"
            )
            try:
                if chosen:  # a port or address the operator set: not ours to change
                    raise
                # The default port is taken (another onetrip on this machine): any free port,
                # and this process's connector talks to it there.
                sandbox = start(0)
                settings.ONETRIP_EXCHANGE_URL = sandbox.url
            except OSError:  # sharing degrades to uploads, never blocks
                self.stdout.write(self.style.WARNING(f"  部门数据沙箱未启动：{exc}"))
                return None
        self.stdout.write(f"  部门数据沙箱 {sandbox.url}/health")
        self.stdout.flush()
        return sandbox
