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


# --- properties of the clock arithmetic, around Spring Festival and National Day -------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FESTIVE = st.sampled_from(
    [dt.date(2026, 2, 10), dt.date(2026, 2, 14), dt.date(2025, 9, 28), dt.date(2026, 9, 28)]
)
STARTS = st.one_of(FESTIVE, st.dates(dt.date(2025, 1, 1), dt.date(2026, 11, 30)))


def _deadline(start, limit, paused=0, extended=0, unit="working"):
    d = Deadline(
        starts_on=start,
        limit=limit,
        unit=unit,
        paused_days=paused,
        extended_days=extended,
        due_on=start,
    )
    d.due_on = clock._due(d)
    d.yellow_on = clock.yellow_on_for(d)
    return d


@settings(max_examples=60, deadline=None)
@given(start=STARTS, limit=st.integers(0, 30), paused=st.integers(0, 15), ext=st.integers(0, 10))
def test_pauses_and_extensions_add_working_days_on_top_of_the_limit(start, limit, paused, ext):
    d = _deadline(start, limit, paused, ext)
    plain = calendar.working_days_add(start, limit)
    assert d.due_on == calendar.working_days_add(plain, paused + ext)
    assert d.due_on >= plain
    if limit + paused + ext:
        assert calendar.is_working_day(d.due_on)


@settings(max_examples=60, deadline=None)
@given(
    start=STARTS,
    a=st.integers(0, 20),
    b=st.integers(1, 20),
    c=st.integers(0, 20),
    e=st.integers(1, 20),
)
def test_overlapping_pauses_count_once(start, a, b, c, e):
    d = _deadline(start, 5)
    p1 = (start + dt.timedelta(days=a), start + dt.timedelta(days=a + b))
    p2 = (start + dt.timedelta(days=c), start + dt.timedelta(days=c + e))
    union = clock._paused_days(d, [p1, p2])
    assert union == clock._paused_days(d, [p2, p1])
    assert clock._paused_days(d, [p1, p1]) == clock._paused_days(d, [p1])
    assert max(clock._paused_days(d, [p1]), clock._paused_days(d, [p2])) <= union
    assert union <= clock._paused_days(d, [p1]) + clock._paused_days(d, [p2])
    if p1[0] <= p2[0] <= p1[1]:  # they overlap: one pause from the first start to the last end
        assert union == clock._paused_days(d, [(p1[0], max(p1[1], p2[1]))])


@settings(max_examples=80, deadline=None)
@given(
    start=STARTS,
    limit=st.integers(0, 30),
    paused=st.integers(0, 15),
    ext=st.integers(0, 10),
    unit=st.sampled_from(["working", "calendar"]),
)
def test_the_yellow_day_is_the_first_day_the_rule_holds(start, limit, paused, ext, unit):
    d = _deadline(start, limit, paused, ext, unit)
    allowed = limit + ext
    if allowed == 0:
        assert d.yellow_on is None  # 即办: nothing to warn about before it is due
        return

    def left(day):
        if unit == "calendar":
            return (d.due_on - day).days
        return calendar.working_days_between(day, d.due_on)

    def holds(day):  # paused days are not used days
        return (allowed - left(day)) / allowed >= 0.9 or left(day) <= 1

    assert d.starts_on <= d.yellow_on <= d.due_on
    assert holds(d.yellow_on)
    day = d.yellow_on - dt.timedelta(days=1)
    if day >= d.starts_on:
        assert not holds(day)


@settings(max_examples=60, deadline=None)
@given(end=STARTS, n=st.integers(0, 25))
def test_working_days_before_is_the_earliest_day_with_n_left(end, n):
    day = calendar.working_days_before(end, n)
    assert calendar.working_days_between(day, end) <= n
    assert calendar.working_days_between(day - dt.timedelta(days=1), end) > n


def test_a_pause_over_spring_festival_counts_only_working_days():
    d = _deadline(dt.date(2026, 2, 10), 5)  # Tuesday before the festival
    # 13 Feb → 25 Feb: 14 Feb is a make-up working day, 15–23 Feb off, then 24 and 25 Feb.
    assert clock._paused_days(d, [(dt.date(2026, 2, 13), dt.date(2026, 2, 25))]) == 3
    assert d.due_on == dt.date(2026, 2, 24)  # 11, 12, 13, 14 (make-up), then 24 Feb
