"""Catalogue KPIs of the 最多跑一次 scoreboard, computed from current published versions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

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
        .annotate(total=Count("id"), exempt=Count("id", filter=Q(source__in=Material.NOT_BROUGHT)))
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
