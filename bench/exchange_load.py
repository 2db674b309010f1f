"""Signed fetches against the sandbox registries over HTTP, beside a floor from the same run.

Starts `onetrip registry-sandbox` as its own process (keys generated in a temporary data
directory, the default 30,000-person population), then from this process:
  floor   GET /health on the same server — no signature, no lookup;
  fetch   the connector's signed request, the registry's check and lookup, and the
          connector's check of the signed answer, over every evidence type of 失业保险金申领
          for people drawn from the population.
Prints requests per second and p50/p99 latency for each.

    .venv/bin/python bench/exchange_load.py --requests 2000 --concurrency 8
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from _common import ONETRIP, figures, free_port

TYPES = [
    "identity",
    "labour_termination",
    "contribution_history",
    "unemployment_registration",
    "bank_account",
]


def wait_for(port: int, proc: subprocess.Popen) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            sys.exit("the sandbox exited")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("the sandbox did not start within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--people", type=int, default=30000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="onetrip-bench-ex-") as data_dir:
        port = free_port()
        env = {
            **os.environ,
            "ONETRIP_DATA_DIR": data_dir,
            "ONETRIP_SANDBOX_PORT": str(port),
            "ONETRIP_SANDBOX_PEOPLE": str(args.people),
            "ONETRIP_EXCHANGE_URL": f"http://127.0.0.1:{port}",
            "DJANGO_SETTINGS_MODULE": "onetrip.conf.settings",
        }
        t0 = time.perf_counter()
        sandbox = subprocess.Popen(
            [*ONETRIP, "registry-sandbox", "--port", str(port), "--people", str(args.people)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port, sandbox)
            print(f"sandbox up in {time.perf_counter() - t0:.1f} s ({args.people} people)")
            os.environ.update(env)
            import django

            django.setup()
            from django.conf import settings

            from onetrip.exchange import connector
            from onetrip.exchange.registry import EVIDENCE_TYPES
            from onetrip.exchange.sandbox.population import generate

            population = generate(
                people=args.people,
                enterprises=settings.ONETRIP_SANDBOX_ENTERPRISES,
                seed=settings.ONETRIP_SANDBOX_SEED,
            )
            claimants = [
                p for p in population.people.values() if p.termination and p.unemployment and p.bank
            ]
            rng = random.Random(1)
            jobs = [(rng.choice(claimants), TYPES[i % len(TYPES)]) for i in range(args.requests)]

            def run(fn, items):
                latencies = []

                def one(job):
                    t = time.perf_counter()
                    fn(job)
                    latencies.append(time.perf_counter() - t)

                start = time.perf_counter()
                with ThreadPoolExecutor(args.concurrency) as pool:
                    list(pool.map(one, items))
                return figures(latencies, time.perf_counter() - start)

            def health(_):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                c.request("GET", "/health")
                c.getresponse().read()
                c.close()

            failures = []

            def fetch(job):
                person, type_code = job
                try:
                    connector.fetch(
                        kind=EVIDENCE_TYPES[type_code],
                        subject={"id_number": person.id_number, "name": person.name},
                        purpose="基准测试",
                    )
                except connector.ExchangeFailure as failure:
                    failures.append(failure.code)

            run(health, range(100))  # warm-up
            floor = run(health, range(args.requests))
            fetched = run(fetch, jobs)
        finally:
            sandbox.terminate()
            sandbox.wait(10)
    print(f"concurrency {args.concurrency}, {len(claimants)} claimants in the population")
    print(f"{'case':<40}{'n':>6}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for name, r in [("floor: GET /health (unsigned)", floor), ("signed fetch, verified", fetched)]:
        print(f"{name:<40}{r['n']:>6}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}")
    print(f"failures: {len(failures)} {sorted(set(failures))}")
    print(f"fetch ÷ floor = {fetched['rps'] / floor['rps']:.2f}")


if __name__ == "__main__":
    main()
