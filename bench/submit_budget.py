"""Where a submission's CPU goes, in one process on PostgreSQL, and what is left without the ORM.

Prepares --drafts drafts of 失业保险金申领 as `submit_load.py` does (prefill mode, sandbox
registries in their own process), then in this one process, through Django's test client:
  floor          POST /bench/floor/ (three rows in one transaction, no DRF);
  API floor      POST /bench/api-floor/ (the same behind DRF and token authentication);
  submission     POST /api/v1/applications/<id>/submit/, each inside a transaction rolled back
                 afterwards, so every pass submits the same drafts;
  raw statements the statements each submission sent (captured in a separate pass), sent
                 again through a cursor, without the ORM, DRF or the request, rolled back
                 (--by-statement: each one alone, too);
  logic          the submission's own Python without the database: validating the pinned
                 form, rendering the two messages, hashing the audit event.
For each: the CPU of this process and of its PostgreSQL backend per request, read from
`/proc`. Last, the best a submission could do with every statement as raw SQL: the floor's
request stack, plus the raw statements, plus the logic, against the floor.

    .venv/bin/python bench/submit_budget.py --drafts 200
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from _common import recreate
from submit_load import bench_env, prepare

SKIPPED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=200)
    parser.add_argument(
        "--by-statement", action="store_true", help="also each statement's cost, sent alone"
    )
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/onetrip_bench"
    )
    args = parser.parse_args()
    recreate(args.database_url)
    data_dir = tempfile.mkdtemp(prefix="onetrip-bench-")
    env = bench_env(args.database_url, data_dir)
    t0 = time.perf_counter()
    sandbox, plan = prepare(env, args.drafts, 0, "prefill")
    drafts = plan["drafts"]
    print(f"prepared {len(drafts)} drafts in {time.perf_counter() - t0:.1f} s (PostgreSQL)")
    os.environ.update(env)
    try:
        measure(drafts, args.by_statement)
    finally:
        sandbox.terminate()
        sandbox.wait(10)


def measure(drafts: list, by_statement: bool) -> None:
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)  # the outbox logs each channel it skips
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from onetrip.applications.formdata import form_fields_for, form_validate
    from onetrip.applications.models import Application
    from onetrip.applications.services import next_step_text, verified_answers
    from onetrip.audit.chain import event_hash
    from onetrip.audit.models import AuditEvent
    from onetrip.exchange.selectors import evidence_in_use
    from onetrip.notifications.services import message_template_get

    client = Client()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()

    def backend_cpu() -> float:
        with open(f"/proc/{backend}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def timed(fn, jobs) -> tuple[float, float]:
        """(this process's, the backend's) CPU in ms per job."""
        cpu, pg = time.process_time(), backend_cpu()
        for job in jobs:
            fn(job)
        n = len(jobs)
        return (time.process_time() - cpu) / n * 1000, (backend_cpu() - pg) / n * 1000

    def floor(_):
        assert client.post("/bench/floor/").status_code == 200

    def api_floor(job):
        r = client.post(
            "/bench/api-floor/", "{}", "application/json", HTTP_AUTHORIZATION=f"Token {job[0]}"
        )
        assert r.status_code == 200

    def submit(job):
        r = client.post(
            f"/api/v1/applications/{job[1]}/submit/",
            "{}",
            "application/json",
            HTTP_AUTHORIZATION=f"Token {job[0]}",
            HTTP_IDEMPOTENCY_KEY=f"b{job[1]}",
        )
        assert r.status_code == 201, r.content[:300]

    def rolled_back(fn):
        def run(job):
            with transaction.atomic():
                fn(job)
                transaction.set_rollback(True)

        return run

    def statements(fn, job) -> list[str]:
        """The SQL ``fn(job)`` sends, parameters inlined, without transaction control."""
        with CaptureQueriesContext(connection) as captured:
            fn(job)
        return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(SKIPPED)]

    def raw(sqls: list[str]) -> None:
        with transaction.atomic():
            with connection.cursor() as cursor:
                for sql in sqls:
                    cursor.execute(sql)
                    if cursor.description is not None:
                        cursor.fetchall()
            transaction.set_rollback(True)

    warm = drafts[:20]
    for fn in (floor, api_floor, rolled_back(submit)):
        for job in warm:
            fn(job)
    rows = {}
    rows["floor"] = timed(floor, drafts)
    rows["API floor"] = timed(api_floor, drafts)
    rows["submission"] = timed(rolled_back(submit), drafts)
    floor_sql = statements(rolled_back(floor), None)
    submit_sql = [statements(rolled_back(submit), job) for job in drafts]
    rows["floor statements, raw"] = timed(lambda _: raw(floor_sql), drafts)
    rows["submission statements, raw"] = timed(raw, submit_sql)

    # The submission's Python that no choice of database access removes.
    application = Application.objects.select_related("version").get(pk=drafts[0][1])
    evidence = evidence_in_use(application=application)
    template = message_template_get("application_status")
    context = {
        "tracking_number": "2026120500000001",
        "item_name": application.version.name,
        "status_label": "已提交",
        "next_step": next_step_text(application),
        "note": "",
        "corrections": [],
        "deadline": "",
        "appeal_rights": "",
        "sms_only": False,
    }
    event = AuditEvent(
        seq=1,
        occurred_at=timezone.now(),
        actor_kind="applicant",
        actor_id=str(application.owner_id),
        action="application.submit",
        object_type="applications.application",
        object_id=str(application.pk),
        summary="2026120500000001 提交申请",
        before={"status": "draft"},
        after={"status": "submitted"},
        prev_hash="0" * 64,
    )

    def logic(_):
        fields = form_fields_for(application.version, application.situation)
        verified = verified_answers(application, evidence.data_by_type)
        form_validate(fields, {**application.data, **verified}, verified=verified)
        for channel in ("inbox", "sms"):
            template.render(channel=channel, context=context)
        event_hash(event)

    rows["submission logic, no database"] = timed(logic, drafts)

    print(f"{len(drafts)} requests per case; CPU per request in ms")
    print(f"{'case':<34}{'statements':>11}{'this process':>14}{'PostgreSQL':>12}")
    counts = {
        "floor statements, raw": len(floor_sql),
        "submission statements, raw": sum(map(len, submit_sql)) / len(submit_sql),
    }
    for name, (cpu, pg) in rows.items():
        n = counts.get(name)
        print(f"{name:<34}{'' if n is None else f'{n:.0f}':>11}{cpu:>14.2f}{pg:>12.2f}")
    if by_statement:
        print("each statement of the submission, sent alone in its own transaction (×5):")
        for i, sql in enumerate(submit_sql[0]):
            cpu, pg = timed(lambda sqls, i=i: raw([sqls[i]]), submit_sql * 5)
            print(f"  {i + 1:>2} {' '.join(sql.split())[:66]:<66}{cpu:>8.2f}{pg:>8.2f}")
    f_cpu, f_pg = rows["floor"]
    stack = f_cpu - rows["floor statements, raw"][0]
    best = stack + rows["submission statements, raw"][0] + rows["submission logic, no database"][0]
    best_pg = rows["submission statements, raw"][1]
    s_cpu, s_pg = rows["submission"]
    print(
        f"submission ÷ floor: {f_cpu / s_cpu:.2f} by this process's CPU, "
        f"{(f_cpu + f_pg) / (s_cpu + s_pg):.2f} with PostgreSQL's"
    )
    print(
        f"best case without the ORM (the floor's request stack {stack:.2f} + raw statements + "
        f"logic) = {best:.2f} ms: ÷ floor {f_cpu / best:.2f} by this process's CPU, "
        f"{(f_cpu + f_pg) / (best + best_pg):.2f} with PostgreSQL's (target ≥ 0.50)"
    )


if __name__ == "__main__":
    main()
