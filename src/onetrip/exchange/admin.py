"""Read-only lists for administrators: evidence provenance and the data-use log.

The data itself (personal, encrypted at rest) is not shown here; people read their own data
at /me/, officers within the application they handle (logged)."""

from django.contrib import admin

from onetrip.exchange.models import DataUse, Evidence


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(ReadOnly):
    list_display = ["fetched_at", "evidence_type", "provider", "source", "request_id", "purpose"]
    list_filter = ["evidence_type", "provider"]
    search_fields = ["request_id"]
    fields = [
        "evidence_type", "provider", "source", "request_id", "signed_at", "digest", "signature",
        "purpose", "application", "fetched_by", "fetched_at",
    ]  # fmt: skip
    readonly_fields = fields


@admin.register(DataUse)
class DataUseAdmin(ReadOnly):
    list_display = ["occurred_at", "kind", "evidence_type", "department", "actor_role", "purpose"]
    list_filter = ["kind", "evidence_type"]
    search_fields = ["request_id"]
    fields = [
        "occurred_at", "kind", "evidence_type", "department", "actor", "actor_role", "purpose",
        "application", "request_id",
    ]  # fmt: skip
    readonly_fields = fields
