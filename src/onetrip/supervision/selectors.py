"""Reads of the supervision dashboard (电子监察): clocks, cards, on-time rate, handling time.

Every function takes the department scope first (``departments``: department ids, or ``None``
for every department) and computes in the database: one grouped query each, whatever the
number of applications. Drill-down lists are querysets for the caller to paginate.

Time left counts on the working-day calendar the same way ``working_days_left`` does: a
deadline due today has 0 working days left (bucket "1 个工作日内"); one past its due date is
overdue. A deadline whose clock is paused (correction, 特别程序, 容缺) has its own bucket.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import (
    Count,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from onetrip.catalog.models import Department, Item
from onetrip.catalog.quality import working_days_equivalent
from onetrip.core.calendar import is_working_day, working_days_add, working_days_between
from onetrip.supervision.models import Card, ClockPause, Deadline

Scope = Iterable[int] | None

# ------------------------------------------------------------------ scope and filters


def _ids(departments: Scope) -> list[int] | None:
    return None if departments is None else list(departments)


def _scoped(qs: QuerySet, departments: Scope, path: str) -> QuerySet:
    ids = _ids(departments)
    return qs if ids is None else qs.filter(**{f"{path}__in": ids})


def _dated(qs: QuerySet, path: str, date_from: dt.date | None, date_to: dt.date | None):
    if date_from:
        qs = qs.filter(**{f"{path}__gte": date_from})
    if date_to:
        qs = qs.filter(**{f"{path}__lte": date_to})
    return qs


def _department_names(ids: Iterable[int | None]) -> dict[int, Department]:
    wanted = {i for i in ids if i is not None}
    return {d.pk: d for d in Department.objects.filter(pk__in=wanted)}


def _department_order() -> list[int]:
    return list(Department.objects.order_by("order", "code").values_list("pk", flat=True))


def _by_department_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = {pk: i for i, pk in enumerate(_department_order())}
    return sorted(rows, key=lambda r: order.get(r["department_id"], len(order)))


def _rate(n: float, d: float) -> float | None:
    return round(n / d, 4) if d else None


def promised_deadlines() -> QuerySet[Deadline]:
    return Deadline.objects.filter(kind=Deadline.Kind.PROMISED)


# ------------------------------------------------------------------ open applications by time left

BUCKETS: list[tuple[str, str]] = [
    ("paused", "计时暂停"),
    ("overdue", "已超期"),
    ("d1", "1 个工作日内"),
    ("d3", "2–3 个工作日"),
    ("d5", "4–5 个工作日"),
    ("more", "5 个工作日以上"),
]
BUCKET_KEYS = [key for key, _label in BUCKETS]


def _paused_q() -> Q:
    return Q(
        application_id__in=ClockPause.objects.filter(ended_on__isnull=True).values("application_id")
    )


def _left_at_most(n: int, today: dt.date) -> Q:
    """Working (or calendar) days left ≤ n, as a condition on ``due_on``."""
    working_limit = working_days_add(today, n + 1)
    calendar_limit = today + dt.timedelta(days=n + 1)
    return Q(unit="calendar", due_on__lt=calendar_limit) | (
        ~Q(unit="calendar") & Q(due_on__lt=working_limit)
    )


def bucket_q(bucket: str, *, today: dt.date) -> Q:
    """The condition on an open promised deadline for one time-left bucket."""
    running = ~_paused_q()
    if bucket == "paused":
        return _paused_q()
    if bucket == "overdue":
        return running & Q(due_on__lt=today)
    not_overdue = running & Q(due_on__gte=today)
    if bucket == "d1":
        return not_overdue & _left_at_most(1, today)
    if bucket == "d3":
        return not_overdue & _left_at_most(3, today) & ~_left_at_most(1, today)
    if bucket == "d5":
        return not_overdue & _left_at_most(5, today) & ~_left_at_most(3, today)
    if bucket == "more":
        return not_overdue & ~_left_at_most(5, today)
    raise ValueError(bucket)


def open_deadlines(
    departments: Scope,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Deadline]:
    """Open promised deadlines (accepted, not yet decided) in scope, accepted in the range."""
    qs = promised_deadlines().filter(state=Deadline.State.OPEN)
    qs = _scoped(qs, departments, "department_id")
    return _dated(qs, "starts_on", date_from, date_to)


def open_by_time_left(
    departments: Scope,
    *,
    today: dt.date | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict[str, Any]:
    """Open applications per department and time-left bucket, plus the totals row."""
    today = today or timezone.localdate()
    running = ~_paused_q()
    # Cumulative counts grouped by department alone (a hash aggregate of a few rows; grouping
    # by a CASE bucket made PostgreSQL sort a million rows on disk), differenced below.
    grouped = (
        open_deadlines(departments, date_from=date_from, date_to=date_to)
        .values("department_id")
        .annotate(
            total=Count("id"),
            paused=Count("id", filter=_paused_q()),
            upto0=Count("id", filter=running & Q(due_on__lt=today)),
            upto1=Count("id", filter=running & _left_at_most(1, today)),
            upto3=Count("id", filter=running & _left_at_most(3, today)),
            upto5=Count("id", filter=running & _left_at_most(5, today)),
        )
        .order_by()
    )
    per_department: dict[int, dict[str, Any]] = {}
    for g in grouped:
        per_department[g["department_id"]] = {
            "department_id": g["department_id"],
            "total": g["total"],
            "paused": g["paused"],
            "overdue": g["upto0"],
            "d1": g["upto1"] - g["upto0"],
            "d3": g["upto3"] - g["upto1"],
            "d5": g["upto5"] - g["upto3"],
            "more": g["total"] - g["paused"] - g["upto5"],
        }
    rows = list(per_department.values())
    names = _department_names(per_department)
    for r in rows:
        r["department"] = names.get(r["department_id"])
    rows = _by_department_order(rows)
    totals = {key: sum(r[key] for r in rows) for key in [*BUCKET_KEYS, "total"]}
    return {"rows": rows, "totals": totals, "today": today}


# ------------------------------------------------------------------ cards

CARD_COUNTS = {
    "open_yellow": Q(closed_at__isnull=True, colour=Card.Colour.YELLOW),
    "open_red": Q(closed_at__isnull=True, colour=Card.Colour.RED),
    "closed_yellow": Q(closed_at__isnull=False, colour=Card.Colour.YELLOW),
    "closed_red": Q(closed_at__isnull=False, colour=Card.Colour.RED),
}


def _day_start(day: dt.date, plus_days: int = 0) -> dt.datetime:
    """Local midnight starting ``day`` (+ ``plus_days``), for filtering datetimes by date."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day + dt.timedelta(days=plus_days), dt.time.min, tzinfo=tz)


