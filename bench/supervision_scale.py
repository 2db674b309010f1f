"""电子监察 at scale: the card sweep and the dashboard's queries over a million open applications.

Creates a fresh PostgreSQL database, loads the shipped catalogue, and writes (with COPY)
--open open applications, each accepted within about 1.3 times its item's promised limit
(so most are on time and some overdue), with their promised and legal deadlines and current
officer, plus --closed concluded ones (deadlines met or missed, visits).
Then times:
  catch-up   the first sweep, as of yesterday: every card due so far (a scheduler that was off);
  daily      the next day's sweep: the cards that fall due in one day (the periodic job);
  no-op      the same sweep again: nothing left to raise (what most runs of the job do);
and each query in onetrip.supervision.selectors.DASHBOARD_QUERIES, for all departments and for
one department (median of three runs).

    .venv/bin/python bench/supervision_scale.py --open 1000000 --closed 200000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time

from _common import SHARED_KEYS, recreate

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=1_000_000, help="open applications")
    parser.add_argument("--closed", type=int, default=200_000, help="concluded applications")
    parser.add_argument("--officers", type=int, default=400)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/onetrip_scale"
    )
    args = parser.parse_args()

    recreate(args.database_url)
    os.environ["ONETRIP_DATABASE_URL"] = args.database_url
    os.environ.update(SHARED_KEYS)
    os.environ.setdefault("ONETRIP_DATA_DIR", "/tmp/onetrip-bench-scale")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onetrip.conf.settings")
    sys.path.insert(0, ROOT)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0)

    t0 = time.perf_counter()
    today = generate(args)
    print(
        f"generated {args.open:,} open + {args.closed:,} concluded applications "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    sweeps(today)
    dashboard()


def generate(args) -> dt.date:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from onetrip.accounts.models import StaffRole, User
    from onetrip.applications.models import Application, Assignment, Visit
    from onetrip.catalog.models import ItemVersion
    from onetrip.core.calendar import working_days_add
    from onetrip.supervision.models import Deadline
    from onetrip.supervision.services import yellow_day

    rng = random.Random(20261128)
    versions = list(
        ItemVersion.objects.filter(status="published", promised_limit__gte=3).select_related("item")
    )
    departments = sorted({v.item.department_id for v in versions})
    password = make_password(None)
    officers: dict[int, list[int]] = {d: [] for d in departments}
    users = User.objects.bulk_create(
        [
            User(username=f"officer{i:04d}", is_staff=True, password=password)
            for i in range(args.officers)
        ]
    )
    supervisors = User.objects.bulk_create(
        [User(username=f"jc{d}", is_staff=True, password=password) for d in departments]
    )
    roles = []
    for i, user in enumerate(users):
        dept = departments[i % len(departments)]
        officers[dept].append(user.pk)
        roles.append(StaffRole(user=user, department_id=dept, role="handler"))
    roles += [
        StaffRole(user=u, department_id=d, role="supervisor")
        for u, d in zip(supervisors, departments, strict=True)
    ]
    StaffRole.objects.bulk_create(roles)

    today = dt.date.today()
    due_cache: dict[tuple, tuple[dt.date, dt.date]] = {}

    def due(start: dt.date, limit: int, unit: str) -> tuple[dt.date, dt.date]:
        key = (start, limit, unit)
        if key not in due_cache:
            end = (
                start + dt.timedelta(days=limit)
                if unit == "calendar"
                else working_days_add(start, limit)
            )
            due_cache[key] = (end, yellow_day(start, limit, unit, end, 0.9, 1))
        return due_cache[key]

    def defaults(model, values: dict) -> tuple[list[str], dict]:
        cols, fixed = [], {}
        for f in model._meta.concrete_fields:
            cols.append(f.column)
            if f.attname not in values:
                fixed[f.column] = f.get_db_prep_save(f.get_default(), connection)
        return cols, fixed

    connection.ensure_connection()
    raw = connection.connection  # Django's psycopg connection, for COPY
    tz = dt.timezone(dt.timedelta(hours=8))
    next_app = 1
    app_rows, dl_rows, as_rows, visit_rows = [], [], [], []
    total = args.open + args.closed
    for n in range(total):
        v = versions[rng.randrange(len(versions))]
        is_open = n < args.open
        # Accepted within about 1.3 × the promised limit: most open work is still on time.
        calendar_days = v.promised_limit * (7 / 5 if v.promised_limit_unit == "working" else 1)
        accepted = today - dt.timedelta(days=rng.randrange(1, int(calendar_days * 1.3) + 3))
        at = dt.datetime.combine(accepted, dt.time(10), tzinfo=tz)
        dept = v.item.department_id
        pk = next_app
        next_app += 1
        decided = None
        if not is_open:
            decided = accepted + dt.timedelta(days=rng.randrange(0, v.promised_limit * 2 + 2))
            decided = min(decided, today)
        app_rows.append(
            {
                "id": pk,
                "tracking_number": f"B{pk:011d}",
                "item_id": v.item_id,
                "version_id": v.pk,
                "department_id": dept,
                "channel": "window",
                "status": "handling" if is_open else "approved",
                "stage": "handle",
                "created_at": at,
                "submitted_at": at,
                "accepted_at": at,
                "decided_at": dt.datetime.combine(decided, dt.time(16), tzinfo=tz)
                if decided
                else None,
            }
        )
        limits = [("promised", v.promised_limit, v.promised_limit_unit)]
        if v.legal_limit:
            limits.append(("legal", v.legal_limit, v.legal_limit_unit))
        for kind, limit, unit in limits:
            end, yellow = due(accepted, limit, unit)
            state = "open"
            if decided:
                state = "met" if decided <= end else "missed"
            dl_rows.append(
                {
                    "application_id": pk,
                    "department_id": dept,
                    "kind": kind,
                    "stage": "",
                    "starts_on": accepted,
                    "limit": limit,
                    "unit": unit,
                    "due_on": end,
                    "yellow_on": yellow,
                    "state": state,
                    "closed_on": decided,
                }
            )
        officer = rng.choice(officers[dept])
        as_rows.append(
            {
                "application_id": pk,
                "stage": "handle",
                "officer_id": officer,
                "started_at": at,
                "ended_at": None if is_open else at,
            }
        )
        if decided and rng.random() < 0.15:
            visit_rows.append(
                {
                    "application_id": pk,
                    "reason": "现场核验原件",
                    "place": "政务服务中心",
                    "officer_id": officer,
                    "occurred_at": at,
                }
            )
        if len(app_rows) >= 50_000 or n == total - 1:
            for model, rows in (
                (Application, app_rows),
                (Deadline, dl_rows),
                (Assignment, as_rows),
                (Visit, visit_rows),
            ):
                copy_rows(raw, model, rows, defaults)
                rows.clear()
            raw.commit()
            print(f"  … {n + 1:,} applications", flush=True)
    with connection.cursor() as cursor:
        for model in (Application, Deadline, Assignment, Visit):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    return today


def copy_rows(raw, model, rows: list[dict], defaults) -> None:
    if not rows:
        return
    values_by_attname = rows[0]
    cols, fixed = defaults(model, values_by_attname)
    fields = {f.column: f.attname for f in model._meta.concrete_fields}
    if "id" not in values_by_attname:
        cols = [c for c in cols if c != "id"]
    quoted = ", ".join(f'"{c}"' for c in cols)
    sql = f"COPY {model._meta.db_table} ({quoted}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[fields[c]] if fields[c] in row else fixed[c] for c in cols])


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def sweeps(today: dt.date) -> None:
    from onetrip.supervision.services import cards_sweep

    print("\nsweep                 seconds   yellow      red")
    for label, day in (
        ("catch-up (yesterday)", today - dt.timedelta(days=1)),
        ("daily (today)", today),
        ("no-op (today again)", today),
    ):
        seconds, raised = timed(lambda day=day: cards_sweep(today=day))
        print(f"{label:<21} {seconds:>7.2f} {raised['yellow']:>8,} {raised['red']:>8,}")


def dashboard() -> None:
    try:
        from onetrip.supervision.selectors import DASHBOARD_QUERIES
    except ImportError:
        print("\n(no dashboard queries in this version)")
        return
    from onetrip.catalog.models import Department

    one = Department.objects.filter(applications__isnull=False).values_list("id", flat=True)[:1]
    scopes = (("all departments", None), ("one department", {one[0]}))
    print("\ndashboard query                         scope               median s    max s")
    for name, query in DASHBOARD_QUERIES.items():
        for scope_label, scope in scopes:
            times = [timed(lambda q=query, s=scope: q(s))[0] for _ in range(3)]
            print(
                f"{name:<39} {scope_label:<18} {statistics.median(times):>9.3f} {max(times):>8.3f}"
            )


if __name__ == "__main__":
    main()
