"""Shared by the benchmarks: a free port, a server started and awaited, latency figures."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time

ONETRIP = [sys.executable, "-m", "onetrip.cli"]
# A shared database is refused without the keys every node shares (onetrip.conf.checks).
SHARED_KEYS = {
    "ONETRIP_SECRET_KEY": "onetrip-bench-secret",
    "ONETRIP_FIELD_KEY": "onetrip-bench-field-key",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_wait(port: int, *, seconds: float) -> bool:
    """Whether something accepts connections on ``port`` within ``seconds``."""
    for _ in range(int(seconds / 0.2)):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    """`onetrip serve --no-demo` on ``port``, returned once it accepts connections."""
    server = subprocess.Popen(
        [*ONETRIP, "serve", "--no-demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if port_wait(port, seconds=30):
        return server
    server.terminate()
    raise RuntimeError("the server did not start within 30 s")


def figures(latencies: list[float], elapsed: float) -> dict[str, float]:
    """Throughput and p50/p99 latency (ms) of one case."""
    ordered = sorted(latencies)
    q = statistics.quantiles(ordered, n=100)
    return {
        "rps": len(ordered) / elapsed,
        "p50": q[49] * 1000,
        "p99": q[98] * 1000,
        "n": len(ordered),
    }


def recreate(url: str) -> None:
    """Drop and create the PostgreSQL database ``url`` names."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _stat_cpu(stat: str) -> float:
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system, every thread) used so far by process ``pid``."""
    with open(f"/proc/{pid}/stat") as f:
        return _stat_cpu(f.read())


def postgres_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL processes running now (server and backends)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if stat.split(" (", 1)[1].startswith("postgres)"):
            total += _stat_cpu(stat)
    return total
