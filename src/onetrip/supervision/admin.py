from django.contrib import admin

from onetrip.supervision.models import Card, ClockPause, Deadline, Extension


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = [
        "application",
        "kind",
        "starts_on",
        "due_on",
        "paused_days",
        "extended_days",
        "state",
    ]
    list_filter = ["kind", "state"]
    readonly_fields = [f.name for f in Deadline._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(ClockPause)
admin.site.register(Extension)


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    """Cards are read here; findings and closing go through the services (never deleted)."""

    list_display = ["application", "colour", "department", "responsible", "raised_at", "closed_at"]
    list_filter = ["colour", "department"]
    readonly_fields = [f.name for f in Card._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
