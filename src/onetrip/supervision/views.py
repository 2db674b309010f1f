"""电子监察 pages for supervisors and administrators: the dashboard, drill-down lists, cards.

Thin: parse the filters, call the selectors in ``selectors.py`` or the card services, render
or export. A supervisor sees only the departments their supervisor (or administrator) role
covers; a department outside it is a 404 on every page and export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onetrip.accounts.selectors import staff_department_ids
from onetrip.catalog.models import Department, Item
from onetrip.supervision import selectors
from onetrip.supervision.models import Card
from onetrip.supervision.services import (
    SupervisionError,
    card_close,
    card_finding_record,
    working_days_left,
)
from onetrip.workbench.access import staff_required

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


def supervisor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff with a supervisor or administrator role (or a superuser); others → 403.

    The view gets ``request.supervision_scope``: department ids, or None for every one.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        scope = staff_department_ids(user=request.user, role="supervisor")
        if scope is not None and not scope:
            raise PermissionDenied("只有监察人员和系统管理员可以查看电子监察。")
        request.supervision_scope = scope  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return staff_required(wrapped)


# ------------------------------------------------------------------ filters


@dataclass
class Filters:
    """Department and date range from the query string; bad input becomes Chinese errors."""

    scope: set[int] | None
    department: Department | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def departments(self) -> Iterable[int] | None:
        """The scope narrowed to the chosen department."""
        if self.department is not None:
            return [self.department.pk]
        return self.scope

    def dates(self) -> dict[str, dt.date | None]:
        return {"date_from": self.date_from, "date_to": self.date_to}

    def query(self, **extra: Any) -> dict[str, Any]:
        """The filters as query parameters (for drill-down links and exports)."""
        out: dict[str, Any] = {}
        if self.department is not None:
            out["department"] = self.department.pk
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        out.update(extra)
        return {k: v for k, v in out.items() if v not in (None, "")}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date(value: str, label: str, name: str, errors: list[dict[str, str]]) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
        if not 2000 <= day.year <= 2100:
            raise ValueError
        return day
    except ValueError:
        errors.append(
            {
                "href": f"#{name}",
                "text": _("{label}“{value}”不是有效日期，请按 2026-01-31 的格式填写。").format(
                    label=label, value=value[:20]
                ),
            }
        )
        return None


def parse_filters(request: HttpRequest) -> Filters:
    scope = request.supervision_scope  # type: ignore[attr-defined]
    f = Filters(scope=scope, raw={k: request.GET.get(k, "") for k in ("department", "from", "to")})
    raw_department = f.raw["department"]
    if raw_department:
        pk = _int(raw_department)
        if pk is None or (scope is not None and pk not in scope):
            raise Http404("找不到该部门")
        f.department = Department.objects.filter(pk=pk).first()
        if f.department is None:
            raise Http404("找不到该部门")
    f.date_from = _date(f.raw["from"], _("开始日期"), "from", f.errors)
    f.date_to = _date(f.raw["to"], _("结束日期"), "to", f.errors)
    if f.date_from and f.date_to and f.date_from > f.date_to:
        f.errors.append({"href": "#from", "text": _("开始日期不能晚于结束日期。")})
        f.date_from = f.date_to = None
    return f


def _scope_departments(scope: set[int] | None):
    qs = Department.objects.filter(role=Department.Role.SERVICE)
    if scope is not None:
        qs = Department.objects.filter(pk__in=scope)
    return qs.order_by("order", "code")


def _url(name: str, params: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    base = reverse(f"supervision:{name}")
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{base}?{urlencode(params)}" if params else base


def _base_context(request: HttpRequest, f: Filters) -> dict[str, Any]:
    return {
        "wb_nav": "supervision",
        "filters": f,
        "errors": f.errors,
        "departments": _scope_departments(f.scope),
        "filter_query": f.query(),
    }


# ------------------------------------------------------------------ the dashboard


DASHBOARD_SECONDS = 60


def _dashboard_data(f: Filters, today: dt.date) -> dict[str, Any]:
    """The dashboard's tables, kept a minute in the shared cache per scope, filters and day.

    Each query takes up to a second over a million open applications; a page (and each of its
    exports) would otherwise run all of them on every load.
    """
    import hashlib

    from django.core.cache import cache

    scope = f.departments
    key = repr((sorted(scope) if scope is not None else None, f.date_from, f.date_to, today))
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return cache.get_or_set(
        f"onetrip:supervision:dashboard:{digest}",
        lambda: _dashboard_compute(f, today),
        DASHBOARD_SECONDS,
    )


def _dashboard_compute(f: Filters, today: dt.date) -> dict[str, Any]:
    scope = f.departments
    dates = f.dates()
    return {
        "time_left": selectors.open_by_time_left(scope, today=today, **dates),
        "cards_department": selectors.cards_by_department(scope, **dates),
        "cards_officer": selectors.cards_by_officer(scope, **dates),
        "cards_kind": selectors.cards_by_kind(scope, **dates),
        "on_time": selectors.on_time(scope, **dates),
        "handling": selectors.handling_time(scope, **dates),
        "trends": selectors.trends(scope, today=today, **dates),
    }


def _chart(data: dict[str, Any]) -> dict[str, Any]:
    trend_rows = data["trends"]["rows"]
    on_time_rows = data["on_time"]["rows"]
    handling = data["handling"]["departments"]
    return {
        "periods": [r["period"].isoformat() for r in trend_rows],
        "series": [
            {"key": key, "name": label, "data": [r[key] for r in trend_rows]}
            for key, label in selectors.TREND_SERIES
        ],
        "buckets": [label for _key, label in selectors.BUCKETS],
        "bucket_values": [data["time_left"]["totals"][key] for key in selectors.BUCKET_KEYS],
        "on_time_departments": [d["department"].name for d in on_time_rows if d["department"]],
        "on_time_rates": [
            round((d["rate"] or 0) * 100, 1) for d in on_time_rows if d["department"]
        ],
        "handling_departments": [h.label for h in handling],
        "handling_used": [h.average_used for h in handling],
        "handling_promised": [h.average_promised for h in handling],
    }


@supervisor_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    f = parse_filters(request)
    today = timezone.localdate()
    data = _dashboard_data(f, today)
    context = {
        **_base_context(request, f),
        **data,
        "today": today,
        "buckets": selectors.BUCKETS,
        "chart": _chart(data),
        "exports": EXPORT_TABLES,
    }
    return render(request, "supervision/dashboard.html", context, status=400 if f.errors else 200)


# ------------------------------------------------------------------ drill-down: applications

OUTCOMES = {"met": "按期办结", "missed": "超期办结", "closed": "已办结"}


def _drill_params(request: HttpRequest) -> dict[str, Any]:
    bucket = request.GET.get("bucket", "")
    outcome = request.GET.get("outcome", "")
    return {
        "bucket": bucket if bucket in selectors.BUCKET_KEYS else "",
        "outcome": outcome if outcome in OUTCOMES else "",
        "item": _int(request.GET.get("item")),
    }


def _drill_title(params: dict[str, Any], f: Filters) -> str:
    parts = []
    if f.department:
        parts.append(f.department.name)
    if params["item"]:
        item = Item.objects.filter(pk=params["item"]).first()
        if item:
            parts.append(str(item))
    if params["outcome"]:
        parts.append(OUTCOMES[params["outcome"]])
    elif params["bucket"]:
        parts.append(f"在办·{dict(selectors.BUCKETS)[params['bucket']]}")
    else:
        parts.append("全部在办件")
    return " · ".join(parts)


def _deadline_row(d, today: dt.date, holders: dict[int, Any]) -> dict[str, Any]:
    app = d.application
    holder = holders.get(getattr(d, "holder_id", None))
    left = working_days_left(deadline=d, today=today) if d.state == "open" else None
    return {
        "tracking_number": app.tracking_number,
        "item": app.version.name,
        "department": app.department.name,
        "status": app.get_status_display(),
        "holder": str(holder) if holder else "",
        "starts_on": d.starts_on,
        "due_on": d.due_on,
        "left": left,
        "state": d.get_state_display(),
        "closed_on": d.closed_on,
    }


@supervisor_required
@require_GET
def applications(request: HttpRequest) -> HttpResponse:
    f = parse_filters(request)
    params = _drill_params(request)
    today = timezone.localdate()
    qs = selectors.drilldown_applications(f.departments, today=today, **params, **f.dates())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    deadlines = selectors.deadlines_detailed(page.object_list)
    holders = selectors.holders(deadlines)
    query = f.query(**params)
    return render(
        request,
        "supervision/applications.html",
        {
            **_base_context(request, f),
            "page": page,
            "rows": [_deadline_row(d, today, holders) for d in deadlines],
            "title": _drill_title(params, f),
            "params": params,
            "page_query": _query_string(query),
            "export_url": _url("applications_export", query),
        },
        status=400 if f.errors else 200,
    )


APPLICATION_HEADERS = [
    ("tracking_number", "申办流水号"),
    ("item", "事项"),
    ("department", "办理部门"),
    ("status", "状态"),
    ("holder", "经办人"),
    ("starts_on", "受理日"),
    ("due_on", "承诺到期日"),
    ("left", "剩余工作日"),
    ("state", "时限状态"),
    ("closed_on", "办结日"),
]


@supervisor_required
@require_GET
def applications_export(request: HttpRequest) -> HttpResponse:
    f = parse_filters(request)
    if f.errors:
        return _bad_filters(request, f)
    params = _drill_params(request)
    today = timezone.localdate()
    qs = selectors.drilldown_applications(f.departments, today=today, **params, **f.dates())
    rows = (
        _deadline_row(d, today, holders)
        for chunk in _chunks(qs[:EXPORT_LIMIT].iterator(chunk_size=2000), 2000)
        for detailed in [selectors.deadlines_detailed(chunk)]
        for holders in [selectors.holders(detailed)]
        for d in detailed
    )
    return xlsx_response(
        "applications",
        _drill_title(params, f),
        APPLICATION_HEADERS,
        ([r[k] for k, _ in APPLICATION_HEADERS] for r in rows),
    )


def _chunks(rows: Iterable[Any], size: int) -> Iterable[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _query_string(params: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _bad_filters(request: HttpRequest, f: Filters) -> HttpResponse:
    return render(
        request,
        "supervision/bad_filters.html",
        {**_base_context(request, f)},
        status=400,
    )


# ------------------------------------------------------------------ xlsx


def xlsx_response(
    name: str, title: str, headers: list[tuple[str, str]], rows: Iterable[list[Any]]
) -> HttpResponse:
    """One worksheet: a title line, a header line and the rows (write-only, streamed to memory)."""
    from io import BytesIO

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=name[:31])
    ws.append([title])
    ws.append([label for _key, label in headers])
    count = 0
    for row in rows:
        ws.append([_cell(v) for v in row])
        count += 1
    if count >= EXPORT_LIMIT:
        ws.append([f"仅导出前 {EXPORT_LIMIT} 行，请缩小筛选范围。"])
    buf = BytesIO()
    wb.save(buf)
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"onetrip-{name}-{stamp}.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (int, float, str, dt.date)):
        return value
    return str(value)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _name(obj) -> str:
    return str(obj) if obj is not None else "—"


def _export_time_left(data):
    headers = [("department", "部门"), *selectors.BUCKETS, ("total", "合计")]
    rows = [
        [_name(r["department"]), *[r[k] for k in selectors.BUCKET_KEYS], r["total"]]
        for r in data["time_left"]["rows"]
    ]
    totals = data["time_left"]["totals"]
    rows.append(["合计", *[totals[k] for k in selectors.BUCKET_KEYS], totals["total"]])
    return "在办件剩余时间", headers, rows


CARD_HEADERS = [
    ("open_yellow", "未关闭黄牌"),
    ("open_red", "未关闭红牌"),
    ("closed_yellow", "已关闭黄牌"),
    ("closed_red", "已关闭红牌"),
    ("total", "合计"),
]


def _export_cards_department(data):
    headers = [("department", "部门"), *CARD_HEADERS]
    rows = [
        [_name(r["department"]), *[r[k] for k, _ in CARD_HEADERS]]
        for r in data["cards_department"]["rows"]
    ]
    totals = data["cards_department"]["totals"]
    rows.append(["合计", *[totals[k] for k, _ in CARD_HEADERS]])
    return "各部门监察牌", headers, rows


def _export_cards_officer(data):
    headers = [("responsible", "责任人"), ("department", "部门"), *CARD_HEADERS]
    rows = [
        [
            _name(r["responsible"]) if r["responsible"] else "未确定",
            _name(r["department"]),
            *[r[k] for k, _ in CARD_HEADERS],
        ]
        for r in data["cards_officer"]["rows"]
    ]
    return "各责任人监察牌", headers, rows


def _export_cards_kind(data):
    headers = [("kind", "类别"), ("colour", "颜色"), ("open", "未关闭"), ("closed", "已关闭")]
    headers.append(("total", "合计"))
    colours = dict(Card.Colour.choices)
    rows = [
        [r["label"], colours[r["colour"]], r["open"], r["closed"], r["total"]]
        for r in data["cards_kind"]["rows"]
    ]
    t = data["cards_kind"]["totals"]
    rows.append(["合计", "", t["open"], t["closed"], t["total"]])
    return "各类别监察牌", headers, rows


def _export_on_time(data):
    headers = [
        ("department", "部门"),
        ("closed", "办结件数"),
        ("met", "按期办结"),
        ("missed", "超期办结"),
        ("rate", "按期办结率"),
    ]
    rows = [
        [_name(r["department"]), r["closed"], r["met"], r["missed"], _pct(r["rate"])]
        for r in data["on_time"]["rows"]
    ]
    t = data["on_time"]["totals"]
    rows.append(["合计", t["closed"], t["met"], t["missed"], _pct(t["rate"])])
    return "按期办结率", headers, rows


HANDLING_HEADERS = [
    ("closed", "办结件数"),
    ("average_used", "平均用时（工作日）"),
    ("average_promised", "平均承诺时限（工作日）"),
    ("used_share", "用时占承诺时限"),
]


def _handling_cells(h) -> list[Any]:
    return [h.closed, h.average_used, h.average_promised, _pct(h.used_share)]


def _export_handling_department(data):
    headers = [("department", "部门"), *HANDLING_HEADERS]
    rows = [[h.label, *_handling_cells(h)] for h in data["handling"]["departments"]]
    rows.append(["合计", *_handling_cells(data["handling"]["overall"])])
    return "办理用时（分部门）", headers, rows


def _export_handling_item(data):
    headers = [("item", "事项"), ("department", "部门"), *HANDLING_HEADERS]
    rows = [[h.label, _name(h.department), *_handling_cells(h)] for h in data["handling"]["items"]]
    return "办理用时（分事项）", headers, rows


def _export_trends(data):
    headers = [("period", "周期起始日"), *selectors.TREND_SERIES]
    rows = [
        [r["period"], *[r[k] for k, _ in selectors.TREND_SERIES]] for r in data["trends"]["rows"]
    ]
    return "趋势", headers, rows


EXPORT_TABLES: dict[str, Callable[[dict[str, Any]], tuple[str, list, list]]] = {
    "time-left": _export_time_left,
    "cards-department": _export_cards_department,
    "cards-officer": _export_cards_officer,
    "cards-kind": _export_cards_kind,
    "on-time": _export_on_time,
    "handling-department": _export_handling_department,
    "handling-item": _export_handling_item,
    "trends": _export_trends,
}


@supervisor_required
@require_GET
def dashboard_export(request: HttpRequest, table: str) -> HttpResponse:
    if table not in EXPORT_TABLES:
        raise Http404("没有这张表")
    f = parse_filters(request)
    if f.errors:
        return _bad_filters(request, f)
    data = _dashboard_data(f, timezone.localdate())
    title, headers, rows = EXPORT_TABLES[table](data)
    scope_note = f.department.name if f.department else "全部部门"
    return xlsx_response(table, f"{title}（{scope_note}）", headers, rows)


# ------------------------------------------------------------------ cards

CARD_STATES = {"open": "未关闭", "closed": "已关闭"}


def _card_filters(request: HttpRequest) -> dict[str, Any]:
    colour = request.GET.get("colour", "")
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    officer = request.GET.get("officer", "")
    return {
        "colour": colour if colour in Card.Colour.values else "",
        "kind": kind if kind in Card.Kind.values else "",
        "state": state if state in CARD_STATES else "",
        "unassigned": officer == "none",
        "responsible": _int(officer) if officer != "none" else None,
    }


def _card_query(f: Filters, cf: dict[str, Any]) -> dict[str, Any]:
    officer = "none" if cf["unassigned"] else cf["responsible"]
    return f.query(colour=cf["colour"], kind=cf["kind"], state=cf["state"], officer=officer)


@supervisor_required
@require_GET
def cards(request: HttpRequest) -> HttpResponse:
    f = parse_filters(request)
    cf = _card_filters(request)
    qs = selectors.cards_list(f.departments, **cf, **f.dates())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = _card_query(f, cf)
    return render(
        request,
        "supervision/cards.html",
        {
            **_base_context(request, f),
            "page": page,
            "cards": selectors.cards_detailed(page.object_list),
            "card_filters": cf,
            "officer_value": "none" if cf["unassigned"] else (cf["responsible"] or ""),
            "colours": Card.Colour.choices,
            "kinds": Card.Kind.choices,
            "states": CARD_STATES.items(),
            "officers": selectors.card_officers(f.departments),
            "page_query": _query_string(query),
            "export_url": _url("cards_export", query),
        },
        status=400 if f.errors else 200,
    )


CARD_EXPORT_HEADERS = [
    ("id", "编号"),
    ("colour", "颜色"),
    ("kind", "类别"),
    ("tracking_number", "申办流水号"),
    ("item", "事项"),
    ("department", "责任部门"),
    ("responsible", "责任人"),
    ("reason", "原因"),
    ("due_on", "承诺到期日"),
    ("raised_at", "发出时间"),
    ("closed_at", "关闭时间"),
    ("closed_reason", "关闭理由"),
]


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@supervisor_required
@require_GET
def cards_export(request: HttpRequest) -> HttpResponse:
    f = parse_filters(request)
    if f.errors:
        return _bad_filters(request, f)
    cf = _card_filters(request)
    qs = selectors.cards_list(f.departments, **cf, **f.dates())
    rows = (
        [
            c.pk,
            c.get_colour_display(),
            c.get_kind_display(),
            c.application.tracking_number,
            c.application.version.name,
            c.department.name,
            str(c.responsible) if c.responsible else "未确定",
            c.reason,
            c.deadline.due_on if c.deadline_id else "",
            _local(c.raised_at),
            _local(c.closed_at),
            c.closed_reason,
        ]
        for chunk in _chunks(qs[:EXPORT_LIMIT].iterator(chunk_size=2000), 2000)
        for c in selectors.cards_detailed(chunk)
    )
    return xlsx_response("cards", "监察牌", CARD_EXPORT_HEADERS, rows)


def _card(request: HttpRequest, pk: int) -> Card:
    scope = request.supervision_scope  # type: ignore[attr-defined]
    qs = Card.objects.select_related(
        "application__version", "application__department", "department", "responsible", "deadline"
    )
    if scope is not None:
        qs = qs.filter(department_id__in=scope)
    card = qs.filter(pk=pk).first()
    if card is None:
        raise Http404("找不到这张监察牌")
    return card


def _card_page(
    request: HttpRequest,
    card: Card,
    *,
    form: str = "",
    error: str = "",
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    deadline = card.deadline
    left = (
        working_days_left(deadline=deadline, today=today)
        if deadline is not None and deadline.state == "open"
        else None
    )
    errors = []
    if error:
        errors.append({"href": f"#{form}-form", "text": error})
    return render(
        request,
        "supervision/card.html",
        {
            "wb_nav": "supervision",
            "card": card,
            "deadline": deadline,
            "left": left,
            "overdue_days": -left if left is not None and left < 0 else 0,
            "findings": card.findings.select_related("author").order_by("created_at", "id"),
            "form": form,
            "errors": errors,
            "values": values or {},
        },
        status=status,
    )


@supervisor_required
@require_GET
def card_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _card_page(request, _card(request, pk))


@supervisor_required
@require_POST
def card_finding(request: HttpRequest, pk: int) -> HttpResponse:
    card = _card(request, pk)
    values = {k: request.POST.get(k, "") for k in ("explanation", "conclusion", "measures")}
    try:
        card_finding_record(card=card, user=request.user, **values)
    except SupervisionError as exc:
        return _card_page(
            request, card, form="finding", error=exc.message, values=values, status=exc.status
        )
    messages.success(request, _("监察意见已记录。"))
    return redirect("supervision:card", pk=card.pk)


@supervisor_required
@require_POST
def card_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    card = _card(request, pk)
    reason = request.POST.get("reason", "")
    try:
        card_close(card=card, user=request.user, reason=reason)
    except SupervisionError as exc:
        return _card_page(
            request,
            card,
            form="close",
            error=exc.message,
            values={"reason": reason},
            status=exc.status,
        )
    messages.success(request, _("监察牌已关闭。"))
    return redirect("supervision:card", pk=card.pk)
