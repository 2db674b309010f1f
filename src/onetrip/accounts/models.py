"""People who use onetrip and the roles staff hold in departments."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from onetrip.core.crypto import EncryptedCharField, lookup_hash, mask_phone


class User(AbstractUser):
    """A login: a staff member (password + TOTP) or an applicant (phone + one-time code)."""

    display_name = models.CharField("姓名", max_length=100, blank=True)
    phone = EncryptedCharField("手机号码", blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True,
                                  editable=False)

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
