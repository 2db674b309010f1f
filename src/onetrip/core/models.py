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
