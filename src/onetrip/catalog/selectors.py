"""Reads of the catalogue: the public list, search, checklists and version diffs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from onetrip.catalog.documents import (
    FAQ_FIELDS,
    FEE_FIELDS,
    FORM_FIELD_FIELDS,
    MATERIAL_FIELDS,
    SITUATION_FIELDS,
    STAGE_FIELDS,
    VERSION_FIELDS,
    item_document,
)
from onetrip.catalog.models import Department, Item, ItemVersion, Material


def published_versions() -> QuerySet[ItemVersion]:
    """Current published versions, in list order, ready for listing."""
    return (
        ItemVersion.objects.filter(
            pk__in=Item.objects.filter(current_version__isnull=False).values("current_version")
        )
        .select_related("item", "item__department")
        .order_by("item__order", "item__code")
    )


@dataclass(frozen=True)
class GuideFilters:
    q: str = ""
    department: str = ""
    target: str = ""  # "person" | "enterprise"
    zero_visits: bool = False
    fully_online: bool = False
    instant: bool = False


def _is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def search_rank(q: str, name: str, keywords: str, search_text: str) -> int:
    """How well ``q`` matches an item; 0 = no match. Handles 简称 such as 社保卡 and pinyin."""
    words = q.lower().split()
    q = "".join(words)
    if not q:
        return 1
    name = name.lower()
    if q in name:
        return 100 - min(len(name) - len(q), 50)
    if any(q in k for k in keywords.lower().replace(",", " ").replace("，", " ").split()):
        return 80
    tokens = search_text.split()
    if any(t.startswith(q) for t in tokens):
        return 60  # pinyin or initials: shebaoka, sbk
    if any(q in t for t in tokens):
        return 50
    if len(words) > 1 and all(any(t.startswith(w) for t in tokens) for w in words):
        return 45  # several words, e.g. English: social security card
    if not q.isascii() and len(q) >= 2 and _is_subsequence(q, name):
        return 40  # 社保卡 → 社会保障卡申领
    return 0


def _filtered(filters: GuideFilters) -> QuerySet[ItemVersion]:
    qs = ItemVersion.objects.filter(
        pk__in=Item.objects.filter(current_version__isnull=False).values("current_version")
    )
    if filters.department:
        qs = qs.filter(
            Q(item__department__code=filters.department)
            | Q(item__department__parent__code=filters.department)
        )
    if filters.target == "person":
        qs = qs.filter(serves_persons=True)
    elif filters.target == "enterprise":
        qs = qs.filter(serves_enterprises=True)
    if filters.zero_visits:
        qs = qs.filter(visits_required=0)
    if filters.fully_online:
        qs = qs.filter(online_depth=4)
    if filters.instant:
        qs = qs.filter(handling_type=ItemVersion.HandlingType.INSTANT)
    return qs.order_by("item__order", "item__code")


def guide_search_ids(filters: GuideFilters) -> list[int]:
    """Ids of published versions matching the search box and filters, best match first."""
    rows = _filtered(filters).values_list("pk", "name", "keywords", "item__search_text")
    if not filters.q.strip():
        return [row[0] for row in rows]
    ranked = [(search_rank(filters.q, *row[1:]), i, row[0]) for i, row in enumerate(rows)]
    ranked.sort(key=lambda t: (-t[0], t[1]))
    return [pk for rank, _, pk in ranked if rank > 0]


def versions_in_order(ids: list[int]) -> list[ItemVersion]:
    """The versions with these ids, ready for listing, in the order given."""
    by_id = {
        v.pk: v
        for v in ItemVersion.objects.filter(pk__in=ids).select_related("item", "item__department")
    }
    return [by_id[pk] for pk in ids if pk in by_id]


def guide_search(filters: GuideFilters) -> list[ItemVersion]:
    """Published versions matching the guide's search box and filters, best match first."""
    return versions_in_order(guide_search_ids(filters))


def count_at_most_one_visit(ids: list[int]) -> int:
    return ItemVersion.objects.filter(pk__in=ids, visits_required__lte=1).count()


def departments_above(ids) -> dict[int, set[int]]:
    """Each department id → itself and every department above it (its parent, theirs …)."""
    parents = dict(Department.objects.values_list("id", "parent_id"))
    out: dict[int, set[int]] = {}
    for start in set(ids):
        chain, node = set(), start
        while node is not None and node not in chain:
            chain.add(node)
            node = parents.get(node)
        out[start] = chain
    return out


def guide_departments() -> QuerySet[Department]:
    """Departments that implement at least one published item, with their units."""
    return Department.objects.filter(role=Department.Role.SERVICE).order_by("order", "code")


def version_with_content(version_id: int) -> ItemVersion:
    return (
        ItemVersion.objects.select_related("item", "item__department")
        .prefetch_related(
            "situations",
            "fees",
            "faqs",
            "form_fields",
            "stages",
            "co_departments",
            Prefetch(
                "materials",
                queryset=Material.objects.select_related("source_department").prefetch_related(
                    "situations"
                ),
            ),
        )
        .get(pk=version_id)
    )


