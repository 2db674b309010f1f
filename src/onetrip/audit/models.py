"""Hash-chained audit events: appended in the caller's transaction, never changed."""

from __future__ import annotations

from django.db import models


class ActorKind(models.TextChoices):
    STAFF = "staff", "工作人员"
    APPLICANT = "applicant", "申请人"
    SYSTEM = "system", "系统"


class AuditEvent(models.Model):
    """One state change. The database refuses UPDATE and DELETE (see audit/sql.py)."""

    seq = models.PositiveBigIntegerField("序号", unique=True, editable=False)
    occurred_at = models.DateTimeField("发生时间", db_index=True)
    actor_kind = models.CharField("操作者类型", max_length=16, choices=ActorKind.choices)
    actor_id = models.CharField("操作者标识", max_length=64, blank=True)
    actor_label = models.CharField("操作者", max_length=200, blank=True)
    action = models.CharField("动作", max_length=100, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象标识", max_length=64, blank=True)
    summary = models.CharField("摘要", max_length=500, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    source_ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    prev_hash = models.CharField("前一哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    @property
    def object_label(self) -> str:
        return f"{self.object_type}#{self.object_id}" if self.object_type else "—"
