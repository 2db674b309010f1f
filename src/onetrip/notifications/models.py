"""Outgoing messages (the outbox), the site inbox, and what the sandbox channels "sent".

An outbox row is written in the same transaction as the change that caused it; the worker
delivers it later through a channel (see channels.py). Each row carries its final text, rendered
when it was enqueued, so a later change to a template never changes a message already promised.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from onetrip.core.crypto import EncryptedCharField


class Channel(models.TextChoices):
    INBOX = "inbox", "站内信"
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"


class OutboxMessage(models.Model):
    """One message to one address through one channel, delivered at most once."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    Channel = Channel

    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name="收件人",
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    address = EncryptedCharField("发送地址", blank=True, default="")
    template = models.CharField("消息模板", max_length=64)
    subject = models.CharField("标题", max_length=200, blank=True, default="")
    body = models.TextField("内容")
    reference = models.CharField("业务编号", max_length=64, blank=True, default="", db_index=True)
    dedupe_key = models.CharField("去重键", max_length=255, unique=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", default=timezone.now)
    lease_until = models.DateTimeField("占用截止时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True, default="")
    provider_message_id = models.CharField("渠道消息编号", max_length=255, blank=True, default="")

    class Meta:
        verbose_name = "待发消息"
        verbose_name_plural = "待发消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_outbox_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.template} · {self.get_status_display()}"


class InboxMessage(models.Model):
    """A message in a person's site inbox (站内信)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inbox_messages",
        verbose_name="收件人",
    )
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    reference = models.CharField("业务编号", max_length=64, blank=True, default="")
    created_at = models.DateTimeField("收到时间", default=timezone.now, editable=False)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    outbox = models.OneToOneField(
        OutboxMessage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbox_message",
        verbose_name="来源消息",
    )

    class Meta:
        verbose_name = "站内信"
        verbose_name_plural = "站内信"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_inbox_recipient_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class SandboxDelivery(models.Model):
    """What a sandbox SMS or e-mail channel would have sent (the demo's "phone" and "mailbox")."""

    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    address = EncryptedCharField("发送地址")
    address_hash = models.CharField(max_length=64, db_index=True, editable=False)
    subject = models.CharField("标题", max_length=200, blank=True, default="")
    body = models.TextField("内容")
    created_at = models.DateTimeField("发送时间", default=timezone.now, editable=False)
    outbox = models.OneToOneField(
        OutboxMessage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sandbox_delivery",
        verbose_name="来源消息",
    )

    class Meta:
        verbose_name = "沙箱发送记录"
        verbose_name_plural = "沙箱发送记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.created_at:%Y-%m-%d %H:%M:%S}"
