"""Every write to the catalogue goes through here."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from onetrip.accounts.models import User
from onetrip.accounts.selectors import staff_has_role
from onetrip.audit.services import audit_append
from onetrip.catalog import quality
from onetrip.catalog.documents import (
    FAQ_FIELDS,
    FEE_FIELDS,
    SITUATION_FIELDS,
    VERSION_FIELDS,
    content_digest,
    item_document,
    version_document,
)
from onetrip.catalog.models import (
    Department,
    Faq,
    Fee,
    FormField,
    Item,
    ItemVersion,
    Material,
    ReviewStage,
    Situation,
)


class CatalogError(Exception):
    """A refused catalogue change, with a stable code and a message in the active language."""

    def __init__(self, code: str, message: str, violations: list[quality.Violation] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.violations = violations or []


class QualityError(CatalogError):
    def __init__(self, violations: list[quality.Violation]):
        super().__init__(
            "quality_rules_failed",
            _("该版本未通过 {count} 项质量规则检查，不能发布。").format(count=len(violations)),
            violations,
        )


def _require_catalogue_role(user: User | None, department: Department) -> None:
    if user is None:  # system jobs (shipped data loader, management commands)
        return
    if not staff_has_role(user=user, role="catalogue", department_id=department.pk):
        raise CatalogError(
            "forbidden", _("您没有管理“{name}”事项的权限。").format(name=department.name)
        )


def search_text_for(version: ItemVersion) -> str:
    """Lower-case words the guide searches: names, keywords, department, pinyin and initials."""
    dept = version.item.department
    keywords = version.keyword_list()
    pinyin = ["".join(lazy_pinyin(version.name))]
    initials = [
        "".join(lazy_pinyin(w, style=Style.FIRST_LETTER)) for w in [version.name, *keywords]
    ]
    words = [
        version.name,
        version.name_en,
        *keywords,
        dept.name,
        dept.short_name,
        *pinyin,
        *initials,
    ]
    return " ".join(w for w in words if w).lower()


def catalog_search_refresh(*, item: Item | None = None) -> int:
    """Recompute the search text of published items (after a department rename, say)."""
    items = Item.objects.filter(current_version__isnull=False).select_related(
        "department", "current_version"
    )
    if item is not None:
        items = items.filter(pk=item.pk)
    count = 0
    for it in items:
        Item.objects.filter(pk=it.pk).update(search_text=search_text_for(it.current_version))
        count += 1
    return count


def department_upsert(*, data: dict[str, Any]) -> Department:
    """Create or update a department from a validated department document."""
    parent = Department.objects.get(code=data["parent"]) if data.get("parent") else None
    fields = {k: v for k, v in data.items() if k not in {"code", "parent"}}
    department, _ = Department.objects.update_or_create(
        code=data["code"], defaults={**fields, "parent": parent}
    )
    return department


def _write_content(version: ItemVersion, doc: dict[str, Any]) -> None:
    """Replace a draft version's content with a validated document."""
    if version.is_frozen:
        raise CatalogError("version_frozen", _("已发布的版本不能修改，请新建草稿。"))
    for field in VERSION_FIELDS:
        setattr(version, field, doc.get(field, getattr(version, field)))
    version.save()
    version.situations.all().delete()
    version.materials.all().delete()
    version.fees.all().delete()
    version.faqs.all().delete()
    version.form_fields.all().delete()
    version.stages.all().delete()
    version.co_departments.set(Department.objects.filter(code__in=doc.get("co_departments", [])))
    situations = {}
    for order, s in enumerate(doc.get("situations", [])):
        situations[s["code"]] = Situation.objects.create(
            version=version, order=order, **{f: s.get(f, "") for f in SITUATION_FIELDS}
        )
    departments = {d.code: d for d in Department.objects.all()}
    for order, m in enumerate(doc.get("materials", [])):
        values = {k: v for k, v in m.items() if k not in {"situations", "source_department"}}
        material = Material.objects.create(
            version=version,
            order=order,
            source_department=departments.get(m.get("source_department") or ""),
            **values,
        )
        material.situations.set([situations[c] for c in m.get("situations", [])])
    for order, f in enumerate(doc.get("fees", [])):
        Fee.objects.create(version=version, order=order, **{k: f.get(k, "") for k in FEE_FIELDS})
    for order, q in enumerate(doc.get("faqs", [])):
        Faq.objects.create(version=version, order=order, **{k: q.get(k, "") for k in FAQ_FIELDS})
    for order, f in enumerate(doc.get("form_fields", [])):
        FormField.objects.create(version=version, order=order, **f)
    for order, st in enumerate(doc.get("stages", [])):
        ReviewStage.objects.create(version=version, order=order, **st)


@transaction.atomic
def item_create(*, data: dict[str, Any], user: User | None) -> Item:
    """Create an item with its first draft version from a validated item document."""
    department = Department.objects.get(code=data["department"])
    _require_catalogue_role(user, department)
    if Item.objects.filter(code=data["code"]).exists():
        raise CatalogError("item_exists", _("实施编码“{code}”已存在。").format(code=data["code"]))
    item = Item.objects.create(
        code=data["code"],
        catalog_code=data.get("catalog_code", ""),
        department=department,
        order=data.get("order", 100),
    )
    version = ItemVersion(item=item, number=1, created_by=user)
    _write_content(version, data)
    return item


def item_draft(*, item: Item) -> ItemVersion | None:
    return item.versions.filter(status=ItemVersion.Status.DRAFT).first()


