"""Catalogue KPIs of the 最多跑一次 scoreboard, computed from current published versions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, Q

from onetrip.catalog.models import Department, ItemVersion, Material
from onetrip.catalog.quality import working_days_equivalent
from onetrip.catalog.selectors import published_versions


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


def _add(kpis: CatalogueKpis, v: ItemVersion, materials: tuple[int, int]) -> None:
    kpis.items += 1
    kpis.at_most_once += v.visits_required <= 1
    kpis.zero_visits += v.visits_required == 0
    kpis.online += v.online_available
    kpis.fully_online += v.online_depth == 4
    kpis.instant += v.handling_type == ItemVersion.HandlingType.INSTANT
    if v.legal_limit:
        kpis.legal_working_days += working_days_equivalent(v.legal_limit, v.legal_limit_unit)
        kpis.promised_working_days += working_days_equivalent(
            v.promised_limit, v.promised_limit_unit
        )
    kpis.materials += materials[0]
    kpis.materials_not_brought += materials[1]


def catalogue_kpis() -> dict[str, Any]:
    """Overall and per-department KPIs: {"overall": CatalogueKpis, "departments": [...]}."""
    versions = list(published_versions())
    counts = {
        row["version_id"]: (row["total"], row["exempt"])
        for row in Material.objects.filter(version__in=[v.pk for v in versions])
        .values("version_id")
        .annotate(total=Count("id"), exempt=Count("id", filter=Q(source__in=Material.NOT_BROUGHT)))
    }
    overall = CatalogueKpis()
    per_department: dict[int, CatalogueKpis] = {}
    for v in versions:
        m = counts.get(v.pk, (0, 0))
        _add(overall, v, m)
        dept = v.item.department
        if dept.pk not in per_department:
            per_department[dept.pk] = CatalogueKpis(
                department={"code": dept.code, "name": dept.name, "short_name": dept.short_name}
            )
        _add(per_department[dept.pk], v, m)
    order = {d.pk: i for i, d in enumerate(Department.objects.order_by("order", "code"))}
    departments = [per_department[k].finish() for k in sorted(per_department, key=order.get)]
    return {"overall": overall.finish(), "departments": departments}
