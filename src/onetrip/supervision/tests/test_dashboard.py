"""The 电子监察 dashboard: numbers for a known week, drill-down, scope, export, bad filters."""

from __future__ import annotations

import io

import pytest
import time_machine
from openpyxl import load_workbook

from onetrip.applications.tests.factories import staff
from onetrip.supervision import selectors
from onetrip.supervision.tests.scenario import TODAY, at, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def s():
    return build()


@pytest.fixture(autouse=True)
def _friday():
    with time_machine.travel(at(6, 15), tick=False):
        yield


def _cells(html: str, table_id: str) -> str:
    start = html.index(f'id="{table_id}"')
    return html[start : html.index("</table>", start)]


def test_selectors_count_the_known_week(s):
    scope = [s.jobs.pk]
    time_left = selectors.open_by_time_left(scope, today=TODAY)
    assert time_left["totals"] | {} == {
        "paused": 0,
        "overdue": 1,
        "d1": 1,
        "d3": 0,
        "d5": 0,
        "more": 0,
        "total": 2,
    }
    on_time = selectors.on_time(scope)["totals"]
    assert (on_time["met"], on_time["missed"], on_time["rate"]) == (1, 1, 0.5)
    handling = selectors.handling_time(scope)["overall"]
    assert (handling.closed, handling.average_used, handling.average_promised) == (2, 2.5, 2.0)
    cards = selectors.cards_by_department(scope)["totals"]
    assert (cards["open_red"], cards["open_yellow"]) == (1, 1)
    everywhere = selectors.open_by_time_left(None, today=TODAY)["totals"]
    assert everywhere["overdue"] == 2


def test_every_benchmark_query_runs_for_all_one_and_no_department(s):
    for name, query in selectors.DASHBOARD_QUERIES.items():
        for scope in (None, [s.jobs.pk], []):
            assert query(scope) is not None, name


def test_supervisor_sees_their_departments_numbers_and_drills_down(client, s):
    client.force_login(s.w.supervisor)
    response = client.get("/supervision/")
    assert response.status_code == 200
    html = response.content.decode()
    table = _cells(html, "time-left-table")
    assert s.jobs.name in table and s.insurance.name not in table
    assert f'data-department="{s.jobs.pk}"' in table
    on_time = _cells(html, "on-time-table")
    assert "50.0%" in on_time
    # Drill down from the overdue count to the application, then to the workbench page.
    listing = client.get(f"/supervision/applications/?department={s.jobs.pk}&bucket=overdue")
    body = listing.content.decode()
    assert s.a.tracking_number in body and s.d.tracking_number not in body
    assert f"/workbench/applications/{s.a.tracking_number}/" in body
    assert client.get(f"/workbench/applications/{s.a.tracking_number}/").status_code == 200
    missed = client.get("/supervision/applications/?outcome=missed").content.decode()
    assert s.c.tracking_number in missed and s.b.tracking_number not in missed
    kinds = _cells(html, "cards-kind-table")
    assert 'data-kind="overdue"' in kinds and "kind=overdue" in kinds
    d1 = client.get("/supervision/applications/?bucket=d1").content.decode()
    assert s.d.tracking_number in d1 and s.a.tracking_number not in d1


def test_other_departments_are_404_on_every_page_and_export(client, s):
    client.force_login(s.w.supervisor)
    red_ins = s.e.cards.get()
    for url in (
        f"/supervision/?department={s.insurance.pk}",
        f"/supervision/applications/?department={s.insurance.pk}",
        f"/supervision/applications.xlsx?department={s.insurance.pk}",
        f"/supervision/export/time-left.xlsx?department={s.insurance.pk}",
        f"/supervision/cards/?department={s.insurance.pk}",
        f"/supervision/cards.xlsx?department={s.insurance.pk}",
        f"/supervision/cards/{red_ins.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/supervision/cards/{red_ins.pk}/close/", {"reason": "x"})
    assert response.status_code == 404
    # Unscoped lists never show the other department's rows either.
    assert s.e.tracking_number not in client.get("/supervision/applications/").content.decode()
    assert s.e.tracking_number not in client.get("/supervision/cards/").content.decode()


def test_only_supervisors_and_administrators(client, s):
    client.force_login(s.w.handler)
    assert client.get("/supervision/").status_code == 403
    client.force_login(s.w.user)  # an applicant
    assert client.get("/supervision/").status_code == 404
    client.logout()
    assert client.get("/supervision/").status_code == 302
    admin = staff("admin-bureau", s.jobs.parent, "administrator")
    client.force_login(admin)
    html = client.get("/supervision/").content.decode()
    assert s.insurance.name in _cells(html, "time-left-table")  # the bureau covers its units


def test_the_workbench_nav_links_to_supervision_for_supervisors_only(client, s):
    client.force_login(s.w.supervisor)
    assert 'href="/supervision/"' in client.get("/workbench/").content.decode()
    client.force_login(s.w.handler)
    assert 'href="/supervision/"' not in client.get("/workbench/").content.decode()


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


