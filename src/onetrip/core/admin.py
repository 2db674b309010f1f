from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.core.calendar import calendar_changed, calendar_gap
from onetrip.core.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Administrators correct the calendar when a new year's schedule is announced."""

    list_display = ["date", "weekday", "is_working_day", "note", "edited"]
    list_filter = ["is_working_day", "edited"]
    search_fields = ["note"]
    date_hierarchy = "date"
    readonly_fields = ["edited"]

    @admin.display(description="星期")
    def weekday(self, obj: CalendarDay) -> str:
        return "一二三四五六日"[obj.date.weekday()]

    def changelist_view(self, request, extra_context=None):
        gap = calendar_gap(today=timezone.localdate())
        if gap is not None:
            messages.warning(
                request,
                _(
                    "工作日历从 {date} 起没有数据：请录入新一年的节假日和"
                    "调休安排，否则时限将按周一至周五计算。"
                ).format(date=f"{gap:%Y-%m-%d}"),
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        obj.edited = True
        super().save_model(request, obj, form, change)
        calendar_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        calendar_changed()
