from django.contrib import admin

from onetrip.supervision.models import ClockPause, Deadline, Extension


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
