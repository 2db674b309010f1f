"""Delivery channels: a small registry with a sandbox implementation for SMS and e-mail.

Each channel code (inbox, sms, email) has one active implementation, chosen by settings:
``ONETRIP_SMS_CHANNEL`` ("sandbox") and ``ONETRIP_EMAIL_CHANNEL`` ("sandbox" or "smtp"). The site
inbox has one implementation. A real SMS gateway registers itself with ``channel_register``::

    channel_register("sms", "aliyun", AliyunSmsChannel)

and is chosen with ``ONETRIP_SMS_CHANNEL=aliyun``. Without code of its own to register it, an
installation names the class instead: ``ONETRIP_SMS_CHANNEL=gateway.sms.AliyunSmsChannel`` (any
importable BaseChannel subclass, or callable returning one).

A channel whose ``transactional`` flag is set writes only database rows; the worker runs its
``deliver`` and the "sent" mark in one transaction, so a crash can never leave a duplicate.
"""

from __future__ import annotations

import smtplib
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from onetrip.core.crypto import lookup_hash
from onetrip.notifications.models import InboxMessage, OutboxMessage, SandboxDelivery


class DeliveryError(Exception):
    """A message could not be delivered now; the worker retries it later."""


class BaseChannel(ABC):
    code: ClassVar[str] = ""
    transactional: ClassVar[bool] = False

    @abstractmethod
    def deliver(self, message: OutboxMessage) -> str:
        """Send ``message``; return the provider's message id, raise DeliveryError on failure."""

    def deliver_many(self, messages: list[OutboxMessage]) -> dict[int, str]:
        """Deliver several rows at once (transactional channels, inside the worker's
        transaction): outbox id → provider's message id; DeliveryError if any cannot go."""
        return {m.pk: self.deliver(m) for m in messages}


def _rows_once(model, messages: list[OutboxMessage], build, prefix: str) -> dict[int, str]:
    """One row of ``model`` per outbox message, written in one insert; a message that has its
    row already (delivered before) keeps it: never a second copy."""
    done = dict(
        model.objects.filter(outbox__in=[m.pk for m in messages]).values_list("outbox_id", "pk")
    )
    fresh = [build(m) for m in messages if m.pk not in done]
    created = model.objects.bulk_create(fresh)
    if any(row.pk is None for row in created):  # a database that returns no ids from a bulk insert
        created = model.objects.filter(outbox__in=[row.outbox_id for row in created])
    for row in created:
        done[row.outbox_id] = row.pk
    return {m.pk: f"{prefix}:{done[m.pk]}" for m in messages}


class InboxChannel(BaseChannel):
    """The site inbox (站内信): the message becomes an InboxMessage row."""

    code = "inbox"
    transactional = True

    def deliver(self, message: OutboxMessage) -> str:
        return self.deliver_many([message])[message.pk]

    def deliver_many(self, messages: list[OutboxMessage]) -> dict[int, str]:
        if any(m.recipient_id is None for m in messages):
            raise DeliveryError("站内信需要收件人")
        return _rows_once(InboxMessage, messages, self._row, "inbox")

    @staticmethod
    def _row(message: OutboxMessage) -> InboxMessage:
        return InboxMessage(
            recipient_id=message.recipient_id,
            subject=message.subject or "通知",
            body=message.body,
            reference=message.reference,
            outbox=message,
        )


class _SandboxChannel(BaseChannel):
    transactional = True

    def deliver(self, message: OutboxMessage) -> str:
        return self.deliver_many([message])[message.pk]

    def deliver_many(self, messages: list[OutboxMessage]) -> dict[int, str]:
        if any(not m.address for m in messages):
            raise DeliveryError("没有发送地址")
        return _rows_once(SandboxDelivery, messages, self._row, "sandbox")

    def _row(self, message: OutboxMessage) -> SandboxDelivery:
        return SandboxDelivery(
            channel=self.code,
            address=message.address,
            address_hash=lookup_hash(message.address),
            subject=message.subject,
            body=message.body,
            outbox=message,
        )


class SandboxSmsChannel(_SandboxChannel):
    """Stores the SMS instead of sending it; the demo login page shows the code from here."""

    code = "sms"


class SandboxEmailChannel(_SandboxChannel):
    """Stores the e-mail instead of sending it."""

    code = "email"


def outbox_message_id(message: OutboxMessage) -> str:
    """A stable Message-ID for an outbox row: a retried e-mail carries the same one."""
    sender = settings.DEFAULT_FROM_EMAIL or ""
    domain = sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else ""
    return f"<onetrip-outbox-{message.pk}@{domain or 'onetrip.invalid'}>"


class SmtpEmailChannel(BaseChannel):
    """E-mail through Django's configured EMAIL_BACKEND (SMTP in production)."""

    code = "email"

    def deliver(self, message: OutboxMessage) -> str:
        if not message.address:
            raise DeliveryError("没有电子邮箱地址")
        message_id = outbox_message_id(message)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers={"Message-ID": message_id, "X-Onetrip-Outbox": str(message.pk)},
        )
        try:
            sent = email.send(fail_silently=False)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"邮件发送失败：{exc.__class__.__name__}: {exc}") from exc
        if not sent:
            raise DeliveryError("邮件服务器未接受该邮件")
        return message_id


ChannelFactory = Callable[[], BaseChannel]

_registry: dict[tuple[str, str], ChannelFactory] = {}

# Which setting names the implementation for each channel code (the inbox has only one).
_SETTINGS = {"sms": "ONETRIP_SMS_CHANNEL", "email": "ONETRIP_EMAIL_CHANNEL"}


def channel_register(code: str, name: str, factory: ChannelFactory) -> None:
    """Make ``factory`` (a BaseChannel subclass or any callable returning one) available as
    implementation ``name`` of channel ``code``; registering the same pair again replaces it."""
    if code not in ("inbox", *_SETTINGS):
        raise ImproperlyConfigured(f"未知的消息渠道：{code!r}")
    _registry[(code, name)] = factory


def channel_implementation_name(code: str) -> str:
    setting = _SETTINGS.get(code)
    if setting is None:
        return "site"
    return getattr(settings, setting, "") or "sandbox"


def channel_for(code: str) -> BaseChannel:
    """The configured implementation of channel ``code``."""
    name = channel_implementation_name(code)
    factory = _registry.get((code, name))
    if factory is None and "." in name:  # a class named by its import path
        try:
            factory = import_string(name)
        except ImportError as exc:
            raise ImproperlyConfigured(f"无法载入消息渠道 {code} 的实现 {name}：{exc}") from None
        _registry[(code, name)] = factory
    if factory is None:
        available = sorted(n for c, n in _registry if c == code)
        raise ImproperlyConfigured(
            f"消息渠道 {code} 没有名为 {name!r} 的实现，可选：{'、'.join(available) or '无'}，"
            "或填写实现类的导入路径"
        )
    return factory()


channel_register("inbox", "site", InboxChannel)
channel_register("sms", "sandbox", SandboxSmsChannel)
channel_register("email", "sandbox", SandboxEmailChannel)
channel_register("email", "smtp", SmtpEmailChannel)