def test_exports_hold_the_table_numbers(client, s):
    client.force_login(s.w.supervisor)
    rows = _sheet(client.get("/supervision/export/time-left.xlsx"))
    assert rows[1][:3] == ["部门", "计时暂停", "已超期"]
    assert rows[2][:3] == [s.jobs.name, 0, 1] and rows[2][-1] == 2
    assert rows[-1][0] == "合计"
    on_time = _sheet(client.get("/supervision/export/on-time.xlsx"))
    assert on_time[2] == [s.jobs.name, 2, 1, 1, "50.0%"]
    officers = _sheet(client.get("/supervision/export/cards-officer.xlsx"))
    assert officers[2][:4] == ["handler1", s.jobs.name, 1, 1]
    handling = _sheet(client.get("/supervision/export/handling-item.xlsx"))
    assert handling[2][2:5] == [2, 2.5, 2]
    for table in ("cards-department", "handling-department", "trends"):
        assert _sheet(client.get(f"/supervision/export/{table}.xlsx"))
    listing = _sheet(client.get("/supervision/applications.xlsx?bucket=overdue"))
    assert [r[0] for r in listing[2:]] == [s.a.tracking_number]
    assert listing[1][4] == "经办人" and listing[2][4] == "handler1"  # who holds it now
    kinds = _sheet(client.get("/supervision/export/cards-kind.xlsx"))
    assert ["临近承诺期限", "黄牌（预警）", 1, 0, 1] in kinds
    assert ["超过承诺期限", "红牌", 1, 0, 1] in kinds
    cards = _sheet(client.get("/supervision/cards.xlsx?colour=red"))
    assert [r[1:4] for r in cards[2:]] == [["红牌", "超过承诺期限", s.a.tracking_number]]
    assert client.get("/supervision/export/nothing.xlsx").status_code == 404


def test_bad_filters_get_a_chinese_message_not_a_500(client, s):
    client.force_login(s.w.supervisor)
    response = client.get("/supervision/?from=2026-13-45&to=yesterday")
    assert response.status_code == 400
    body = response.content.decode()
    assert "不是有效日期" in body and "2026-01-31" in body
    response = client.get("/supervision/?from=2026-11-06&to=2026-11-01")
    assert "开始日期不能晚于结束日期" in response.content.decode()
    response = client.get("/supervision/export/on-time.xlsx?from=junk")
    assert response.status_code == 400 and "不是有效日期" in response.content.decode()
    for url in (
        "/supervision/?department=abc",
        "/supervision/cards/?department=99999",
    ):
        assert client.get(url).status_code == 404
    assert client.get("/supervision/cards/?officer=x&colour=blue&page=zz").status_code == 200
    assert client.get("/supervision/applications/?bucket=zz&item=q&page=-1").status_code == 200


def test_date_range_narrows_closed_and_open_numbers(client, s):
    client.force_login(s.w.supervisor)
    on_time = selectors.on_time([s.jobs.pk], date_from=TODAY, date_to=TODAY)["totals"]
    assert (on_time["met"], on_time["missed"]) == (0, 1)
    html = client.get("/supervision/?from=2026-11-05&to=2026-11-06").content.decode()
    table = _cells(html, "time-left-table")
    assert 'data-bucket="overdue"><a' in table
    opened = selectors.open_by_time_left([s.jobs.pk], today=TODAY, date_from=TODAY.replace(day=5))[
        "totals"
    ]
    assert opened["total"] == 1 and opened["d1"] == 1


def test_working_days_counter_agrees_with_the_calendar(db):
    import datetime as dt

    from onetrip.core.calendar import calendar_seed, working_days_between
    from onetrip.supervision.selectors import _working_days_counter

    calendar_seed(years=[2026])
    days = [dt.date(2026, 9, 20) + dt.timedelta(days=n) for n in range(0, 40, 3)]
    between = _working_days_counter(days)
    for a in days:
        for b in days:
            if a <= b:
                assert between(a, b) == working_days_between(a, b), (a, b)


def test_trends_show_every_week_of_the_range_with_zeros(s):
    import datetime as dt

    rows = selectors.trends(None, today=TODAY)["rows"]
    assert len(rows) == 13 and all(r["period"].weekday() == 0 for r in rows)
    week = {r["period"]: r for r in rows}[dt.date(2026, 11, 2)]
    assert (week["accepted"], week["met"], week["missed"]) == (5, 1, 1)
    assert (week["yellow"], week["red"]) == (1, 2)
    monthly = selectors.trends(None, date_from=dt.date(2026, 1, 1), date_to=TODAY)
    assert monthly["monthly"] and len(monthly["rows"]) == 11


def test_each_bucket_count_is_its_drill_down_list(s):
    import datetime as dt

    for today in (TODAY, dt.date(2026, 11, 3), dt.date(2026, 10, 30)):
        counts = selectors.open_by_time_left(None, today=today)
        for row in [*counts["rows"], None]:
            scope = [row["department_id"]] if row else None
            numbers = row or counts["totals"]
            for bucket in selectors.BUCKET_KEYS:
                listed = selectors.drilldown_applications(scope, bucket=bucket, today=today)
                assert listed.count() == numbers[bucket], (today, scope, bucket)
            assert sum(numbers[b] for b in selectors.BUCKET_KEYS) == numbers["total"]


def test_dashboard_tables_are_cached_a_minute_per_scope_and_filters(client, s):
    from django.core.cache import cache

    from onetrip.supervision.models import Card

    client.force_login(s.w.supervisor)
    before = _cells(client.get("/supervision/").content.decode(), "cards-department-table")
    Card.objects.filter(application=s.a).update(closed_at=s.a.accepted_at)
    cached = _cells(client.get("/supervision/").content.decode(), "cards-department-table")
    assert cached == before
    fresh = client.get("/supervision/?from=2026-11-01").content.decode()
    assert _closed_red(fresh) == "1" and _closed_red(before) == "0"  # other filters: fresh
    cache.clear()
    assert _closed_red(client.get("/supervision/").content.decode()) == "1"


def _closed_red(html: str) -> str:
    import re

    # The first closed-red cell is the cards-by-department table's (only it has that count).
    return re.search(r'data-count="closed_red"><a [^>]*>(\d+)</a>', html).group(1)
