"""Audit events in the admin: read-only for everyone, superusers included."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from onetrip.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "occurred_at", "actor_label", "action", "object", "summary"]
    list_display_links = ["seq"]
    list_filter = ["actor_kind", "action", "object_type", "occurred_at"]
    search_fields = ["=seq", "action", "object_id", "actor_id", "actor_label", "summary"]
    date_hierarchy = "occurred_at"
    ordering = ["-seq"]
    actions = None
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    @admin.display(description="对象", ordering="object_type")
    def object(self, event: AuditEvent) -> str:
        return event.object_label

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