def materials_for_situation(version: ItemVersion, situation_code: str = "") -> list[Material]:
    """The checklist: materials that apply to one situation (all when none is chosen)."""
    materials = list(version.materials.all())
    if not situation_code:
        return materials
    return [
        m
        for m in materials
        if not m.situations.all() or any(s.code == situation_code for s in m.situations.all())
    ]


@dataclass(frozen=True)
class DiffRow:
    section: str
    label: str
    old: str
    new: str
    change: str  # "added" | "removed" | "changed"


def _label(model: type, field: str) -> str:
    try:
        return str(model._meta.get_field(field).verbose_name)
    except Exception:
        return field


def _show(value: Any) -> str:
    if value is None:
        return "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return (
            "、".join(
                f"{v['value']}={v['label']}" if isinstance(v, dict) else str(v) for v in value
            )
            or "（无）"
        )
    return str(value)


def version_diff(old: ItemVersion, new: ItemVersion) -> list[DiffRow]:
    """A readable field-by-field diff between two versions of an item."""
    from onetrip.catalog.models import Faq, Fee, FormField, ReviewStage, Situation

    a = item_document(old.item, old)
    b = item_document(new.item, new)
    rows: list[DiffRow] = []
    for field in [*VERSION_FIELDS, "co_departments"]:
        if a.get(field) != b.get(field):
            label = "联办机构" if field == "co_departments" else _label(ItemVersion, field)
            rows.append(
                DiffRow("基本信息", label, _show(a.get(field)), _show(b.get(field)), "changed")
            )

    def compare(section: str, key: str, fields: list[str], model: type) -> None:
        olds = {r[key]: r for r in a[section]}
        news = {r[key]: r for r in b[section]}
        title = str(model._meta.verbose_name)
        kept_old = [k for k in olds if k in news]
        kept_new = [k for k in news if k in olds]
        if kept_old != kept_new:

            def names(rows: dict, keys: list) -> str:
                return "、".join(
                    str(rows[k].get("name") or rows[k].get("label") or k) for k in keys
                )

            rows.append(
                DiffRow(title, "排列顺序", names(olds, kept_old), names(news, kept_new), "changed")
            )
        for k, row in olds.items():
            if k not in news:
                rows.append(
                    DiffRow(
                        title,
                        str(row.get("name") or row.get("label") or k),
                        "存在",
                        "已删除",
                        "removed",
                    )
                )
        for k, row in news.items():
            name = str(row.get("name") or row.get("label") or k)
            if k not in olds:
                rows.append(DiffRow(title, name, "（无）", "新增", "added"))
                continue
            for f in fields:
                if olds[k].get(f) != row.get(f):
                    rows.append(
                        DiffRow(
                            title,
                            f"{name} · {_label(model, f)}",
                            _show(olds[k].get(f)),
                            _show(row.get(f)),
                            "changed",
                        )
                    )

    compare("situations", "code", SITUATION_FIELDS, Situation)
    compare("materials", "code", MATERIAL_FIELDS, Material)
    compare("fees", "name", FEE_FIELDS, Fee)
    compare("faqs", "question", FAQ_FIELDS, Faq)
    compare("form_fields", "code", FORM_FIELD_FIELDS, FormField)
    compare("stages", "code", STAGE_FIELDS, ReviewStage)
    return rows


@dataclass(frozen=True)
class PinnedContent:
    """What an application needs from the version it pins, read in one place."""

    form_fields: tuple[Any, ...]  # FormField rows in order
    stages: tuple[tuple[str, str], ...]  # (code, name) in order; at least ("handle", …)
    stage_limits: dict[str, int]  # code → working days, for the stages that set a limit
    required_materials: frozenset[str]


def pinned_content(version: ItemVersion) -> PinnedContent:
    """A published version never changes, so its content is read once per process."""
    if version.is_frozen:
        return _pinned(version.pk, version.content_digest)
    return _load_pinned(version.pk)


@lru_cache(maxsize=512)
def _pinned(version_id: int, digest: str) -> PinnedContent:
    return _load_pinned(version_id)


def _load_pinned(version_id: int) -> PinnedContent:
    from onetrip.catalog.models import FormField, ReviewStage

    rows = list(
        ReviewStage.objects.filter(version_id=version_id)
        .order_by("order", "id")
        .values_list("code", "name", "limit")
    )
    stages = tuple((code, name) for code, name, _limit in rows)
    return PinnedContent(
        form_fields=tuple(FormField.objects.filter(version_id=version_id).order_by("order", "id")),
        stages=stages or (("handle", "承办"),),
        stage_limits={code: limit for code, _name, limit in rows if limit is not None},
        required_materials=frozenset(
            Material.objects.filter(
                version_id=version_id, necessity=Material.Necessity.REQUIRED
            ).values_list("code", flat=True)
        ),
    )
