"""Small shared tables."""

from django.db import models


class FloorProbe(models.Model):
    """Rows written by the benchmark floor view (three per request, one transaction)."""

    created_at = models.DateTimeField(auto_now_add=True)
    payload = models.CharField(max_length=100)

    class Meta:
        verbose_name = "基准测试探针"
        verbose_name_plural = "基准测试探针"

    def __str__(self) -> str:
        return f"probe {self.pk}"


class CalendarDay(models.Model):
    """One day of the working-day calendar: working or not, and why."""

    date = models.DateField("日期", primary_key=True)
    is_working_day = models.BooleanField("工作日")
    note = models.CharField("说明", max_length=40, blank=True, help_text="如 春节、调休上班")
    edited = models.BooleanField("人工调整", default=False, editable=False)

    class Meta:
        verbose_name = "工作日历"
        verbose_name_plural = "工作日历"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'工作日' if self.is_working_day else '休息日'}"
