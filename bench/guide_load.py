"""Load on the public guide: search, item page, scoreboard and API over HTTP.

Starts `onetrip serve` on a fresh data directory (SQLite by default, or --database-url),
loads the shipped catalogue plus --extra synthetic items, then drives each endpoint with
--concurrency threads for --requests requests and prints throughput and latency
percentiles, with a static file served by the same server as the floor.

    .venv/bin/python bench/guide_load.py --extra 1000 --requests 400 --concurrency 8
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import SHARED_KEYS, figures, free_port, start_server

ROOT = Path(__file__).resolve().parents[1]


def seed(env: dict[str, str], extra: int) -> str:
    """Migrate, load the shipped list and ``extra`` synthetic items; return one item code."""
    script = f"""
import django, copy
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_catalogue", verbosity=0)
from onetrip.catalog import transfer, services
from onetrip.catalog.models import Item
docs = transfer.export_documents()["items"]
extra = []
for i in range({extra}):
    d = copy.deepcopy(docs[i % len(docs)])
    d["code"] = f"{{d['code']}}-X{{i:05d}}"
    d["name"] = f"{{d['name']}}（试点{{i}}）"
    extra.append(d)
if extra:
    services.catalogue_import(departments=[], items=extra, user=None, publish=True)
print(Item.objects.filter(current_version__name="失业保险金申领").first().code)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def drive(port: int, path: str, requests: int, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(n):
            t0 = time.perf_counter()
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                raise RuntimeError(f"{path}: HTTP {resp.status}")
            latencies.append(time.perf_counter() - t0)
        conn.close()

    per = [
        requests // concurrency + (1 if i < requests % concurrency else 0)
        for i in range(concurrency)
    ]
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, per))
    elapsed = time.perf_counter() - start
    return figures(latencies, elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=int, default=1000, help="synthetic items beyond the list")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default SQLite)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="onetrip-bench-") as data_dir:
        env = {
            **os.environ,
            "ONETRIP_DATA_DIR": data_dir,
            "DJANGO_SETTINGS_MODULE": "onetrip.conf.settings",
        }
        if args.database_url:
            env["ONETRIP_DATABASE_URL"] = args.database_url
            env.update(SHARED_KEYS)
        t0 = time.perf_counter()
        code = seed(env, args.extra)
        print(
            f"seeded {37 + args.extra} items in {time.perf_counter() - t0:.1f} s "
            f"({'PostgreSQL' if args.database_url else 'SQLite'})"
        )
        port = free_port()
        server = start_server(env, port)
        try:
            q = urllib.parse.quote
            cases = [
                ("floor: static file", "/static/onetrip/site.css"),
                ("guide, no query", "/"),
                ("search 社保卡", f"/?q={q('社保卡')}"),
                ("search sbk (pinyin)", "/?q=sbk"),
                ("search + filters", f"/?q={q('登记')}&zero_visits=1&target=person"),
                ("item page", f"/items/{code}/"),
                ("item page, situation", f"/items/{code}/?situation=x"),
                ("scoreboard", "/stats/"),
                ("API list ?q=失业金", f"/api/v1/items/?q={q('失业金')}"),
                ("API item", f"/api/v1/items/{code}/"),
            ]
            drive(port, "/", 20, 2)  # warm up
            results = [
                (name, drive(port, path, args.requests, args.concurrency)) for name, path in cases
            ]
        finally:
            server.terminate()
            server.wait(10)
    floor = results[0][1]["rps"]
    print(f"{args.requests} requests per case, concurrency {args.concurrency}")
    print(f"{'case':<26}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'÷ floor':>9}")
    for name, r in results:
        print(f"{name:<26}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['rps'] / floor:>9.2f}")


if __name__ == "__main__":
    main()
