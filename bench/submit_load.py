"""Concurrent online submissions over HTTP on PostgreSQL, beside a floor from the same run.

Starts `onetrip serve` against a fresh PostgreSQL database, prepares --drafts complete drafts
of 失业保险金申领 for as many applicants (API tokens), then:
  floor   POST /bench/floor/ — a minimal view inserting three rows in one transaction;
  submit  POST /api/v1/applications/<id>/submit/ — the real submission (validation against
          the pinned version, tracking number, audit chain, timeline, outbox rows);
  full    the whole online application over the API: create, fields, materials, submit.
Prints requests per second and p50/p99 latency for each, and submit ÷ floor.

The sandbox registries run as their own process (`onetrip registry-sandbox`); applicants are
people of its synthetic population who have an employer, a termination and an unemployment
registration. ``--mode prefill`` satisfies the five 共享获取 materials with signed fetches and
prefills the form from them; ``--mode upload`` uploads every material and types every field.
The application form (source 在线填报, ADR 0009) is never uploaded: it is the fields answered.

    .venv/bin/python bench/submit_load.py --drafts 400 --concurrency 8 --mode prefill
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from _common import (
    ONETRIP,
    SHARED_KEYS,
    figures,
    free_port,
    port_wait,
    postgres_cpu,
    process_cpu,
    recreate,
    start_server,
)

ITEM_NAME = "失业保险金申领"
SHARED_SOURCES = ("shared", "elicence")

SEED = r"""
import django, datetime as dt, json, sys
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_catalogue", verbosity=0)
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from stdnum.cn import ric
from onetrip.accounts.models import User
from onetrip.accounts.services import person_register
from onetrip.applications import services
from onetrip.applications.formdata import form_fields_for
from onetrip.catalog.models import Item, Material

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
item = Item.objects.get(current_version__name=ITEM_NAME)

def value(f, person):
    t = f.field_type
    if f.choices:
        return [f.choices[0]["value"]] if t == "multichoice" else f.choices[0]["value"]
    return {"id_number": person.id_number, "phone": "13800000000", "date": "2026-01-15",
            "boolean": True, "integer": int(f.min_value or 1), "decimal": str(f.min_value or 100),
            "bank_account": "6222020200112233445", "email": "bench@example.com",
            "credit_code": "91620100MA7ABCDE3X", "textarea": "基准测试"}.get(t, "基准测试")

from django.conf import settings
from onetrip.exchange.sandbox.population import generate
population = generate(people=settings.ONETRIP_SANDBOX_PEOPLE,
                      enterprises=settings.ONETRIP_SANDBOX_ENTERPRISES,
                      seed=settings.ONETRIP_SANDBOX_SEED)
claimants = [p for p in population.people.values() if p.termination and p.unemployment and p.bank]

def applicant(i):
    p = claimants[i]
    user = User(username=f"bench{i}")
    user.set_phone(f"139{i:08d}")
    user.set_unusable_password()
    user.save()
    person = person_register(real_name=p.name, id_number=p.id_number, user=user)
    return user, person

def complete(user, person):
    app = services.draft_create(user=user, item=item, situation="")
    version = app.version
    shared = (Material.Source.SHARED, Material.Source.ELICENCE)
    if MODE == "prefill":  # fetch with consent first: the form is then prefilled and locked
        for m in app.materials.all():
            if version.materials.get(code=m.code).source in shared:
                services.material_choose(application=app, user=user, code=m.code, state="shared")
    locked = services.locked_fields(application=app)
    fields = form_fields_for(version, app.situation)
    services.draft_save_fields(application=app, user=user,
                               data={f.code: value(f, person) for f in fields
                                     if f.code not in locked})
    for m in app.materials.all():
        spec = version.materials.get(code=m.code)
        if (spec.source in shared and MODE == "prefill") or spec.source == "online_form":
            pass  # fetched above, or the form just answered
        elif spec.source == Material.Source.COMMITMENT:
            services.material_choose(application=app, user=user, code=m.code, state="commitment")
        else:
            services.material_upload(application=app, user=user, code=m.code,
                                     upload=SimpleUploadedFile("form.pdf", PDF))
    return app

