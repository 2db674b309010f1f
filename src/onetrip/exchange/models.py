"""Evidence fetched from department registries, its use by applications, and the data-use log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from onetrip.core.crypto import EncryptedCharField, EncryptedJSONField

User = settings.AUTH_USER_MODEL


class Evidence(models.Model):
    """One signed answer of a registry, kept with its provenance (never edited)."""

    subject_hash = models.CharField("数据主体查询摘要", max_length=64, db_index=True)
    person = models.ForeignKey(
        "accounts.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="自然人",
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="单位",
    )
    evidence_type = models.CharField("数据类型", max_length=60)
    provider = models.CharField("提供部门", max_length=30)
    source = models.CharField("来源系统", max_length=80)
    request_id = models.CharField("请求号", max_length=64, unique=True)
    signed_at = models.CharField("签名时间戳", max_length=20)
    digest = models.CharField("摘要（SHA-256）", max_length=64)
    signature = models.CharField("来源签名", max_length=200)
    body = EncryptedCharField("签名原文")
    data = EncryptedJSONField("数据")
    purpose = models.CharField("用途", max_length=200)
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="首次获取的办件",
    )
    fetched_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fetched_at = models.DateTimeField("获取时间", auto_now_add=True)

    class Meta:
        verbose_name = "共享数据（证据）"
        verbose_name_plural = "共享数据（证据）"
        ordering = ["-fetched_at", "-id"]
        indexes = [models.Index(fields=["subject_hash", "evidence_type", "fetched_at"])]

    def __str__(self) -> str:
        return f"{self.evidence_type} {self.request_id}"


class MaterialEvidence(models.Model):
    """How one material of an application is answered by sharing: consent, preview, use."""

    class State(models.TextChoices):
        PREVIEW = "preview", "已获取，待申请人确认"
        USED = "used", "已采用"
        DECLINED = "declined", "申请人选择自行上传"
        FAILED = "failed", "获取失败，需上传"

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="shared_evidence"
    )
    material_code = models.SlugField(max_length=40)
    evidence_type = models.CharField(max_length=60)
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="uses"
    )
    state = models.CharField(max_length=10, choices=State.choices)
    purpose = models.CharField("用途", max_length=200)
    consented_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consented_at = models.DateTimeField(null=True, blank=True)
    failure_code = models.CharField(max_length=30, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "材料共享记录"
        verbose_name_plural = "材料共享记录"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "material_code"], name="uniq_material_evidence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.material_code} {self.state}"


AGENT_VIEW_DEPARTMENT = "受托代办"  # DataUse.department of a view by an agent (代办人)


class DataUse(models.Model):
    """谁使用了我的数据: every fetch of a person's data and every staff view of it."""

    class Kind(models.TextChoices):
        FETCH = "fetch", "从部门获取"
        REUSE = "reuse", "复用有效期内的数据"
        FAILED = "failed", "获取失败"
        VIEW = "view", "工作人员查看"

    person = models.ForeignKey(
        "accounts.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("方式", max_length=10, choices=Kind.choices)
    evidence_type = models.CharField("数据类型", max_length=60, blank=True)
    department = models.CharField("部门", max_length=100)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField("角色", max_length=40, blank=True)
    purpose = models.CharField("用途", max_length=200)
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    request_id = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "数据使用记录"
        verbose_name_plural = "数据使用记录"
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["person", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.evidence_type}"

    @property
    def kind_label(self) -> str:
        """What was done, in words; a view by an agent is not a staff view."""
        if self.kind == self.Kind.VIEW and self.department == AGENT_VIEW_DEPARTMENT:
            return "代办人查看"
        return self.get_kind_display()

    @property
    def type_label(self) -> str:
        from onetrip.exchange.registry import evidence_type_get

        kind = evidence_type_get(self.evidence_type)
        return kind.name if kind else self.evidence_type
