"""Working-day arithmetic on the seeded calendar, around Spring Festival and National Day."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onetrip.core import calendar
from onetrip.core.models import CalendarDay

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture(autouse=True)
def _fresh_cache():
    calendar.calendar_changed()
    yield
    calendar.calendar_changed()


def test_the_calendar_is_seeded_on_migrate():
    assert CalendarDay.objects.filter(date__year=2026).count() == 365
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).note == "国庆节"
    assert not calendar.is_working_day(D(2026, 2, 17))  # 春节
    assert calendar.is_working_day(D(2026, 2, 14))  # a Saturday made a working day (调休)


def test_spring_festival_and_national_day():
    # Accepted on the last working day before the 2026 Spring Festival break:
    # the holiday and its weekend are skipped.
    assert calendar.working_days_add(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert calendar.working_days_add(D(2026, 2, 14), 1) == D(2026, 2, 24)
    # National Day 2026: 1–7 October off.
    assert calendar.working_days_add(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == 1


def test_days_without_rows_count_monday_to_friday():
    assert not CalendarDay.objects.filter(date__year=2031).exists()
    assert calendar.working_days_add(D(2031, 1, 3), 1) == D(2031, 1, 6)  # Friday → Monday


def test_an_administrators_edit_survives_reseeding():
    day = CalendarDay.objects.get(date=D(2026, 12, 31))
    day.is_working_day, day.note, day.edited = False, "临时调整", True
    day.save()
    calendar.calendar_seed(years=[2026])
    assert CalendarDay.objects.get(date=D(2026, 12, 31)).note == "临时调整"


def test_gap_warning():
    assert calendar.calendar_gap(today=D(2026, 11, 28)) == D(2027, 1, 1)
    assert calendar.calendar_gap(today=D(2026, 6, 1)) is None


dates = st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 11, 30))


@settings(max_examples=200, deadline=None)
@given(start=dates, n=st.integers(0, 40))
def test_adding_then_counting_gives_back_the_same_number(start, n):
    end = calendar.working_days_add(start, n)
    assert calendar.working_days_between(start, end) == n
    assert n == 0 or calendar.is_working_day(end)


@settings(max_examples=200, deadline=None)
@given(start=dates, a=st.integers(0, 30), b=st.integers(0, 30))
def test_adding_is_additive(start, a, b):
    assert calendar.working_days_add(calendar.working_days_add(start, a), b) == (
        calendar.working_days_add(start, a + b)
    )
