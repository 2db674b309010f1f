"""Catalogue staff manage departments, items and versions here, within their departments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from onetrip.accounts.selectors import staff_department_ids
from onetrip.catalog import quality, selectors, services
from onetrip.catalog.documents import item_document
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


def _scope(request: HttpRequest) -> set[int] | None:
    return staff_department_ids(user=request.user, role="catalogue")


class DepartmentScopedAdmin(admin.ModelAdmin):
    """Rows outside the user's catalogue departments are invisible."""

    department_path = "department"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        ids = _scope(request)
        return qs if ids is None else qs.filter(**{f"{self.department_path}__in": ids})


@admin.register(Department)
class DepartmentAdmin(DepartmentScopedAdmin):
    department_path = "pk"
    list_display = ["name", "code", "short_name", "role", "parent", "credit_code", "phone"]
    list_filter = ["role"]
    search_fields = ["name", "code", "short_name", "credit_code"]
    ordering = ["order", "code"]

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete (e.g. a material's source department) may name any department.
        if request.path.endswith("/autocomplete/"):
            queryset = Department.objects.all()
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _scope(request) is None and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and _department_in_use(obj):
            return False
        return _scope(request) is None and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Where a department sits decides who manages its items: only unscoped administrators
        # may move or re-code it.
        fields = list(super().get_readonly_fields(request, obj))
        return fields if _scope(request) is None else [*fields, "code", "parent", "role"]

    class form(forms.ModelForm):
        class Meta:
            model = Department
            fields = [f.name for f in Department._meta.fields if f.name != "id"]

        def clean_credit_code(self) -> str:
            from onetrip.core.identifiers import credit_code_clean, credit_code_problem

            value = credit_code_clean(self.cleaned_data["credit_code"])
            if value and (problem := credit_code_problem(value)):
                raise forms.ValidationError(problem)
            return value


def _department_in_use(department: Department) -> bool:
    return (
        department.items.exists()
        or department.units.exists()
        or department.co_handled_versions.exists()
        or Material.objects.filter(source_department=department).exists()
    )


class VersionInline(admin.TabularInline):
    model = ItemVersion
    fields = ["link", "status", "change_note", "created_at", "published_at", "published_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="版本")
    def link(self, obj: ItemVersion) -> str:
        url = reverse("admin:catalog_itemversion_change", args=[obj.pk])
        return format_html('<a href="{}">第 {} 版 · {}</a>', url, obj.number, obj.name)


@admin.register(Item)
class ItemAdmin(DepartmentScopedAdmin):
    list_display = ["code", "current_name", "department", "current_number", "has_draft"]
    list_filter = ["department"]
    search_fields = ["code", "catalog_code", "versions__name"]
    readonly_fields = ["current_version", "created_at", "diff_link"]
    fields = [
        "code",
        "catalog_code",
        "department",
        "order",
        "current_version",
        "created_at",
        "diff_link",
    ]
    inlines = [VersionInline]
    actions = ["new_draft"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("department", "current_version")

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset, True

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "code", "department"] if obj else fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            ids = _scope(request)
            qs = Department.objects.filter(role=Department.Role.SERVICE)
            kwargs["queryset"] = qs if ids is None else qs.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.versions.filter(status="published").exists():
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="事项名称")
    def current_name(self, obj: Item) -> str:
        if obj.current_version:
            return obj.current_version.name
        draft = services.item_draft(item=obj)
        return f"{draft.name}（草稿）" if draft else "—"

    @admin.display(description="现行版本")
    def current_number(self, obj: Item) -> str:
        return f"第 {obj.current_version.number} 版" if obj.current_version else "未发布"

    @admin.display(description="有草稿", boolean=True)
    def has_draft(self, obj: Item) -> bool:
        return obj.versions.filter(status="draft").exists()

    @admin.display(description="版本比较")
    def diff_link(self, obj: Item) -> str:
        if not obj.pk or obj.versions.count() < 2:
            return "至少有两个版本时可以比较。"
        return format_html(
            '<a href="{}">比较任意两个版本</a>', reverse("admin:catalog_item_diff", args=[obj.pk])
        )

    @admin.action(description="以现行版本为基础新建草稿")
    def new_draft(self, request: HttpRequest, queryset: QuerySet[Item]) -> None:
        for item in queryset:
            try:
                services.item_draft_from_version(item=item, user=request.user)
                self.message_user(
                    request, _("已为“{item}”新建草稿。").format(item=item), messages.SUCCESS
                )
            except services.CatalogError as exc:
                self.message_user(
                    request,
                    _("{item}：{message}").format(item=item, message=exc.message),
                    messages.ERROR,
                )

    def get_urls(self):
        return [
            path(
                "<int:item_id>/diff/",
                self.admin_site.admin_view(self.diff_view),
                name="catalog_item_diff",
            ),
            *super().get_urls(),
        ]

    def diff_view(self, request: HttpRequest, item_id: int) -> HttpResponse:
        item = get_object_or_404(self.get_queryset(request), pk=item_id)
        versions = list(item.versions.order_by("number"))
        if not versions:
            self.message_user(request, _("该事项还没有任何版本，无法比较。"), messages.WARNING)
            return HttpResponseRedirect(reverse("admin:catalog_item_change", args=[item.pk]))
        numbers = [v.number for v in versions]

        def pick(key: str, default: int) -> ItemVersion:
            try:
                n = int(request.GET.get(key, default))
            except ValueError:
                n = default
            return next((v for v in versions if v.number == n), versions[0])

        old = pick("a", numbers[-2] if len(numbers) > 1 else numbers[0])
        new = pick("b", numbers[-1])
        context = {
            **self.admin_site.each_context(request),
            "title": f"版本比较：{item}",
            "item": item,
            "versions": versions,
            "old": old,
            "new": new,
            "rows": selectors.version_diff(old, new),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/item/diff.html", context)


class FrozenInlineMixin:
    """Inline rows of a published version are read-only."""

    extra = 0

    def _frozen(self, obj: Any) -> bool:
        return bool(obj and obj.is_frozen)

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class SituationInline(FrozenInlineMixin, admin.TabularInline):
    model = Situation
    fields = ["order", "code", "name", "description"]


class MaterialInline(FrozenInlineMixin, admin.StackedInline):
    model = Material
    fields = [
        ("order", "code", "name"),
        ("material_type", "material_form", "copies"),
        ("necessity", "condition"),
        ("is_key", "deficiency_allowed"),
        ("source", "source_department", "evidence_type"),
        "situations",
        "notes",
        ("legal_basis", "blank_form", "sample"),
    ]
    autocomplete_fields = ["source_department"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "situations":
            version_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Situation.objects.filter(version_id=version_id or 0)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class FeeInline(FrozenInlineMixin, admin.TabularInline):
    model = Fee
    fields = ["order", "name", "standard", "basis", "reduction"]


class FaqInline(FrozenInlineMixin, admin.StackedInline):
    model = Faq
    fields = ["order", "question", "answer"]


class FormFieldInline(FrozenInlineMixin, admin.TabularInline):
    model = FormField
    fields = [
        "order",
        "code",
        "label",
        "field_type",
        "required",
        "choices",
        "situations",
        "help_text",
        "min_value",
        "max_value",
        "max_length",
        "date_bound",
        "prefill",
        "required_if",
        "fills",
    ]


class ReviewStageInline(FrozenInlineMixin, admin.TabularInline):
    model = ReviewStage
    fields = ["order", "code", "name", "limit"]


@admin.register(ItemVersion)
class ItemVersionAdmin(DepartmentScopedAdmin):
    department_path = "item__department"
    list_display = ["name", "item", "number", "status", "published_at", "published_by"]
    list_filter = ["status", "item__department", "kind", "online_depth", "visits_required"]
    search_fields = ["name", "item__code", "keywords"]
    inlines = [
        SituationInline,
        MaterialInline,
        FormFieldInline,
        ReviewStageInline,
        FeeInline,
        FaqInline,
    ]
    actions = ["publish", "new_draft"]
    readonly_fields = ["status_line", "quality_report"]
    autocomplete_fields = ["co_departments"]
    fieldsets = [
        (None, {"fields": ["status_line", "quality_report", "item", "change_note"]}),
        (
            "事项信息",
            {
                "fields": [
                    "name",
                    "name_en",
                    "summary",
                    "handling_item",
                    "kind",
                    "keywords",
                    ("serves_persons", "serves_enterprises"),
                    "co_departments",
                ]
            },
        ),
        (
            "办理时限",
            {
                "fields": [
                    "handling_type",
                    ("legal_limit", "legal_limit_unit"),
                    "legal_limit_note",
                    ("promised_limit", "promised_limit_unit"),
                    "promised_limit_note",
                ]
            },
        ),
        (
            "跑动次数与网办",
            {
                "fields": [
                    ("visits_required", "visits_reason"),
                    ("online_available", "online_depth"),
                    ("supports_post_delivery", "accepts_post_application"),
                    ("supports_appointment", "supports_online_payment"),
                ]
            },
        ),
        (
            "办事指南",
            {
                "fields": [
                    "conditions",
                    "legal_basis",
                    "remedy",
                    "process_steps",
                    "handling_place",
                    "handling_hours",
                    ("consult_phone", "complaint_phone"),
                ]
            },
        ),
        (
            "收费与结果",
            {
                "fields": [
                    ("fee_charged", "fee_note"),
                    ("result_type", "result_name"),
                    "result_sample",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "item"] if obj else fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "item":
            ids = _scope(request)
            kwargs["queryset"] = (
                Item.objects.all() if ids is None else Item.objects.filter(department_id__in=ids)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class DraftForm(form):
            def clean(self):
                cleaned = super().clean()
                item = cleaned.get("item") or getattr(self.instance, "item", None)
                if not self.instance.pk and item and services.item_draft(item=item):
                    raise forms.ValidationError(_("该事项已有草稿，请编辑现有草稿。"))
                return cleaned

        return DraftForm

    @transaction.atomic
    def save_model(self, request, obj: ItemVersion, form, change: bool) -> None:
        if not obj.pk:
            last = obj.item.versions.order_by("-number").first()
            obj.number = (last.number + 1) if last else 1
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="状态")
    def status_line(self, obj: ItemVersion) -> str:
        if not obj.pk:
            return "新草稿"
        if obj.is_frozen:
            return format_html(
                "第 {} 版，已于 {} 发布，内容已冻结。内容摘要 {}",
                obj.number,
                obj.published_at.strftime("%Y-%m-%d %H:%M"),
                obj.content_digest[:16],
            )
        return f"第 {obj.number} 版草稿，可编辑；发布前会运行质量规则检查。"

    @admin.display(description="质量规则检查")
    def quality_report(self, obj: ItemVersion) -> str:
        if not obj.pk:
            return "保存后检查。"
        violations = quality.check(item_document(obj.item, obj))
        if not violations:
            return "全部通过。"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((v.message,) for v in violations))
        )

    @admin.action(description="发布所选版本（运行质量规则）")
    def publish(self, request: HttpRequest, queryset: QuerySet[ItemVersion]) -> None:
        for version in queryset.select_related("item"):
            try:
                services.item_version_publish(version=version, user=request.user)
                self.message_user(
                    request, _("已发布“{version}”。").format(version=version), messages.SUCCESS
                )
            except services.CatalogError as exc:
                details = _("；").join(v.message for v in exc.violations)
                self.message_user(
                    request,
                    _("“{version}”未发布：{message} {details}").format(
                        version=version, message=exc.message, details=details
                    ),
                    messages.ERROR,
                )

    @admin.action(description="以所选版本为基础新建草稿")
    def new_draft(self, request: HttpRequest, queryset: QuerySet[ItemVersion]) -> None:
        for version in queryset.select_related("item"):
            try:
                draft = services.item_draft_from_version(
                    item=version.item, version=version, user=request.user
                )
                self.message_user(
                    request, _("已新建“{draft}”。").format(draft=draft), messages.SUCCESS
                )
            except services.CatalogError as exc:
                self.message_user(
                    request,
                    _("{version}：{message}").format(version=version, message=exc.message),
                    messages.ERROR,
                )

    def response_change(self, request: HttpRequest, obj: ItemVersion) -> HttpResponse:
        if "_publish" in request.POST:
            self.publish(request, ItemVersion.objects.filter(pk=obj.pk))
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)