out = {"drafts": [], "full": [], "fields": None, "materials": None}
n = int(sys.argv[1]); full = int(sys.argv[2])
for i in range(n + full):
    user, person = applicant(i)
    token = Token.objects.create(user=user).key
    if i < n:
        out["drafts"].append([token, complete(user, person).pk])
    else:
        app = complete(user, person)  # only to learn the field values and materials
        app.refresh_from_db()
        locked = services.locked_fields(application=app)
        out["full"].append([token, {f: v for f, v in app.data.items() if f not in locked}])
        out["materials"] = [[m.code, version_source] for m, version_source in
                            ((m, app.version.materials.get(code=m.code).source)
                             for m in app.materials.all())]
        app.delete()
print(json.dumps(out))
"""


def bench_env(database_url: str, data_dir: str) -> dict[str, str]:
    """The environment of every process of a run: a fresh database, the floor views, no demo,
    the sandbox registries in a process of their own on a free port."""
    sandbox_port = free_port()
    return {
        **os.environ,
        "ONETRIP_DATA_DIR": data_dir,
        "ONETRIP_DATABASE_URL": database_url,
        **SHARED_KEYS,
        "ONETRIP_BENCH_FLOOR": "1",
        "ONETRIP_DEMO": "0",
        "ONETRIP_SANDBOX_EMBEDDED": "0",
        "ONETRIP_SANDBOX_PORT": str(sandbox_port),
        "ONETRIP_EXCHANGE_URL": f"http://127.0.0.1:{sandbox_port}",
        "DJANGO_SETTINGS_MODULE": "onetrip.conf.settings",
    }


def prepare(
    env: dict[str, str], drafts: int, full: int, mode: str
) -> tuple[subprocess.Popen, dict]:
    """Start the sandbox registries and seed ``drafts`` complete drafts (and ``full`` more
    applicants); the sandbox process and the plan: ``drafts`` as [token, pk], ``full`` as
    [token, answers], ``materials`` as [code, source]."""
    port = int(env["ONETRIP_SANDBOX_PORT"])
    sandbox = subprocess.Popen(
        [*ONETRIP, "registry-sandbox", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port_wait(port, seconds=60)
    seeded = subprocess.run(
        [
            sys.executable,
            "-c",
            f"ITEM_NAME = {ITEM_NAME!r}\nMODE = {mode!r}\n" + SEED,
            str(drafts),
            str(full),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if seeded.returncode:
        sandbox.terminate()
        sys.exit(f"seeding failed:\n{seeded.stderr[-3000:]}")
    return sandbox, json.loads(seeded.stdout.strip().splitlines()[-1])


SERVER_PID = 0  # set once the server runs: its CPU is read around each case


def run(port: int, jobs: list, concurrency: int, fn) -> dict[str, float]:
    """Run ``fn(connection, job)`` for every job on ``concurrency`` threads; the figures, with
    the CPU the server process and PostgreSQL spent per request."""
    latencies: list[float] = []
    cpu0 = (process_cpu(SERVER_PID), postgres_cpu()) if SERVER_PID else (0.0, 0.0)

    def one(job):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        t0 = time.perf_counter()
        fn(c, job)
        latencies.append(time.perf_counter() - t0)
        c.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, jobs))
    out = figures(latencies, time.perf_counter() - start)
    if SERVER_PID:
        out["server_cpu"] = (process_cpu(SERVER_PID) - cpu0[0]) / len(jobs) * 1000
        out["pg_cpu"] = (postgres_cpu() - cpu0[1]) / len(jobs) * 1000
    return out


def request(c, method, path, body=None, token=None, headers=None, ok=(200, 201)):
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    if token:
        hdrs["Authorization"] = f"Token {token}"
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=hdrs)
    r = c.getresponse()
    data = r.read()
    if r.status not in ok:
        raise RuntimeError(f"{method} {path}: HTTP {r.status} {data[:300]!r}")
    return json.loads(data) if data else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=400)
    parser.add_argument("--full", type=int, default=100, help="whole applications over the API")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/onetrip_bench"
    )
    parser.add_argument("--mode", choices=["prefill", "upload"], default="prefill")
    args = parser.parse_args()
    recreate(args.database_url)
    with tempfile.TemporaryDirectory(prefix="onetrip-bench-") as data_dir:
        env = bench_env(args.database_url, data_dir)
        t0 = time.perf_counter()
        sandbox, plan = prepare(env, args.drafts, args.full, args.mode)
        print(
            f"prepared {args.drafts} drafts and {args.full} applicants in "
            f"{time.perf_counter() - t0:.1f} s (PostgreSQL, mode {args.mode})"
        )
        port = free_port()
        server = start_server(env, port)
        global SERVER_PID
        SERVER_PID = server.pid
        try:
            warm = [None] * 50  # first requests import and connect; keep them out
            run(port, warm, args.concurrency, lambda c, _: request(c, "POST", "/bench/floor/"))
            floor = run(
                port,
                list(range(args.drafts)),
                args.concurrency,
                lambda c, _: request(c, "POST", "/bench/floor/"),
            )
            api_floor = run(
                port,
                plan["drafts"],
                args.concurrency,
                lambda c, job: request(c, "POST", "/bench/api-floor/", {}, token=job[0]),
            )
            submit = run(
                port,
                plan["drafts"],
                args.concurrency,
                lambda c, job: request(
                    c,
                    "POST",
                    f"/api/v1/applications/{job[1]}/submit/",
                    {},
                    token=job[0],
                    headers={"Idempotency-Key": f"b{job[1]}"},
                ),
            )
            item_code = None

            def full(c, job):
                nonlocal item_code
                token, data = job
                if item_code is None:
                    items = request(
                        c,
                        "GET",
                        "/api/v1/items/?q=" + "%E5%A4%B1%E4%B8%9A%E4%BF%9D%E9%99%A9%E9%87%91",
                    )
                    item_code = items[0]["code"]
                app = request(c, "POST", "/api/v1/applications/", {"item": item_code}, token=token)
                for code, source in plan["materials"]:
                    state = "commitment" if source == "commitment" else None
                    if source in SHARED_SOURCES and args.mode == "prefill":
                        state = "shared"  # a signed fetch from the registry, then prefill
                    if state is None:
                        continue
                    request(
                        c,
                        "POST",
                        f"/api/v1/applications/{app['id']}/materials/{code}/",
                        {"state": state},
                        token=token,
                    )
                request(
                    c,
                    "PATCH",
                    f"/api/v1/applications/{app['id']}/fields/",
                    {"data": data},
                    token=token,
                )
                missing = [
                    code
                    for code, source in plan["materials"]
                    if source not in ("commitment", "online_form")
                    and not (source in SHARED_SOURCES and args.mode == "prefill")
                ]
                for code in missing:  # upload a one-page PDF
                    boundary = "onetripbench"
                    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
                    body = (
                        (
                            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                            f'filename="form.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
                        ).encode()
                        + pdf
                        + f"\r\n--{boundary}--\r\n".encode()
                    )
                    c.request(
                        "POST",
                        f"/api/v1/applications/{app['id']}/materials/{code}/",
                        body=body,
                        headers={
                            "Authorization": f"Token {token}",
                            "Content-Type": f"multipart/form-data; boundary={boundary}",
                        },
                    )
                    r = c.getresponse()
                    r.read()
                    if r.status != 200:
                        raise RuntimeError(f"upload: HTTP {r.status}")
                request(c, "POST", f"/api/v1/applications/{app['id']}/submit/", {}, token=token)

            whole = run(port, plan["full"], args.concurrency, full) if plan["full"] else None
        finally:
            server.terminate()
            server.wait(10)
            sandbox.terminate()
            sandbox.wait(10)
    print(f"concurrency {args.concurrency}")
    print(
        f"{'case':<34}{'n':>6}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'server CPU ms':>15}{'PG CPU ms':>11}"
    )
    rows = [
        ("floor: insert 3 rows", floor),
        ("floor behind the API stack (token)", api_floor),
        ("submit a prepared draft", submit),
    ]
    if whole:
        rows.append(("whole application (≈8 requests)", whole))
    for name, r in rows:
        print(
            f"{name:<34}{r['n']:>6}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
            f"{r['server_cpu']:>15.2f}{r['pg_cpu']:>11.2f}"
        )
    print(f"submit ÷ floor = {submit['rps'] / floor['rps']:.2f} (target ≥ 0.50)")
    print(f"submit ÷ API-stack floor = {submit['rps'] / api_floor['rps']:.2f}")


if __name__ == "__main__":
    main()
