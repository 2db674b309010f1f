"""办件: an application pinned to the catalogue version it was submitted under."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from onetrip.applications.workflow import (
    NATIONAL_CODE,
    PLAIN,
    Action,
    Status,
    event_national_code,
)
from onetrip.core.crypto import EncryptedCharField, EncryptedJSONField

User = settings.AUTH_USER_MODEL


class Application(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", "网上申请"
        WINDOW = "window", "窗口受理"
        API = "api", "接口提交"

    class Delivery(models.TextChoices):
        ELECTRONIC = "electronic", "电子送达（电子证照/下载）"
        POST = "post", "邮寄送达"
        PICKUP = "pickup", "窗口自取"

    tracking_number = models.CharField(
        "申办流水号", max_length=20, unique=True, null=True, blank=True
    )
    query_code = EncryptedCharField("查询码", blank=True, default="")
    item = models.ForeignKey(
        "catalog.Item", on_delete=models.PROTECT, related_name="applications", verbose_name="事项"
    )
    version = models.ForeignKey(
        "catalog.ItemVersion",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name="事项版本",
    )
    department = models.ForeignKey(
        "catalog.Department",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name="办理部门",
    )
    situation = models.CharField("办理情形", max_length=40, blank=True)
    applicant_person = models.ForeignKey(
        "accounts.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name="申请人（自然人）",
    )
    applicant_enterprise = models.ForeignKey(
        "accounts.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name="申请单位",
    )
    owner = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name="申请账号",
    )
    agent = models.ForeignKey(
        "accounts.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications_as_agent",
        verbose_name="代理人",
    )
    channel = models.CharField(
        "申请渠道", max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    stage = models.CharField("当前环节", max_length=12, blank=True)
    data = EncryptedJSONField("表单内容", default=dict, blank=True)
    delivery_method = models.CharField(
        "送达方式", max_length=12, choices=Delivery.choices, default=Delivery.ELECTRONIC
    )
    delivery_address = models.CharField("邮寄地址", max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=80, blank=True, default="")
    correction_count = models.PositiveSmallIntegerField("补正次数", default=0)
    deficiency_due = models.DateField("容缺补交期限", null=True, blank=True)
    originals_checked_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="原件核验人",
    )
    decision_reason = models.TextField("决定理由", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="创建人",
    )

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="uniq_application_idempotency",
            )
        ]
        indexes = [
            models.Index(fields=["department", "status", "stage"]),
            # The sweep looks for 容缺 supplements past their date: few rows have one.
            models.Index(
                fields=["deficiency_due"],
                condition=Q(deficiency_due__isnull=False),
                name="application_deficiency_due",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number or f"草稿 #{self.pk}"

    @property
    def national_code(self) -> int | None:
        return NATIONAL_CODE.get(Status(self.status))

    @property
    def plain_status(self) -> str:
        return PLAIN.get(Status(self.status), self.get_status_display())

    @property
    def applicant_name(self) -> str:
        if self.applicant_enterprise_id:
            return self.applicant_enterprise.name
        return self.applicant_person.real_name if self.applicant_person_id else ""


class StoredFile(models.Model):
    """An upload: stored outside static files under a random name, hashed, typed by content."""

    storage_name = models.CharField(max_length=100, unique=True)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=60)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "上传文件"
        verbose_name_plural = "上传文件"

    def __str__(self) -> str:
        return self.original_name


class ApplicationMaterial(models.Model):
    """How one required material of the pinned version is satisfied."""

    class State(models.TextChoices):
        MISSING = "missing", "未提供"
        UPLOADED = "uploaded", "已上传"
        COMMITMENT = "commitment", "告知承诺"
        SHARED = "shared", "部门共享获取"
        ELICENCE = "elicence", "电子证照"
        DEFICIENT = "deficient", "容缺后补"
        ORIGINAL_CHECKED = "original_checked", "原件已核验"
        FORM = "form", "在线填报"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    code = models.SlugField(max_length=40)
    name = models.CharField("材料名称", max_length=200)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.MISSING)
    file = models.ForeignKey(
        StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "code"], name="uniq_app_material")
        ]

    def __str__(self) -> str:
        return self.name


class SupersededUpload(models.Model):
    """A file the applicant replaced (say, during correction): kept for the record, and still
    readable by those who may see the application."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="superseded_uploads"
    )
    material_code = models.SlugField(max_length=40)
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    superseded_at = models.DateTimeField(auto_now_add=True)
    superseded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "被替换的上传文件"
        verbose_name_plural = "被替换的上传文件"
        ordering = ["superseded_at", "id"]
        indexes = [models.Index(fields=["file"], name="superseded_upload_file")]

    def __str__(self) -> str:
        return f"{self.material_code} · {self.file.original_name}"


