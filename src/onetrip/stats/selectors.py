"""KPIs of the 最多跑一次 scoreboard.

Catalogue KPIs (what the published item list promises) come from current published versions;
service KPIs (on time, handling time, overdue, visits) are measured from applications.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from onetrip.catalog.models import Department, Item, ItemVersion, Material
from onetrip.catalog.quality import working_days_equivalent


@dataclass
class CatalogueKpis:
    """One row of the scoreboard. Rates are fractions in [0, 1], or None without data."""

    items: int = 0
    at_most_once: int = 0
    zero_visits: int = 0
    online: int = 0
    fully_online: int = 0
    instant: int = 0
    promised_working_days: float = 0.0
    legal_working_days: float = 0.0
    materials: int = 0
    materials_not_brought: int = 0
    at_most_once_rate: float | None = None
    zero_visit_rate: float | None = None
    online_rate: float | None = None
    fully_online_rate: float | None = None
    instant_rate: float | None = None
    limit_compression: float | None = None
    materials_exempt_rate: float | None = None
    department: dict[str, str] | None = field(default=None)

    def finish(self) -> CatalogueKpis:
        def rate(n: int | float, d: int | float) -> float | None:
            return round(n / d, 4) if d else None

        self.at_most_once_rate = rate(self.at_most_once, self.items)
        self.zero_visit_rate = rate(self.zero_visits, self.items)
        self.online_rate = rate(self.online, self.items)
        self.fully_online_rate = rate(self.fully_online, self.items)
        self.instant_rate = rate(self.instant, self.items)
        self.materials_exempt_rate = rate(self.materials_not_brought, self.materials)
        if self.legal_working_days:
            self.limit_compression = round(
                1 - self.promised_working_days / self.legal_working_days, 4
            )
        self.promised_working_days = round(self.promised_working_days, 2)
        self.legal_working_days = round(self.legal_working_days, 2)
        return self

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


KPI_LABELS = [
    ("at_most_once_rate", "最多跑一次实现率"),
    ("zero_visit_rate", "跑零次率"),
    ("online_rate", "网上可办率"),
    ("fully_online_rate", "全程网办率"),
    ("instant_rate", "即办件率"),
    ("limit_compression", "承诺时限压缩比"),
    ("materials_exempt_rate", "材料免提交率（承诺）"),
]


def _published() -> QuerySet[ItemVersion]:
    return ItemVersion.objects.filter(
        pk__in=Item.objects.filter(current_version__isnull=False).values("current_version")
    )


def _limit_sum(field: str, unit_field: str, unit: str) -> Sum:
    return Sum(field, filter=Q(legal_limit__gt=0, **{unit_field: unit}))


def catalogue_kpis() -> dict[str, Any]:
    """Overall and per-department KPIs: {"overall": CatalogueKpis, "departments": [...]}.

    Computed in the database (two grouped queries), whatever the catalogue's size.
    """
    rows = (
        _published()
        .values("item__department")
        .annotate(
            items=Count("id"),
            at_most_once=Count("id", filter=Q(visits_required__lte=1)),
            zero_visits=Count("id", filter=Q(visits_required=0)),
            online=Count("id", filter=Q(online_available=True)),
            fully_online=Count("id", filter=Q(online_depth=4)),
            instant=Count("id", filter=Q(handling_type=ItemVersion.HandlingType.INSTANT)),
            legal_working=_limit_sum("legal_limit", "legal_limit_unit", "working"),
            legal_calendar=_limit_sum("legal_limit", "legal_limit_unit", "calendar"),
            promised_working=_limit_sum("promised_limit", "promised_limit_unit", "working"),
            promised_calendar=_limit_sum("promised_limit", "promised_limit_unit", "calendar"),
        )
        .order_by()
    )
    materials = {
        row["version__item__department"]: (row["total"], row["exempt"])
        for row in Material.objects.filter(version__in=_published())
        .values("version__item__department")
        .annotate(total=Count("id"), exempt=Count("id", filter=Q(source__in=Material.EXEMPT)))
        .order_by()
    }
    departments = {d.pk: d for d in Department.objects.order_by("order", "code")}
    overall = CatalogueKpis()
    per_department: dict[int, CatalogueKpis] = {}
    for row in rows:
        dept = departments[row["item__department"]]
        kpis = CatalogueKpis(
            department={"code": dept.code, "name": dept.name, "short_name": dept.short_name}
        )
        for target in (kpis, overall):
            for key in (
                "items",
                "at_most_once",
                "zero_visits",
                "online",
                "fully_online",
                "instant",
            ):
                setattr(target, key, getattr(target, key) + row[key])
            target.legal_working_days += (row["legal_working"] or 0) + working_days_equivalent(
                row["legal_calendar"] or 0, "calendar"
            )
            target.promised_working_days += (row["promised_working"] or 0) + (
                working_days_equivalent(row["promised_calendar"] or 0, "calendar")
            )
            total, exempt = materials.get(dept.pk, (0, 0))
            target.materials += total
            target.materials_not_brought += exempt
        per_department[dept.pk] = kpis
    order = list(departments)
    ordered = [per_department[k].finish() for k in sorted(per_department, key=order.index)]
    return {"overall": overall.finish(), "departments": ordered}


# ------------------------------------------------------------------ measured service KPIs


@dataclass
class ServiceKpis:
    """Measured from applications: on time, handling time, overdue and visits (实测).

    Rates are fractions in [0, 1], days are working days; None without data.
    """

    closed: int = 0  # promised deadlines closed by a decision
    met: int = 0
    missed: int = 0  # closed late
    open_overdue: int = 0  # open, running, past the promised due date
    used_days: float = 0.0
    promised_days: float = 0.0
    decided: int = 0  # decided applications (approved or denied)
    visits: int = 0  # visits recorded on them
    promised_visits: int = 0  # Σ visits_required of their pinned versions
    on_time_rate: float | None = None
    overdue: int = 0
    average_used_days: float | None = None
    average_promised_days: float | None = None
    average_visits: float | None = None
    average_promised_visits: float | None = None
    department: dict[str, str] | None = field(default=None)
    item: dict[str, str] | None = field(default=None)

    def add(self, other: ServiceKpis) -> None:
        for key in (
            "closed",
            "met",
            "missed",
            "open_overdue",
            "used_days",
            "promised_days",
            "decided",
            "visits",
            "promised_visits",
        ):
            setattr(self, key, getattr(self, key) + getattr(other, key))

    def finish(self) -> ServiceKpis:
        def avg(n: float, d: int) -> float | None:
            return round(n / d, 2) if d else None

        self.on_time_rate = round(self.met / self.closed, 4) if self.closed else None
        self.overdue = self.open_overdue + self.missed
        self.average_used_days = avg(self.used_days, self.closed)
        self.average_promised_days = avg(self.promised_days, self.closed)
        self.average_visits = avg(self.visits, self.decided)
        self.average_promised_visits = avg(self.promised_visits, self.decided)
        self.used_days = round(self.used_days, 2)
        self.promised_days = round(self.promised_days, 2)
        return self

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


SERVICE_KPI_LABELS = [
    ("on_time_rate", "按期办结率"),
    ("average_used_days", "平均办理用时（工作日）"),
    ("average_promised_days", "平均承诺时限（工作日）"),
    ("overdue", "超期件数"),
    ("average_visits", "平均跑动次数（实测）"),
    ("average_promised_visits", "平均跑动次数（承诺）"),
]


def service_kpis(*, today: dt.date | None = None) -> dict[str, Any]:
    """Overall, per-department and per-item service KPIs measured from applications.

    {"overall": ServiceKpis, "departments": [...], "items": [...]}; a handful of grouped
    queries (the handling time comes from the supervision dashboard's selector).
    """
    from django.utils import timezone

    from onetrip.applications.models import Application, Visit
    from onetrip.applications.workflow import DECIDED
    from onetrip.supervision import selectors as supervision
    from onetrip.supervision.models import Deadline

    today = today or timezone.localdate()
    per_item: dict[tuple[int, int], ServiceKpis] = {}

    def row(department_id: int, item_id: int) -> ServiceKpis:
        return per_item.setdefault((department_id, item_id), ServiceKpis())

    dept_item = {
        "department_id": F("application__department_id"),
        "item_id": F("application__item_id"),
    }
    deadline_dept_item = ("department_id", "application__item_id")
    for r in (
        supervision.promised_deadlines()
        .filter(state__in=supervision.CLOSED)
        .values(*deadline_dept_item)
        .annotate(
            met=Count("id", filter=Q(state=Deadline.State.MET)),
            missed=Count("id", filter=Q(state=Deadline.State.MISSED)),
        )
        .order_by()
    ):
        k = row(r["department_id"], r["application__item_id"])
        k.met, k.missed, k.closed = r["met"], r["missed"], r["met"] + r["missed"]
    for r in (
        supervision.open_deadlines(None)
        .filter(supervision.bucket_q("overdue", today=today))
        .values(*deadline_dept_item)
        .annotate(n=Count("id"))
        .order_by()
    ):
        row(r["department_id"], r["application__item_id"]).open_overdue = r["n"]
    for h in supervision.handling_time(None)["items"]:
        k = row(h.extra["department_id"], h.key)
        k.used_days, k.promised_days = h.used_days, h.promised_days
    for r in (
        Application.objects.filter(status__in=DECIDED)
        .values("department_id", "item_id")
        .annotate(n=Count("id"), promised=Sum("version__visits_required"))
        .order_by()
    ):
        k = row(r["department_id"], r["item_id"])
        k.decided, k.promised_visits = r["n"], r["promised"] or 0
    for r in (
        Visit.objects.filter(application__status__in=DECIDED)
        .values(**dept_item)
        .annotate(n=Count("id"))
        .order_by()
    ):
        row(r["department_id"], r["item_id"]).visits = r["n"]

    departments = {d.pk: d for d in Department.objects.order_by("order", "code")}
    items = {
        i.pk: i
        for i in Item.objects.filter(pk__in={i for _d, i in per_item}).select_related(
            "current_version"
        )
    }
    overall = ServiceKpis()
    per_department: dict[int, ServiceKpis] = {}
    for (dept_id, item_id), k in per_item.items():
        dept = departments[dept_id]
        label = {"code": dept.code, "name": dept.name, "short_name": dept.short_name}
        k.department = label
        item = items[item_id]
        k.item = {"code": item.code, "name": str(item)}
        per_department.setdefault(dept_id, ServiceKpis(department=label)).add(k)
        overall.add(k)
    order = list(departments)
    return {
        "overall": overall.finish(),
        "departments": [
            per_department[pk].finish() for pk in sorted(per_department, key=order.index)
        ],
        "items": [
            per_item[key].finish()
            for key in sorted(per_item, key=lambda key: (order.index(key[0]), items[key[1]].order))
        ],
    }


SERVICE_KPIS_SECONDS = 300


def service_kpis_cached() -> dict[str, Any]:
    """``service_kpis`` as the public pages show it: computed at most every five minutes.

    They aggregate every deadline and visit, so a busy public page must not run them on each
    request; the shared cache keeps one copy for every web node.
    """
    from django.core.cache import cache

    return cache.get_or_set("onetrip:stats:service", service_kpis, SERVICE_KPIS_SECONDS)