@transaction.atomic
def item_draft_save(
    *, item: Item, data: dict[str, Any], user: User | None, change_note: str = ""
) -> ItemVersion:
    """Write validated content into the item's draft, creating the draft if there is none."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    _require_catalogue_role(user, item.department)
    version = item_draft(item=item)
    if version is None:
        last = item.versions.order_by("-number").first()
        version = ItemVersion(item=item, number=(last.number + 1) if last else 1, created_by=user)
    if change_note:
        version.change_note = change_note
    for key in ("catalog_code", "order"):
        if key in data and getattr(item, key) != data[key]:
            setattr(item, key, data[key])
            item.save(update_fields=[key])
    _write_content(version, data)
    return version


@transaction.atomic
def item_draft_from_version(
    *, item: Item, version: ItemVersion | None = None, user: User | None
) -> ItemVersion:
    """Start a new draft as a copy of ``version`` (default: the current published one)."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    _require_catalogue_role(user, item.department)
    if item_draft(item=item) is not None:
        raise CatalogError("draft_exists", _("该事项已有草稿，请先编辑或发布现有草稿。"))
    source = version or item.current_version
    if source is None:
        raise CatalogError("no_version", _("该事项没有可复制的版本。"))
    return item_draft_save(item=item, data=version_document(source), user=user)


@transaction.atomic
def item_version_publish(*, version: ItemVersion, user: User | None) -> ItemVersion:
    """Run the quality rules and freeze the version as the item's current guide."""
    version = (
        ItemVersion.objects.select_for_update()
        .select_related("item__department")
        .get(pk=version.pk)
    )
    _require_catalogue_role(user, version.item.department)
    if version.is_frozen:
        raise CatalogError(
            "already_published", _("第 {number} 版已经发布。").format(number=version.number)
        )
    doc = item_document(version.item, version)
    violations = quality.check(doc)
    if violations:
        raise QualityError(violations)
    version.status = ItemVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = user
    version.content_digest = content_digest(doc)
    version.save(update_fields=["status", "published_at", "published_by", "content_digest"])
    item = version.item
    previous = item.current_version
    item.current_version = version
    item.search_text = search_text_for(version)
    item.save(update_fields=["current_version", "search_text"])
    audit_append(
        actor=user,
        action="catalog.version.publish",
        target=version,
        summary=f"发布“{version.name}”第 {version.number} 版",
        before={"current_version": previous.number if previous else None},
        after={"current_version": version.number, "content_digest": version.content_digest},
    )
    return version


@transaction.atomic
def item_draft_discard(*, item: Item, user: User | None) -> None:
    item = Item.objects.select_for_update().get(pk=item.pk)
    _require_catalogue_role(user, item.department)
    draft = item_draft(item=item)
    if draft is None:
        raise CatalogError("no_draft", _("该事项没有草稿。"))
    audit_append(
        actor=user,
        action="catalog.draft.discard",
        target=item,
        summary=f"删除“{draft.name}”第 {draft.number} 版草稿",
        before={"draft": draft.number},
    )
    draft.delete()


@transaction.atomic
def catalogue_import(
    *,
    departments: list[dict[str, Any]],
    items: list[dict[str, Any]],
    user: User | None,
    publish: bool = False,
) -> dict[str, int]:
    """Load validated department and item documents in one transaction.

    An item whose content equals its latest version is left alone. With ``publish`` every
    changed item's new version is published; a quality failure undoes the whole import.
    """
    counts = {"departments": 0, "created": 0, "updated": 0, "unchanged": 0, "published": 0}
    pending = list(departments)
    while pending:  # parents before children
        progressed = False
        for d in list(pending):
            if not d.get("parent") or Department.objects.filter(code=d["parent"]).exists():
                department_upsert(data=d)
                counts["departments"] += 1
                pending.remove(d)
                progressed = True
        if not progressed:
            raise CatalogError("unknown_parent", _("部门的上级部门不存在或存在循环。"))
    failures: list[quality.Violation] = []
    for doc in items:
        item = Item.objects.filter(code=doc["code"]).first()
        if item is None:
            item = item_create(data=doc, user=user)
            version = item.versions.get()
            counts["created"] += 1
        else:
            latest = item.versions.order_by("-number").first()
            item_fields = {
                "catalog_code": doc.get("catalog_code", ""),
                "order": doc.get("order", 100),
            }
            if any(getattr(item, k) != v for k, v in item_fields.items()):
                Item.objects.filter(pk=item.pk).update(**item_fields)
                counts["updated"] += 1
                moved = True
            else:
                moved = False
            if latest and content_digest(item_document(item, latest)) == content_digest(doc):
                counts["unchanged"] += 0 if moved else 1
                if not (publish and not latest.is_frozen):
                    continue
                version = latest
            else:
                if item.department.code != doc["department"]:
                    raise CatalogError(
                        "department_changed",
                        _("事项“{code}”的实施主体不能通过导入更改。").format(code=doc["code"]),
                    )
                version = item_draft_save(item=item, data=doc, user=user)
                counts["updated"] += 0 if moved else 1
        if publish:
            try:
                item_version_publish(version=version, user=user)
                counts["published"] += 1
            except QualityError as exc:
                failures += [
                    quality.Violation(v.code, f"{doc['code']}: {v.field}", v.message)
                    for v in exc.violations
                ]
    if failures:
        raise QualityError(failures)
    return counts
