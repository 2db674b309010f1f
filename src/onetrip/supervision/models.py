"""Legal clocks: deadlines are rows, written with the change that starts, pauses or ends them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Deadline(models.Model):
    """A limit running for one application: the legal one and the promised one."""

    class Kind(models.TextChoices):
        LEGAL = "legal", "法定办结时限"
        PROMISED = "promised", "承诺办结时限"
        STAGE = "stage", "环节时限"

    class State(models.TextChoices):
        OPEN = "open", "计时中"
        MET = "met", "按期办结"
        MISSED = "missed", "超期办结"
        CANCELLED = "cancelled", "已终止"

    # The unique constraint below starts with the application: no index of its own.
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.CASCADE,
        related_name="deadlines",
        db_index=False,
    )
    # The application's department, kept here so the dashboard groups and scopes deadlines
    # without joining the applications table.
    department = models.ForeignKey(
        "catalog.Department",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name="办理部门",
    )
    kind = models.CharField("时限", max_length=10, choices=Kind.choices)
    stage = models.CharField("环节", max_length=12, blank=True, default="")
    starts_on = models.DateField("起算日")
    limit = models.PositiveIntegerField("时限")
    unit = models.CharField("单位", max_length=10)
    paused_days = models.PositiveIntegerField("暂停天数", default=0)
    extended_days = models.PositiveIntegerField("延长天数", default=0)
    due_on = models.DateField("到期日")
    # The first day the yellow-card rule holds (kept with due_on, so the sweep is one query).
    yellow_on = models.DateField("预警日", null=True, blank=True)
    # Set by the sweep in the statement that claims the card, so each is raised once.
    yellow_raised = models.BooleanField("已发黄牌", default=False)
    red_raised = models.BooleanField("已发红牌", default=False)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    closed_on = models.DateField("结束日", null=True, blank=True)

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "stage"], name="uniq_deadline_kind_stage"
            )
        ]
        indexes = [
            models.Index(fields=["state", "kind", "due_on"], name="deadline_open_due"),
            models.Index(
                fields=["kind", "state", "department", "due_on"], name="deadline_department"
            ),
            # What the sweep reads: open promised deadlines still without their card.
            models.Index(
                fields=["due_on"],
                condition=Q(state="open", kind="promised", red_raised=False),
                name="deadline_red_pending",
            ),
            models.Index(
                fields=["yellow_on"],
                condition=Q(state="open", kind="promised", yellow_raised=False),
                name="deadline_yellow_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.get_kind_display()} {self.due_on}"


class ClockPause(models.Model):
    """A period the clock does not count (特别程序, 容缺补交 …)."""

    class Kind(models.TextChoices):
        SPECIAL = "special", "特别程序"
        DEFICIENCY = "deficiency", "容缺补交"

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="clock_pauses"
    )
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.SPECIAL)
    reason = models.CharField("原因", max_length=200)
    started_on = models.DateField("开始")
    ended_on = models.DateField("结束", null=True, blank=True)
    # A pause with a known end (the 容缺 supplement period) ends by itself on that day.
    until = models.DateField("最迟结束", null=True, blank=True)

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


class Card(models.Model):
    """电子监察 yellow or red card: raised once, never deleted, closed with a reason."""

    class Colour(models.TextChoices):
        YELLOW = "yellow", "黄牌（预警）"
        RED = "red", "红牌"

    class Kind(models.TextChoices):
        NEAR_DEADLINE = "near_deadline", "临近承诺期限"
        OVERDUE = "overdue", "超过承诺期限"
        LATE_CORRECTION = "late_correction", "超过 5 个工作日才一次性告知补正"
        SECOND_CORRECTION = "second_correction", "再次要求补正"
        REFUSAL_WITHOUT_REASONS = "refusal_without_reasons", "不予受理或不予批准未说明理由"
        DEFICIENCY_OVERDUE = "deficiency_overdue", "容缺材料逾期未补交"

    COLOUR_OF = {
        Kind.NEAR_DEADLINE: Colour.YELLOW,
        Kind.OVERDUE: Colour.RED,
        Kind.LATE_CORRECTION: Colour.RED,
        Kind.SECOND_CORRECTION: Colour.RED,
        Kind.REFUSAL_WITHOUT_REASONS: Colour.RED,
        Kind.DEFICIENCY_OVERDUE: Colour.YELLOW,  # the office must now decide, by law
    }

    # The deadline and the department are copied from the claimed deadline row in the same
    # statement that writes the card, so the database is not asked to check them again at
    # commit (ADR 0008); Django still refuses to delete what a card refers to.
    deadline = models.ForeignKey(
        Deadline,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cards",
        db_constraint=False,
    )
    # Both are the first column of an index below, so they need none of their own.
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.PROTECT,
        related_name="cards",
        db_index=False,
    )
    department = models.ForeignKey(
        "catalog.Department",
        on_delete=models.PROTECT,
        related_name="cards",
        verbose_name="责任部门",
        db_index=False,
        db_constraint=False,
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cards",
        verbose_name="责任人",
    )
    colour = models.CharField("颜色", max_length=6, choices=Colour.choices)
    kind = models.CharField("类别", max_length=30, choices=Kind.choices)
    reason = models.CharField("原因", max_length=200)
    raised_at = models.DateTimeField("发出时间", auto_now_add=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_reason = models.CharField("关闭理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "监察牌"
        verbose_name_plural = "监察牌"
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="one_card_per_kind")
        ]
        indexes = [models.Index(fields=["department", "closed_at"], name="card_department_open")]

    def __str__(self) -> str:
        return f"{self.get_colour_display()} {self.application}"


class SchedulerLease(models.Model):
    """Only the holder of the lease runs periodic jobs, whatever the number of machines."""

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=100)
    until = models.DateTimeField()

    class Meta:
        verbose_name = "调度租约"
        verbose_name_plural = "调度租约"

    def __str__(self) -> str:
        return f"{self.name} → {self.holder}"


class CardFinding(models.Model):
    """A supervisor's finding on a card: what happened, the conclusion and the measures."""

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="findings")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="监察人员",
    )
    explanation = models.TextField("情况说明")
    conclusion = models.TextField("结论")
    measures = models.TextField("整改措施", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "监察意见"
        verbose_name_plural = "监察意见"

    def __str__(self) -> str:
        return f"{self.card} 意见"
