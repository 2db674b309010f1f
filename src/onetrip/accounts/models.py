"""People who use onetrip and the roles staff hold in departments."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from onetrip.core.crypto import EncryptedCharField, lookup_hash, mask_id_number, mask_phone


class User(AbstractUser):
    """A login: a staff member (password + TOTP) or an applicant (phone + one-time code)."""

    display_name = models.CharField("姓名", max_length=100, blank=True)
    phone = EncryptedCharField("手机号码", blank=True, default="")
    phone_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def set_phone(self, phone: str) -> None:
        self.phone = phone
        self.phone_hash = lookup_hash(phone) if phone else ""


class StaffRole(models.Model):
    """A role a staff member holds in one department (roles are always department-scoped)."""

    class Role(models.TextChoices):
        WINDOW = "window", "窗口受理"
        HANDLER = "handler", "承办"
        CHECKER = "checker", "审核"
        APPROVER = "approver", "批准"
        SUPERVISOR = "supervisor", "监察"
        CATALOGUE = "catalogue", "事项管理"
        ADMINISTRATOR = "administrator", "系统管理"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    department = models.ForeignKey(
        "catalog.Department",
        on_delete=models.CASCADE,
        related_name="staff_roles",
        verbose_name="部门",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "工作人员角色"
        verbose_name_plural = "工作人员角色"
        constraints = [
            models.UniqueConstraint(fields=["user", "department", "role"], name="uniq_staff_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department} · {self.get_role_display()}"


class Person(models.Model):
    """A natural person who applies (自然人), identified by 公民身份号码."""

    user = models.OneToOneField(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        verbose_name="登录账号",
    )
    real_name = models.CharField("姓名", max_length=50)
    id_number = EncryptedCharField("公民身份号码")
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    phone = EncryptedCharField("手机号码", blank=True, default="")
    phone_hash = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    birth_date = models.DateField("出生日期", null=True, blank=True, editable=False)
    gender = models.CharField(
        "性别", max_length=1, blank=True, editable=False, choices=[("M", "男"), ("F", "女")]
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "自然人"
        verbose_name_plural = "自然人"

    def __str__(self) -> str:
        return self.real_name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Enterprise(models.Model):
    """A legal person (法人) identified by 统一社会信用代码."""

    name = models.CharField("单位名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    credit_code_override = models.BooleanField(
        "校验位例外", default=False, help_text="早期试点代码未通过校验但合法，经工作人员核实"
    )
    override_reason = models.CharField("例外说明", max_length=300, blank=True)
    override_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="核实人",
    )
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "法人"
        verbose_name_plural = "法人"

    def __str__(self) -> str:
        return self.name


class Authorisation(models.Model):
    """委托: an agent acts for a person or an enterprise, within a scope, until expiry."""

    principal_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authorisations_given",
        verbose_name="委托人（自然人）",
    )
    principal_enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authorisations_given",
        verbose_name="委托单位",
    )
    agent = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="authorisations", verbose_name="受托人"
    )
    item_codes = models.JSONField(
        "委托事项", default=list, blank=True, help_text="事项实施编码列表；空表示全部事项"
    )
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("截止日期")
    document_reference = models.CharField("委托书编号", max_length=100, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="登记人",
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "委托授权"
        verbose_name_plural = "委托授权"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(principal_person__isnull=False, principal_enterprise__isnull=True)
                    | models.Q(principal_person__isnull=True, principal_enterprise__isnull=False)
                ),
                name="authorisation_one_principal",
            )
        ]

    def __str__(self) -> str:
        principal = self.principal_person or self.principal_enterprise
        return f"{principal} → {self.agent}"

    def in_force(self, on) -> bool:
        """Not revoked, and ``on`` within its period."""
        return self.revoked_at is None and self.valid_from <= on <= self.valid_until

    def covers(self, *, item_code: str, on) -> bool:
        """Whether the authorisation allows acting on ``item_code`` on date ``on``."""
        return self.in_force(on) and (not self.item_codes or item_code in self.item_codes)

    def lets_act_for(self, *, person_id, enterprise_id, item_code: str, on) -> bool:
        """Whether it lets the agent act on ``item_code`` on ``on`` for that principal (the
        enterprise when one is given, else the person)."""
        if enterprise_id is not None:
            principal = self.principal_enterprise_id == enterprise_id
        else:
            principal = self.principal_person_id == person_id
        return principal and self.covers(item_code=item_code, on=on)


class OneTimeCode(models.Model):
    """A login code sent by SMS: single use, short-lived, a few tries."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    source_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"

    def __str__(self) -> str:
        return f"验证码 #{self.pk}"


class EmailVerification(models.Model):
    """A code sent to the e-mail address an applicant wants notices at: the address is used
    only once the code comes back (single use, short-lived, a few tries)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField("电子邮箱", max_length=254)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "邮箱验证码"
        verbose_name_plural = "邮箱验证码"

    def __str__(self) -> str:
        return f"邮箱验证码 #{self.pk}"


class StaffCredential(models.Model):
    """A staff member's second factor (TOTP) and lockout state."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="credential")
    totp_secret = EncryptedCharField("TOTP 密钥", blank=True, default="")
    totp_confirmed_at = models.DateTimeField("绑定时间", null=True, blank=True)
    last_totp_step = models.BigIntegerField(default=0)
    failed_attempts = models.PositiveSmallIntegerField("连续失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = "工作人员凭据"
        verbose_name_plural = "工作人员凭据"

    def __str__(self) -> str:
        return f"{self.user} 的凭据"
