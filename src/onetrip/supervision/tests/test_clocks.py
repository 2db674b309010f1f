"""Deadlines start on acceptance, pause in a special procedure, extend, and close."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onetrip.applications import services
from onetrip.applications.tests.factories import submitted, world
from onetrip.core import calendar
from onetrip.supervision import services as clock
from onetrip.supervision.models import Deadline

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _calendar():
    calendar.calendar_changed()


def act(app, user, action, **kw):
    return services.application_act(application=app, user=user, action=action, **kw)


def test_acceptance_starts_both_limits_on_the_working_day_calendar():
    w = world()  # promised 2 working days, legal 10 working days
    app = submitted(w)
    with time_machine.travel(dt.datetime(2026, 9, 29, 10, tzinfo=TZ), tick=False):
        act(app, w.window, "accept")
    promised = app.deadlines.get(kind="promised")
    legal = app.deadlines.get(kind="legal")
    assert promised.due_on == dt.date(2026, 10, 8)  # 30 Sep, then 1–7 Oct off, then 8 Oct
    assert legal.due_on == calendar.working_days_add(dt.date(2026, 9, 29), 10)


def test_special_procedure_pauses_the_clock_and_decision_closes_it():
    w = world()
    app = submitted(w)
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=TZ), tick=False):  # Monday
        act(app, w.window, "accept")
        act(app, w.handler, "start")
        act(app, w.handler, "pause", reason="委托鉴定")
    before = app.deadlines.get(kind="promised").due_on
    with time_machine.travel(dt.datetime(2026, 11, 9, 10, tzinfo=TZ), tick=False):  # +5 wd
        act(app, w.handler, "resume", reason="鉴定结论已出")
    promised = app.deadlines.get(kind="promised")
    assert promised.paused_days == 5
    assert promised.due_on == calendar.working_days_add(before, 5)
    with time_machine.travel(dt.datetime(2026, 11, 10, 10, tzinfo=TZ), tick=False):
        act(app, w.handler, "pass_stage")
        act(app, w.checker, "pass_stage")
        act(app, w.approver, "approve")
    assert app.deadlines.get(kind="promised").state == Deadline.State.MET


def test_late_decision_is_missed_and_extension_moves_the_date():
    w = world()
    app = submitted(w)
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=TZ), tick=False):
        act(app, w.window, "accept")
    clock.clock_extend(application=app, days=1, reason="情况复杂", approver=w.approver)
    assert app.deadlines.get(kind="promised").due_on == dt.date(2026, 11, 5)
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=TZ), tick=False):
        act(app, w.handler, "start")
        act(app, w.handler, "pass_stage")
        act(app, w.checker, "pass_stage")
        act(app, w.approver, "approve")
    assert app.deadlines.get(kind="promised").state == Deadline.State.MISSED


def test_withdrawal_cancels_the_clock():
    w = world()
    app = submitted(w)
    act(app, w.window, "accept")
    act(app, w.user, "withdraw")
    assert set(app.deadlines.values_list("state", flat=True)) == {"cancelled"}
