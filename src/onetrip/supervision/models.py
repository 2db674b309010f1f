"""Legal clocks: deadlines are rows, written with the change that starts, pauses or ends them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Deadline(models.Model):
    """A limit running for one application: the legal one and the promised one."""

    class Kind(models.TextChoices):
        LEGAL = "legal", "法定办结时限"
        PROMISED = "promised", "承诺办结时限"

    class State(models.TextChoices):
        OPEN = "open", "计时中"
        MET = "met", "按期办结"
        MISSED = "missed", "超期办结"
        CANCELLED = "cancelled", "已终止"

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="deadlines"
    )
    kind = models.CharField("时限", max_length=10, choices=Kind.choices)
    starts_on = models.DateField("起算日")
    limit = models.PositiveIntegerField("时限")
    unit = models.CharField("单位", max_length=10)
    paused_days = models.PositiveIntegerField("暂停天数", default=0)
    extended_days = models.PositiveIntegerField("延长天数", default=0)
    due_on = models.DateField("到期日")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    closed_on = models.DateField("结束日", null=True, blank=True)

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="uniq_deadline_kind")
        ]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self) -> str:
        return f"{self.application} {self.get_kind_display()} {self.due_on}"


class ClockPause(models.Model):
    """A period the clock does not count (特别程序, 容缺补交 …)."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="clock_pauses"
    )
    reason = models.CharField("原因", max_length=200)
    started_on = models.DateField("开始")
    ended_on = models.DateField("结束", null=True, blank=True)

    class Meta:
        verbose_name = "计时暂停"
        verbose_name_plural = "计时暂停"

    def __str__(self) -> str:
        return f"{self.application} {self.reason}"


class Extension(models.Model):
    """延期: more days on an application's limits, with a reason and an approver."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="extensions"
    )
    days = models.PositiveIntegerField("延长天数")
    reason = models.CharField("理由", max_length=300)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="批准人"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"

    def __str__(self) -> str:
        return f"{self.application} +{self.days}"
