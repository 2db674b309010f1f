"""The service centre's working-day calendar (工作日历): legal clocks count on it.

Days are rows (`CalendarDay`), seeded from `chinese-calendar` for the years it knows — public
holidays and 调休 make-up working days — and editable by an administrator when a new year's
schedule is announced. A date without a row counts by the week (Monday–Friday), and
`calendar_gap` tells how soon that guessing starts.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.db import transaction

from onetrip.core.models import CalendarDay

ONE_DAY = dt.timedelta(days=1)


def calendar_seed(*, years: list[int] | None = None) -> int:
    """Write the known schedule for ``years`` (default: every year chinese-calendar knows).

    Rows an administrator edited are kept. Returns how many days were written.
    """
    from chinese_calendar.constants import holidays, workdays

    known = sorted({d.year for d in holidays} | {d.year for d in workdays})
    years = [y for y in (years or known) if y in known]
    written = 0
    with transaction.atomic():
        edited = set(CalendarDay.objects.filter(edited=True).values_list("date", flat=True))
        for year in years:
            day = dt.date(year, 1, 1)
            rows = []
            while day.year == year:
                if day not in edited:
                    if day in holidays:
                        working = False
                        name = str(holidays[day])
                        note = _HOLIDAY_NAMES.get(name, name)
                    elif day in workdays:
                        working, note = True, "调休上班"
                    else:
                        working, note = day.weekday() < 5, ""
                    rows.append(CalendarDay(date=day, is_working_day=working, note=note))
                day += ONE_DAY
            CalendarDay.objects.filter(date__year=year, edited=False).delete()
            CalendarDay.objects.bulk_create(rows)
            written += len(rows)
    calendar_changed()
    return written


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _days() -> dict[dt.date, bool]:
    """The calendar, read once per process and per change (the version lives in the shared
    cache, so an edit on one node reaches every node)."""
    from django.core.cache import cache

    return _days_at(cache.get_or_set("onetrip:calendar:version", 1, None))


@lru_cache(maxsize=2)
def _days_at(version: int) -> dict[dt.date, bool]:
    return dict(CalendarDay.objects.values_list("date", "is_working_day"))


def calendar_changed() -> None:
    """Make every process read the calendar again (after an administrator edits a day)."""
    from django.core.cache import cache

    _days_at.cache_clear()
    try:
        cache.incr("onetrip:calendar:version")
    except ValueError:
        cache.set("onetrip:calendar:version", 2, None)


def _working(known: dict[dt.date, bool], day: dt.date) -> bool:
    flag = known.get(day)
    return flag if flag is not None else day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    return _working(_days(), day)


def working_days_add(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    known = _days()
    day = start
    while days:
        day += ONE_DAY
        if _working(known, day):
            days -= 1
    return day


def days_add(start: dt.date, days: int, unit: str) -> dt.date:
    """``days`` after ``start`` counted in ``unit``: "calendar" days or working days."""
    return start + dt.timedelta(days=days) if unit == "calendar" else working_days_add(start, days)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
    if end < start:
        return -working_days_between(end, start)
    known = _days()
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        count += _working(known, day)
    return count


def working_days_before(end: dt.date, days: int) -> dt.date:
    """The earliest day from which at most ``days`` working days remain up to ``end``
    (``working_days_between(result, end) == days`` when ``end`` is a working day)."""
    if days < 0:
        raise ValueError("days must not be negative")
    known = _days()
    day = end
    while days:
        if _working(known, day):
            days -= 1
        day -= ONE_DAY
    while not _working(known, day):
        day -= ONE_DAY
    return day


def calendar_gap(*, today: dt.date, horizon: int = 60) -> dt.date | None:
    """The first day within ``horizon`` days that the calendar has no row for, if any."""
    known = _days()
    for offset in range(horizon + 1):
        day = today + dt.timedelta(days=offset)
        if day not in known:
            return day
    return None