class ApplicationEvent(models.Model):
    """One step of the timeline (every transition, and notable records)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("动作", max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    stage = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=20, blank=True)
    note = models.TextField("说明", blank=True)
    # What the officer wrote on a step where it is their working opinion (受理, 容缺受理,
    # 开始办理, 本环节通过): the record keeps it for staff; the applicant reads only ``note``.
    opinion = models.TextField("工作意见", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "办件记录"
        verbose_name_plural = "办件记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application} {self.action}"

    @property
    def national_code(self) -> int | None:
        """The code this step is reported with (DOMAIN §3), or None when no status changed."""
        return event_national_code(self.action, self.from_status, self.to_status)

    @property
    def action_label(self) -> str:
        try:
            return Action(self.action).label
        except ValueError:
            return {
                "visit": "到现场办理",
                "delivery": "送达",
                "assign": "分派",
                "extend": "延长办理期限",
                "supply_deficiency": "补交容缺材料",
            }.get(self.action, self.action)


class Notice(models.Model):
    """A written notice (受理、不予受理、补正、容缺、决定), printable, numbered."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", "受理通知书"
        REFUSAL = "refusal", "不予受理通知书"
        CORRECTION = "correction", "补正材料通知书（一次性告知）"
        DEFICIENCY = "deficiency", "容缺受理通知书"
        APPROVAL = "approval", "准予办理决定书"
        DENIAL = "denial", "不予批准决定书"
        REVOCATION = "revocation", "撤销决定书"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("文书类型", max_length=20, choices=Kind.choices)
    number = models.CharField("文书编号", max_length=40, unique=True)
    reason = models.TextField("理由", blank=True)
    items = models.JSONField("清单", default=list, blank=True)
    # A correction notice keeps keyed fingerprints of every answer and material as they were
    # when it was issued, so the step can say what else the applicant changed (no personal
    # data is kept here).
    baseline = models.JSONField("发出时的填写与材料（指纹）", default=dict, blank=True)
    due = models.DateField("期限", null=True, blank=True)
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    override_reason = models.TextField("监察同意的理由", blank=True)
    override_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Visit(models.Model):
    """Each time the applicant had to appear in person (到办事现场)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="visits")
    reason = models.CharField("到场事由", max_length=200)
    place = models.CharField("地点", max_length=200)
    officer = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="接待人员"
    )
    occurred_at = models.DateTimeField("时间", auto_now_add=True)
    over_promise = models.BooleanField("超出承诺次数", default=False)
    over_promise_reason = models.CharField("超出原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "到场记录"
        verbose_name_plural = "到场记录"
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.application} {self.reason}"


class DeliveryRecord(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="deliveries"
    )
    method = models.CharField("方式", max_length=12, choices=Application.Delivery.choices)
    tracking_no = models.CharField("邮件号", max_length=40, blank=True)
    address = models.CharField("地址", max_length=300, blank=True)
    officer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    delivered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "送达记录"
        verbose_name_plural = "送达记录"

    def __str__(self) -> str:
        return f"{self.application} {self.get_method_display()}"


class Assignment(models.Model):
    """Who held an application at a stage, from when to when (accountability for cards)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments"
    )
    stage = models.CharField("环节", max_length=12, blank=True)
    officer = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="assignments", verbose_name="经办人"
    )
    assigned_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    started_at = models.DateTimeField("开始")
    ended_at = models.DateTimeField("结束", null=True, blank=True)

    class Meta:
        verbose_name = "分派记录"
        verbose_name_plural = "分派记录"
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(ended_at__isnull=True),
                name="one_current_assignment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.officer}"


class DailyCounter(models.Model):
    """Per-day sequence for tracking and notice numbers."""

    name = models.CharField(max_length=20)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="uniq_counter")]

    def __str__(self) -> str:
        return f"{self.name} {self.day} {self.last}"
