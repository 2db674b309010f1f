"""Reads from notifications: a person's inbox, the sandbox SMS for the demo, outbox counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Min, QuerySet
from django.http import Http404

from onetrip.core.crypto import lookup_hash
from onetrip.notifications.models import InboxMessage, OutboxMessage, SandboxDelivery


def inbox_for(*, user) -> QuerySet[InboxMessage]:
    """``user``'s inbox, newest first (empty for an anonymous user)."""
    if not getattr(user, "is_authenticated", False):
        return InboxMessage.objects.none()
    return InboxMessage.objects.filter(recipient=user).order_by("-created_at", "-id")


def inbox_unread_count(*, user) -> int:
    return inbox_for(user=user).filter(read_at__isnull=True).count()


def inbox_message_get(*, user, message_id: int) -> InboxMessage:
    """One of ``user``'s messages; anyone else's is "not found", never "forbidden"."""
    message = inbox_for(user=user).filter(pk=message_id).first()
    if message is None:
        raise Http404("消息不存在")
    return message


def sandbox_sms_latest(*, phone: str, since: datetime | None = None) -> SandboxDelivery | None:
    """The newest SMS the sandbox "sent" to ``phone`` (at or after ``since``), if any."""
    return _sandbox_sent("sms", phone, since).first()


def sandbox_email_latest(*, email: str, since: datetime | None = None) -> SandboxDelivery | None:
    """The newest e-mail the sandbox "sent" to ``email``, if any."""
    return _sandbox_sent("email", email, since).first()


def sandbox_email_recent(*, email: str, limit: int = 5) -> list[SandboxDelivery]:
    """The newest e-mails the sandbox "sent" to ``email`` (the demo shows them)."""
    return list(_sandbox_sent("email", email, None)[:limit])


def _sandbox_sent(channel: str, address: str, since: datetime | None) -> QuerySet:
    """What the sandbox channel "sent" to ``address``, newest first (none for no address)."""
    address = "".join((address or "").split())
    if not address:
        return SandboxDelivery.objects.none()
    query = SandboxDelivery.objects.filter(channel=channel, address_hash=lookup_hash(address))
    if since is not None:
        query = query.filter(created_at__gte=since)
    return query.order_by("-created_at", "-id")


def outbox_stats() -> dict[str, Any]:
    """Counts of outbox rows by status and by channel × status, and the oldest pending row.

    ``{"total": 12, "by_status": {"pending": 2, "sending": 0, "sent": 9, "failed": 1},
    "by_channel": {"inbox": {"pending": 0, …}, "sms": {…}, "email": {…}},
    "oldest_pending_at": datetime | None}``
    """
    statuses = [s.value for s in OutboxMessage.Status]
    channels = [c.value for c in OutboxMessage.Channel]
    by_status = dict.fromkeys(statuses, 0)
    by_channel = {c: dict.fromkeys(statuses, 0) for c in channels}
    rows = (
        OutboxMessage.objects.order_by()
        .values("channel", "status")
        .annotate(n=Count("id"))
        .values_list("channel", "status", "n")
    )
    for channel, status, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        by_channel.setdefault(channel, dict.fromkeys(statuses, 0))[status] = n
    oldest = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).aggregate(
        at=Min("created_at")
    )["at"]
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_channel": by_channel,
        "oldest_pending_at": oldest,
    }