def cards_in_scope(
    departments: Scope,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Card]:
    """Cards of the departments in scope, raised in the date range (local dates)."""
    qs = _scoped(Card.objects.all(), departments, "department_id")
    if date_from:
        qs = qs.filter(raised_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(raised_at__lt=_day_start(date_to, 1))
    return qs


def _card_annotations() -> dict[str, Count]:
    return {
        "total": Count("id"),
        **{key: Count("id", filter=q) for key, q in CARD_COUNTS.items()},
    }


def cards_by_department(
    departments: Scope,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict[str, Any]:
    rows = list(
        cards_in_scope(departments, date_from=date_from, date_to=date_to)
        .values("department_id")
        .annotate(**_card_annotations())
        .order_by()
    )
    names = _department_names(r["department_id"] for r in rows)
    for r in rows:
        r["department"] = names.get(r["department_id"])
    rows = _by_department_order(rows)
    totals = {key: sum(r[key] for r in rows) for key in [*CARD_COUNTS, "total"]}
    return {"rows": rows, "totals": totals}


def cards_by_officer(
    departments: Scope,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict[str, Any]:
    """Cards per responsible officer and department, most open red cards first."""
    from onetrip.accounts.models import User

    rows = list(
        cards_in_scope(departments, date_from=date_from, date_to=date_to)
        .values("department_id", "responsible_id")
        .annotate(**_card_annotations())
        .order_by("-open_red", "-open_yellow", "-total", "responsible_id")
    )
    names = _department_names(r["department_id"] for r in rows)
    users = {
        u.pk: u
        for u in User.objects.filter(
            pk__in={r["responsible_id"] for r in rows if r["responsible_id"]}
        )
    }
    for r in rows:
        r["department"] = names.get(r["department_id"])
        r["responsible"] = users.get(r["responsible_id"])
    totals = {key: sum(r[key] for r in rows) for key in [*CARD_COUNTS, "total"]}
    return {"rows": rows, "totals": totals}


def cards_by_kind(
    departments: Scope,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict[str, Any]:
    """Open and closed cards per kind (near deadline, overdue, irregular acts)."""
    counts = {
        r["kind"]: r
        for r in cards_in_scope(departments, date_from=date_from, date_to=date_to)
        .values("kind")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(closed_at__isnull=True)),
            closed=Count("id", filter=Q(closed_at__isnull=False)),
        )
        .order_by()
    }
    rows = [
        {
            "kind": kind,
            "label": label,
            "colour": Card.COLOUR_OF[kind],
            **{k: counts.get(kind, {}).get(k, 0) for k in ("open", "closed", "total")},
        }
        for kind, label in Card.Kind.choices
    ]
    totals = {k: sum(r[k] for r in rows) for k in ("open", "closed", "total")}
    return {"rows": rows, "totals": totals}


# ------------------------------------------------------------------ closed: on time, handling time

CLOSED = [Deadline.State.MET, Deadline.State.MISSED]


def closed_deadlines(
    departments: Scope,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Deadline]:
    """Promised deadlines closed by a decision (met or missed), closed in the date range."""
    qs = promised_deadlines().filter(state__in=CLOSED)
    qs = _scoped(qs, departments, "department_id")
    return _dated(qs, "closed_on", date_from, date_to)


def on_time(
    departments: Scope,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict[str, Any]:
    """按期办结率 per department: deadlines met ÷ deadlines closed by a decision."""
    rows = list(
        closed_deadlines(departments, date_from=date_from, date_to=date_to)
        .values("department_id")
        .annotate(
            closed=Count("id"),
            met=Count("id", filter=Q(state=Deadline.State.MET)),
            missed=Count("id", filter=Q(state=Deadline.State.MISSED)),
        )
        .order_by()
    )
    names = _department_names(r["department_id"] for r in rows)
    for r in rows:
        r["department"] = names.get(r["department_id"])
        r["rate"] = _rate(r["met"], r["closed"])
    rows = _by_department_order(rows)
    totals = {key: sum(r[key] for r in rows) for key in ("closed", "met", "missed")}
    totals["rate"] = _rate(totals["met"], totals["closed"])
    return {"rows": rows, "totals": totals}


@dataclass
class HandlingTime:
    """Working days used against the promised limit, summed over closed deadlines."""

    closed: int = 0
    used_days: float = 0.0
    promised_days: float = 0.0
    key: Any = None
    label: str = ""
    department: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def average_used(self) -> float | None:
        return round(self.used_days / self.closed, 2) if self.closed else None

    @property
    def average_promised(self) -> float | None:
        return round(self.promised_days / self.closed, 2) if self.closed else None

    @property
    def used_share(self) -> float | None:
        """Days used ÷ days promised (below 1: faster than promised)."""
        return _rate(self.used_days, self.promised_days)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(
            average_used=self.average_used,
            average_promised=self.average_promised,
            used_share=self.used_share,
        )
        return out


def _working_days_counter(days: list[dt.date]) -> Callable[[dt.date, dt.date], int]:
    """``working_days_between`` for dates within ``days``' span, the calendar read once a day.

    Prefix sums over the span: the count for a pair is a subtraction, however many pairs.
    """
    if not days:
        return working_days_between
    first, last = min(days), max(days)
    index: dict[dt.date, int] = {}
    count, day = 0, first
    while day <= last:
        if day > first:
            count += is_working_day(day)
        index[day] = count
        day += dt.timedelta(days=1)

    def between(start: dt.date, end: dt.date) -> int:
        return index[end] - index[start]

    return between


def handling_time(
    departments: Scope,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict[str, Any]:
    """Average working days used vs promised, overall, per department and per item.

    Grouped in the database by (department, item, unit, start, close): rows sharing those
    take the same working days, so the calendar is consulted once per group, not per row.
    Used = working days from acceptance to decision minus the paused working days; a limit in
    calendar days counts as its working-day equivalent (5 a week).
    """
    groups = (
        closed_deadlines(departments, date_from=date_from, date_to=date_to)
        .values(
            "unit",
            "starts_on",
            "closed_on",
            "department_id",
            item_id=F("application__item_id"),
        )
        .annotate(n=Count("id"), paused=Sum("paused_days"), limits=Sum("limit"))
        .order_by()
    )
    groups = list(groups)
    between = _working_days_counter(
        [g["starts_on"] for g in groups] + [g["closed_on"] for g in groups]
    )
    overall = HandlingTime(label="合计")
    per_department: dict[int, HandlingTime] = {}
    per_item: dict[int, HandlingTime] = {}
    for g in groups:
        span = between(g["starts_on"], g["closed_on"])
        paused = g["paused"] or 0
        if g["unit"] == "calendar":  # paused_days are calendar days for these
            paused = round(working_days_equivalent(paused, "calendar"))
        used = max(span * g["n"] - paused, 0)
        promised = working_days_equivalent(g["limits"] or 0, g["unit"])
        dept = per_department.setdefault(g["department_id"], HandlingTime(key=g["department_id"]))
        item = per_item.setdefault(g["item_id"], HandlingTime(key=g["item_id"]))
        item.extra["department_id"] = g["department_id"]
        for target in (overall, dept, item):
            target.closed += g["n"]
            target.used_days += used
            target.promised_days += promised
    names = _department_names(per_department)
    for pk, row in per_department.items():
        row.department = names.get(pk)
        row.label = row.department.name if row.department else "—"
    items = {
        i.pk: i for i in Item.objects.filter(pk__in=per_item).select_related("current_version")
    }
    item_depts = _department_names(r.extra["department_id"] for r in per_item.values())
    for pk, row in per_item.items():
        item = items.get(pk)
        row.label = item.current_version.name if item and item.current_version else str(pk)
        row.department = item_depts.get(row.extra["department_id"])
    order = {pk: i for i, pk in enumerate(_department_order())}
    return {
        "overall": overall,
        "departments": sorted(per_department.values(), key=lambda r: order.get(r.key, 0)),
        "items": sorted(
            per_item.values(),
            key=lambda r: (order.get(r.extra["department_id"], 0), r.label),
        ),
    }


# ------------------------------------------------------------------ trends

TREND_SERIES = [
    ("accepted", "受理"),
    ("met", "按期办结"),
    ("missed", "超期办结"),
    ("yellow", "黄牌"),
    ("red", "红牌"),
]


def trend_range(
    date_from: dt.date | None, date_to: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The default trend window: the last twelve weeks."""
    end = date_to or today
    start = date_from or (end - dt.timedelta(weeks=12))
    return start, end


def trends(
    departments: Scope,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Per week (per month beyond half a year): accepted, met, missed, yellow and red cards."""
    today = today or timezone.localdate()
    start, end = trend_range(date_from, date_to, today)
    monthly = (end - start).days > 183
    trunc = TruncMonth if monthly else TruncWeek
    periods: dict[dt.date, dict[str, int]] = {}

    def add(rows, series_of):
        for r in rows:
            day = r["period"]
            if isinstance(day, dt.datetime):
                day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
            bucket = periods.setdefault(day, {key: 0 for key, _ in TREND_SERIES})
            bucket[series_of(r)] += r["n"]

    # Accepted: from the application itself (its department is on the row, no join).
    from onetrip.applications.models import Application

    accepted = (
        _scoped(Application.objects.all(), departments, "department_id")
        .filter(accepted_at__gte=_day_start(start), accepted_at__lt=_day_start(end, 1))
        .annotate(period=trunc("accepted_at", output_field=DateField()))
        .values("period")
        .annotate(n=Count("id"))
        .order_by()
    )
    add(accepted, lambda r: "accepted")
    closed = (
        closed_deadlines(departments, date_from=start, date_to=end)
        .annotate(period=trunc("closed_on"))
        .values("period", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    add(closed, lambda r: r["state"])
    cards = (
        cards_in_scope(departments, date_from=start, date_to=end)
        .annotate(period=trunc("raised_at"))
        .values("period", "colour")
        .annotate(n=Count("id"))
        .order_by()
    )
    add(cards, lambda r: r["colour"])
    for day in _periods(start, end, monthly):  # every period shows, with zeros
        periods.setdefault(day, {key: 0 for key, _ in TREND_SERIES})
    rows = [{"period": day, **counts} for day, counts in sorted(periods.items())]
    return {"rows": rows, "monthly": monthly, "start": start, "end": end}


def _periods(start: dt.date, end: dt.date, monthly: bool) -> list[dt.date]:
    """The first day of every week (Monday) or month from ``start`` to ``end``."""
    if monthly:
        day, out = start.replace(day=1), []
        while day <= end:
            out.append(day)
            day = (day + dt.timedelta(days=32)).replace(day=1)
        return out
    day = start - dt.timedelta(days=start.weekday())
    out = []
    while day <= end:
        out.append(day)
        day += dt.timedelta(weeks=1)
    return out


# ------------------------------------------------------------------ drill-down lists


def drilldown_applications(
    departments: Scope,
    *,
    bucket: str = "",
    outcome: str = "",
    item: int | None = None,
    today: dt.date | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Deadline]:
    """The promised deadlines (one per application) behind a dashboard number.

    ``bucket``: one of BUCKET_KEYS or "open" (all open); ``outcome``: "met", "missed" or
    "closed". Ordered so the most urgent come first; paginate the result, then load the page's
    rows with ``deadlines_detailed`` (joins on a page, not on every row the sort sees).
    """
    today = today or timezone.localdate()
    if outcome:
        qs = closed_deadlines(departments, date_from=date_from, date_to=date_to)
        if outcome in (Deadline.State.MET, Deadline.State.MISSED):
            qs = qs.filter(state=outcome)
        order = ["-closed_on", "-id"]
    else:
        qs = open_deadlines(departments, date_from=date_from, date_to=date_to)
        if bucket in BUCKET_KEYS:
            qs = qs.filter(bucket_q(bucket, today=today))
        order = ["due_on", "id"]
    if item:
        qs = qs.filter(application__item_id=item)
    return qs.order_by(*order)


def _in_order(rows: Iterable[Any], qs: QuerySet) -> list[Any]:
    ids = [r.pk for r in rows]
    found = qs.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def deadlines_detailed(rows: Iterable[Deadline]) -> list[Deadline]:
    """A page of drill-down rows with their application, item, department and holder."""
    return _in_order(
        rows,
        Deadline.objects.select_related(
            "application__version", "application__department", "application__item"
        ).annotate(holder_id=_holder_subquery()),
    )


def _holder_subquery() -> Subquery:
    """The officer holding the application now (assignment history), for list rows."""
    from onetrip.applications.models import Assignment

    return Subquery(
        Assignment.objects.filter(application=OuterRef("application_id"), ended_at__isnull=True)
        .order_by("-id")
        .values("officer_id")[:1]
    )


def holders(deadlines: Iterable[Deadline]) -> dict[int, Any]:
    """The officers named by ``holder_id`` on a page of drill-down rows (one query)."""
    from onetrip.accounts.models import User

    ids = {getattr(d, "holder_id", None) for d in deadlines} - {None}
    return {u.pk: u for u in User.objects.filter(pk__in=ids)}


def cards_list(
    departments: Scope,
    *,
    colour: str = "",
    kind: str = "",
    state: str = "",
    responsible: int | None = None,
    unassigned: bool = False,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Card]:
    """Cards in scope with the list page's filters, newest first; paginate the result."""
    qs = cards_in_scope(departments, date_from=date_from, date_to=date_to)
    if colour in Card.Colour.values:
        qs = qs.filter(colour=colour)
    if kind in Card.Kind.values:
        qs = qs.filter(kind=kind)
    if state == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif state == "closed":
        qs = qs.filter(closed_at__isnull=False)
    if unassigned:
        qs = qs.filter(responsible__isnull=True)
    elif responsible:
        qs = qs.filter(responsible_id=responsible)
    return qs.order_by("-raised_at", "-id")


def cards_detailed(rows: Iterable[Card]) -> list[Card]:
    """A page of cards with their application, department, officer and deadline."""
    return _in_order(
        rows,
        Card.objects.select_related(
            "application__version", "department", "responsible", "deadline"
        ),
    )


def card_officers(departments: Scope) -> QuerySet:
    """Officers named on cards in scope (for the officer filter)."""
    from onetrip.accounts.models import User

    ids = _scoped(Card.objects.all(), departments, "department_id").values("responsible_id")
    return User.objects.filter(pk__in=ids).order_by("display_name", "username")


def _page(qs: QuerySet, detailed: Callable[[Iterable[Any]], list[Any]], size: int = 50) -> list:
    """The first page of a list as the pages show it: the count and the detailed rows."""
    from django.core.paginator import Paginator

    page = Paginator(qs, size).get_page(1)
    return [page.paginator.count, detailed(page.object_list)]


# What the benchmark times (bench/): each takes the department scope (None = every department)
# and returns an evaluated result.
DASHBOARD_QUERIES: dict[str, Callable[[Iterable[int] | None], Any]] = {
    "open_by_time_left 在办件剩余时间": lambda scope: open_by_time_left(scope),
    "cards_by_department 部门监察牌": lambda scope: cards_by_department(scope),
    "cards_by_officer 责任人监察牌": lambda scope: cards_by_officer(scope),
    "cards_by_kind 各类别监察牌": lambda scope: cards_by_kind(scope),
    "on_time 按期办结率": lambda scope: on_time(scope),
    "handling_time 办理用时": lambda scope: handling_time(scope),
    "trends 趋势": lambda scope: trends(scope),
    "drilldown_overdue 超期件列表首页": lambda scope: _page(
        drilldown_applications(scope, bucket="overdue"), deadlines_detailed
    ),
    "cards_open_red 未关闭红牌列表首页": lambda scope: _page(
        cards_list(scope, colour="red", state="open"), cards_detailed
    ),
}
