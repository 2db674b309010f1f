"""`onetrip registry-sandbox`: the sandbox department registries as their own HTTP service."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serve the sandbox department registries (公安, 市场监管, 人社, 民政, 学信网, 医保, 税务) "
        "over HTTP from a seeded synthetic population; requests and answers are signed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.ONETRIP_SANDBOX_PORT)
        parser.add_argument("--people", type=int, default=settings.ONETRIP_SANDBOX_PEOPLE)
        parser.add_argument("--enterprises", type=int, default=settings.ONETRIP_SANDBOX_ENTERPRISES)
        parser.add_argument("--seed", type=int, default=settings.ONETRIP_SANDBOX_SEED)
        parser.add_argument(
            "--keys",
            default=str(settings.ONETRIP_EXCHANGE_KEY_DIR),
            help="key directory: sandbox.key/.pub and clients/<client id>.pub (made if missing)",
        )

    def handle(self, *args, host, port, people, enterprises, seed, keys, **opts):
        from onetrip.exchange.sandbox.server import sandbox_build

        started = time.monotonic()
        server = sandbox_build(
            key_dir=keys,
            client_id=settings.ONETRIP_EXCHANGE_CLIENT_ID,
            people=people,
            enterprises=enterprises,
            seed=seed,
            host=host,
            port=port,
            server_id=settings.ONETRIP_EXCHANGE_SERVER_ID,
        )
        population = server.app.population
        self.stdout.write(
            self.style.SUCCESS(f"部门数据沙箱已启动：{server.url}/ ")
            + f"（{len(population.people)} 人，{len(population.enterprises)} 家单位，"
            f"种子 {seed}，用时 {time.monotonic() - started:.1f} 秒）"
        )
        self.stdout.write(f"  密钥目录 {keys}   按 Ctrl+C 停止")
        self.stdout.flush()
        try:
            server.server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.server.close()
