"""Measured KPIs on the public scoreboard and in the API: on time, handling, overdue, visits."""

from __future__ import annotations

import pytest
import time_machine

from onetrip.stats.selectors import service_kpis
from onetrip.supervision.tests.scenario import TODAY, at, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def s():
    return build()


def test_service_kpis_for_the_known_week(s):
    data = service_kpis(today=TODAY)
    overall = data["overall"]
    assert (overall.closed, overall.met, overall.missed) == (2, 1, 1)
    assert overall.on_time_rate == 0.5
    assert (overall.average_used_days, overall.average_promised_days) == (2.5, 2.0)
    assert (overall.open_overdue, overall.overdue) == (2, 3)  # A and E open, C closed late
    assert (overall.decided, overall.visits, overall.average_visits) == (2, 3, 1.5)
    assert overall.average_promised_visits == 0
    jobs, insurance = data["departments"]
    assert jobs.department["code"] == "jobs" and jobs.overdue == 2
    assert insurance.department["code"] == "insurance"
    assert (insurance.overdue, insurance.closed, insurance.on_time_rate) == (1, 0, None)
    assert insurance.average_visits is None
    assert {i.item["name"] for i in data["items"]} == {"社会保障卡申领", "失业登记"}


def test_scoreboard_shows_them(client, s):
    with time_machine.travel(at(6, 15), tick=False):
        html = client.get("/stats/").content.decode()
    section = html[html.index('id="service-kpis"') :]
    assert 'data-kpi="on_time_rate"><div class="k">按期办结率</div><div class="v">50.0%' in section
    assert "2.5 / 2.0" in section  # handling time against the promise
    assert "1.5 / 0.0" in section  # measured visits against the promise
    dept = section[section.index('id="service-department-table"') :]
    jobs_row = dept[dept.index('data-department="jobs"') :]
    assert '<td class="num" data-kpi="overdue">2</td>' in jobs_row.split("</tr>")[0]


def test_api_returns_them_with_the_documented_fields(client, s):
    with time_machine.travel(at(6, 15), tick=False):
        body = client.get("/api/v1/stats/service/").json()
    assert body["overall"]["on_time_rate"] == 0.5
    assert body["overall"]["overdue"] == 3
    assert body["overall"]["average_visits"] == 1.5
    assert [d["department"]["code"] for d in body["departments"]] == ["jobs", "insurance"]
    assert body["items"][0]["item"]["name"] == "社会保障卡申领"


def test_empty_database_shows_dashes(client, db):
    html = client.get("/stats/").content.decode()
    assert "尚无办件数据" in html
    body = client.get("/api/v1/stats/service/").json()
    assert body["overall"]["on_time_rate"] is None and body["departments"] == []


def test_public_figures_are_cached_for_a_few_minutes(client, s):
    from onetrip.applications.models import Visit

    with time_machine.travel(at(6, 15), tick=False):
        assert client.get("/api/v1/stats/service/").json()["overall"]["visits"] == 3
        Visit.objects.filter(application=s.c).delete()
        assert client.get("/api/v1/stats/service/").json()["overall"]["visits"] == 3
    # Expiry is the cache's (Redis in production, local memory here); emulate it.
    from django.core.cache import cache

    from onetrip.stats.selectors import SERVICE_KPIS_SECONDS

    assert 0 < SERVICE_KPIS_SECONDS <= 300
    cache.delete("onetrip:stats:service")
    assert client.get("/api/v1/stats/service/").json()["overall"]["visits"] == 1
