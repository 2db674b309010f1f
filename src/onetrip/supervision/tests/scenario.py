"""A known week of applications for the dashboard and scoreboard tests.

Two departments, items promised in 2 working days, the week of Monday 2 November 2026:

- jobs (就业): A accepted Mon, still open on Fri → overdue, red card;
  B accepted Mon, approved Tue → met, 1 visit; C accepted Mon, approved Fri → missed,
  2 visits; D accepted Thu, due next Mon → 1 working day left on Fri, yellow card.
- insurance (社保): E accepted Mon, still open on Fri → overdue, red card.

``TODAY`` is Friday 6 November; the sweep ran that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import time_machine

from onetrip.applications import services
from onetrip.applications.models import Application
from onetrip.applications.tests.factories import STAGES, World, staff, submitted, world
from onetrip.catalog.models import Department
from onetrip.catalog.tests.factories import item_publish
from onetrip.core import calendar
from onetrip.supervision import services as supervision

TZ = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 11, 6)


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=TZ)


@dataclass
class Scenario:
    w: World
    other: World  # the insurance department's staff and item
    a: Application
    b: Application
    c: Application
    d: Application
    e: Application
    jobs: Department
    insurance: Department


def _accept(w: World, day: int) -> Application:
    with time_machine.travel(at(day, 9), tick=False):
        app = submitted(w)
        services.application_act(application=app, user=w.window, action="accept")
    app.refresh_from_db()
    return app


def _decide(w: World, app: Application, day: int, visits: int = 0) -> None:
    with time_machine.travel(at(day, 11), tick=False):
        for n in range(visits):
            services.visit_record(
                application=app,
                officer=w.handler,
                reason=f"核验原件 {n + 1}",
                place="市民中心",
                over_promise_reason="原件须当面核验",
            )
        act = services.application_act
        act(application=app, user=w.handler, action="start")
        act(application=app, user=w.handler, action="pass_stage")
        act(application=app, user=w.checker, action="pass_stage")
        act(application=app, user=w.approver, action="approve")
    app.refresh_from_db()


def build() -> Scenario:
    calendar.calendar_changed()
    w = world()
    insurance = Department.objects.get(code="insurance")
    other = replace(
        w,
        item=item_publish(department="insurance", stages=STAGES, name="失业登记"),
        handler=staff("handler-ins", insurance, "handler"),
        checker=staff("checker-ins", insurance, "checker"),
        approver=staff("approver-ins", insurance, "approver"),
        supervisor=staff("supervisor-ins", insurance, "supervisor"),
    )
    a = _accept(w, 2)
    b = _accept(w, 2)
    c = _accept(w, 2)
    e = _accept(other, 2)
    _decide(w, b, 3, visits=1)
    d = _accept(w, 5)
    _decide(w, c, 6, visits=2)
    # The handler touched A and D, so the cards name them.
    with time_machine.travel(at(6, 12), tick=False):
        services.application_act(application=a, user=w.handler, action="start")
        services.application_act(application=d, user=w.handler, action="start")
        services.application_act(application=e, user=other.handler, action="start")
    with time_machine.travel(at(6, 18), tick=False):
        supervision.cards_sweep(today=TODAY)
    for app in (a, d, e):
        app.refresh_from_db()
    return Scenario(
        w=w,
        other=other,
        a=a,
        b=b,
        c=c,
        d=d,
        e=e,
        jobs=Department.objects.get(code="jobs"),
        insurance=insurance,
    )
