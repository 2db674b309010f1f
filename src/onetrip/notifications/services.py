"""Writes to notifications: enqueue outbox rows, deliver them, mark inbox messages read.

Enqueueing happens inside the caller's transaction, so a message exists exactly when the change
that caused it was committed. Delivery happens later, in the worker: rows are claimed with a
lease (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock on SQLite), delivered,
and marked sent or scheduled for a retry with exponential backoff.

Each claim increments ``attempts``, and the "sent" and "failed" marks only apply while
``attempts`` still has the claimed value: a worker whose lease expired and whose row was claimed
again cannot overwrite the newer claim. For channels that only write rows (site inbox, sandbox)
the channel's row and the "sent" mark are one transaction, and the channel's row is unique per
outbox row, so those messages are never duplicated. An external channel (SMTP, an SMS gateway)
can repeat a send only if a worker dies between sending and marking; e-mails then carry the same
Message-ID.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.constants import OnConflict
from django.utils import timezone

from onetrip.accounts.models import User
from onetrip.notifications import selectors, wakeup
from onetrip.notifications.channels import DeliveryError, channel_for
from onetrip.notifications.messages import (
    CHANNELS,
    MessageTemplateError,
    message_template_get,
)
from onetrip.notifications.models import InboxMessage, OutboxMessage

logger = logging.getLogger("onetrip.notifications")

Status = OutboxMessage.Status

BACKOFF_CAP_SECONDS = 3600
REDACTED_BODY = "（含验证码等敏感内容，发送后不再保存）"

Outcome = Literal["sent", "retrying", "failed", "lost"]


class OutboxError(ValueError):
    """A call to the outbox that cannot be honoured (bad arguments, not a delivery failure)."""


def _max_attempts() -> int:
    return max(1, int(getattr(settings, "ONETRIP_OUTBOX_MAX_ATTEMPTS", 8)))


def _lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "ONETRIP_OUTBOX_LEASE_SECONDS", 300)))


def outbox_backoff(*, attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed tries: 2, 4, 8 … s, at most 1 h."""
    return timedelta(seconds=min(2 ** max(attempts, 0), BACKOFF_CAP_SECONDS))


# --- enqueue --------------------------------------------------------------------------------


def _address_for(channel: str, recipient: User | None, overrides: Mapping[str, str]) -> str | None:
    """The address to capture now, or None when the channel cannot reach this person."""
    if channel == "inbox":
        return "" if recipient is not None else None
    if channel in overrides:
        value = overrides[channel]
    elif recipient is not None:
        value = recipient.phone if channel == "sms" else recipient.email
    else:
        value = ""
    value = "".join(str(value or "").split())
    return value or None


def outbox_enqueue(
    *,
    recipient: User | None,
    template: str,
    context: Mapping[str, Any],
    dedupe_key: str,
    channels: list[str] | None = None,
    reference: str = "",
    address_override: Mapping[str, str] | None = None,
) -> list[OutboxMessage]:
    """Write outbox rows for ``recipient`` in the caller's transaction; return the new rows.

    ``channels`` defaults to every channel the template has: the site inbox, SMS when the
    recipient has a phone, e-mail when they have an address. A channel that cannot reach the
    recipient is skipped. Each row's dedupe key is ``f"{dedupe_key}:{channel}"``; a key that
    already exists is skipped, so repeating the same change never enqueues twice.
    ``address_override`` (``{"sms": "139…"}``) sends to an address without a user, e.g. a login
    code for a phone that has no account yet (``recipient=None``).
    """
    message_template = message_template_get(template)
    dedupe_key = (dedupe_key or "").strip()
    if not dedupe_key:
        raise OutboxError("去重键不能为空")
    overrides = dict(address_override or {})
    unknown = set(overrides) - {"sms", "email"}
    if unknown:
        raise OutboxError(f"只能为短信和电子邮件指定地址，不能为：{'、'.join(sorted(unknown))}")
    if recipient is None and not overrides:
        raise OutboxError("需要收件人或发送地址")
    if channels is None:
        wanted = list(message_template.channels)
    else:
        wanted = list(dict.fromkeys(channels))
        unknown = set(wanted) - set(CHANNELS)
        if unknown:
            raise OutboxError(f"未知的消息渠道：{'、'.join(sorted(unknown))}")
        missing = [c for c in wanted if c not in message_template.channels]
        if missing:
            raise MessageTemplateError(
                f"消息模板 {template} 没有以下渠道的内容：{'、'.join(missing)}"
            )
    # Render everything first: a missing variable is an error even when every row exists.
    texts = {c: message_template.render(channel=c, context=context) for c in wanted}

    rows: list[OutboxMessage] = []
    for channel in wanted:
        key = f"{dedupe_key}:{channel}"
        if len(key) > 255:
            raise OutboxError("去重键过长（最多 255 个字符）")
        address = _address_for(channel, recipient, overrides)
        if address is None:
            logger.info("outbox: %s skipped for %s (no address)", channel, key)
            continue
        rows.append(
            OutboxMessage(
                recipient=recipient,
                channel=channel,
                address=address,
                template=template,
                subject=texts[channel].subject[:200],
                body=texts[channel].body,
                reference=reference,
                dedupe_key=key,
            )
        )
    return _rows_write(rows)


def _rows_write(rows: list[OutboxMessage]) -> list[OutboxMessage]:
    """Insert the rows whose dedupe key is new, in one statement; the rows written.

    ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (``INSERT OR IGNORE`` on SQLite, which would
    also skip a row breaking NOT NULL; every row here is built complete): a key that exists, or
    that a concurrent transaction is writing, is skipped without an error, so no savepoint is
    needed.
    """
    if not rows:
        return []
    meta = OutboxMessage._meta
    db = router.db_for_write(OutboxMessage)
    by_key = {r.dedupe_key: r for r in rows}
    fresh = list(by_key.values())
    fields = [f for f in meta.local_concrete_fields if not f.primary_key]
    # As bulk_create does: no more rows per statement than the database takes parameters for.
    size = connections[db].ops.bulk_batch_size(fields, fresh) or len(fresh)
    written = []
    for start in range(0, len(fresh), size):
        written += OutboxMessage.objects.using(db)._insert(
            fresh[start : start + size],
            fields=fields,
            returning_fields=[meta.pk, meta.get_field("dedupe_key")],
            on_conflict=OnConflict.IGNORE,
        )
    created = []
    for returned in written:
        if returned is None:  # one row, skipped: the driver's single-row answer is None
            continue
        pk, key = returned
        row = by_key[key]
        row.pk = pk
        row._state.adding = False
        row._state.db = db
        created.append(row)
    if created:
        transaction.on_commit(wakeup.notify)
    return created


def inbox_enqueue_many(*, template: str, entries: list[Mapping[str, Any]]) -> int:
    """Site-inbox messages for many recipients in one insert (jobs such as the card sweep).

    Each entry has ``recipient``, ``context``, ``dedupe_key`` and optionally ``reference``;
    keys that already exist are skipped, as with ``outbox_enqueue``. Returns the rows written.
    """
    message_template = message_template_get(template)
    if "inbox" not in message_template.channels:
        raise MessageTemplateError(f"消息模板 {template} 没有站内信内容")
    rows = []
    for entry in entries:
        key = f"{entry['dedupe_key']}:inbox"
        if len(key) > 255:
            raise OutboxError("去重键过长（最多 255 个字符）")
        text = message_template.render(channel="inbox", context=entry["context"])
        rows.append(
            OutboxMessage(
                recipient=entry["recipient"],
                channel="inbox",
                address="",
                template=template,
                subject=text.subject[:200],
                body=text.body,
                reference=entry.get("reference", ""),
                dedupe_key=key,
            )
        )
    return len(_rows_write(rows))


# --- delivery -------------------------------------------------------------------------------


@dataclass
class DeliveryCounts:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __iadd__(self, other: DeliveryCounts) -> DeliveryCounts:
        self.claimed += other.claimed
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        return self


class _LeaseLost(Exception):
    pass


def _claim(
    *, now: datetime, limit: int, message_ids: list[int] | None = None
) -> tuple[list[OutboxMessage], list[Outcome]]:
    """Take up to ``limit`` due rows: pending and due, or sending with an expired lease.

    The claimed rows that can be read, and the outcomes of those that cannot (an address
    encrypted under another field key): each of those is put back for a later attempt, as a
    failed delivery would be, so that one unreadable row never holds up the rest.
    """
    db = router.db_for_write(OutboxMessage)
    with transaction.atomic(using=db):
        due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
            status=Status.SENDING, lease_until__lte=now
        )
        query = OutboxMessage.objects.using(db).filter(due)
        if message_ids is not None:
            query = query.filter(pk__in=message_ids)
        query = query.order_by("next_attempt_at", "id")
        if connections[db].features.has_select_for_update_skip_locked:
            query = query.select_for_update(skip_locked=True)
        claimed = {
            pk: (attempts, channel)
            for pk, attempts, channel in query.values_list("pk", "attempts", "channel")[:limit]
        }
        if not claimed:
            return [], []
        OutboxMessage.objects.using(db).filter(pk__in=list(claimed)).update(
            status=Status.SENDING, lease_until=now + _lease(), attempts=F("attempts") + 1
        )
    rows = OutboxMessage.objects.using(db).order_by("next_attempt_at", "id")
    try:
        return list(rows.filter(pk__in=list(claimed))), []
    except ValueError:  # at least one row cannot be decrypted here: read them one by one
        readable, outcomes = [], []
        for pk, (attempts, channel) in claimed.items():
            try:
                readable.append(rows.get(pk=pk))
            except ValueError:
                # Retried like a failed delivery (a node with the right key may take it).
                unread = OutboxMessage(pk=pk, attempts=attempts + 1, channel=channel)
                error = "无法解密发送地址：本节点的 ONETRIP_FIELD_KEY 与写入时的不同"
                outcomes.append(_record_failure(unread, error=error, now=now))
        return readable, outcomes


def _is_sensitive(template: str) -> bool:
    try:
        return message_template_get(template).sensitive
    except MessageTemplateError:
        return False


def _mine(message: OutboxMessage):
    """The row, only while this worker's claim is still the latest one."""
    return OutboxMessage.objects.filter(
        pk=message.pk, status=Status.SENDING, attempts=message.attempts
    )


def _sent_fields(message: OutboxMessage, provider_id: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "status": Status.SENT,
        "sent_at": timezone.now(),
        "provider_message_id": (provider_id or "")[:255],
        "lease_until": None,
        "last_error": "",
    }
    if _is_sensitive(message.template):
        fields["body"] = REDACTED_BODY
    return fields


def _record_failure(message: OutboxMessage, *, error: str, now: datetime) -> Outcome:
    final = message.attempts >= _max_attempts()
    fields: dict[str, Any] = {"last_error": error[:2000], "lease_until": None}
    if final:
        fields["status"] = Status.FAILED
    else:
        fields["status"] = Status.PENDING
        fields["next_attempt_at"] = now + outbox_backoff(attempts=message.attempts)
    _mine(message).update(**fields)
    logger.warning(
        "outbox %s (%s) attempt %s failed%s: %s",
        message.pk,
        message.channel,
        message.attempts,
        ", giving up" if final else "",
        error,
    )
    return "failed" if final else "retrying"


def _deliver_one(message: OutboxMessage, *, now: datetime) -> Outcome:
    """Deliver one claimed row; return "sent", "retrying", "failed" or "lost"."""
    if message.attempts > _max_attempts():  # a worker died while holding it, too often
        return _record_failure(message, error="多次发送中断，已停止重试", now=now)
    try:
        channel = channel_for(message.channel)
        if channel.transactional:
            with transaction.atomic():
                provider_id = channel.deliver(message)
                if not _mine(message).update(**_sent_fields(message, provider_id)):
                    raise _LeaseLost
            return "sent"
        provider_id = channel.deliver(message)
    except _LeaseLost:
        logger.warning("outbox %s: claim expired before delivery finished", message.pk)
        return "lost"
    except (DeliveryError, ImproperlyConfigured) as exc:
        return _record_failure(message, error=str(exc) or exc.__class__.__name__, now=now)
    except Exception as exc:
        logger.exception("outbox %s: channel %s raised", message.pk, message.channel)
        return _record_failure(message, error=f"{exc.__class__.__name__}: {exc}", now=now)
    if not _mine(message).update(**_sent_fields(message, provider_id)):
        logger.warning("outbox %s: sent after its claim expired", message.pk)
    return "sent"


def outbox_deliver_batch(
    *, limit: int = 100, now: datetime | None = None, message_ids: Iterable[int] | None = None
) -> DeliveryCounts:
    """Claim and deliver one batch of due rows (optionally only ``message_ids``)."""
    now = now or timezone.now()
    ids = None if message_ids is None else list(message_ids)
    counts = DeliveryCounts()
    by_channel: dict[str, list[OutboxMessage]] = defaultdict(list)
    claimed, unreadable = _claim(now=now, limit=limit, message_ids=ids)
    for message in claimed:
        counts.claimed += 1
        by_channel[message.channel].append(message)
    for outcome in unreadable:
        counts.claimed += 1
        if outcome == "failed":
            counts.failed += 1
        else:
            counts.retrying += 1
    for code, messages in by_channel.items():
        if len(messages) > 1 and _deliver_together(code, messages):
            counts.sent += len(messages)
            continue
        for message in messages:
            outcome = _deliver_one(message, now=now)
            if outcome == "sent":
                counts.sent += 1
            elif outcome == "retrying":
                counts.retrying += 1
            elif outcome == "failed":
                counts.failed += 1
    return counts


def _deliver_together(code: str, messages: list[OutboxMessage]) -> bool:
    """Deliver claimed rows of one transactional channel (rows only) in one transaction.

    False, with nothing written, when the channel sends outside the database, when any row
    cannot go or has run out of attempts, or when any claim has expired: each row is then
    delivered on its own, with its own outcome.
    """
    if any(m.attempts > _max_attempts() for m in messages):
        return False
    try:
        channel = channel_for(code)
        if not channel.transactional:
            return False
        with transaction.atomic():
            provider_ids = channel.deliver_many(messages)
            groups: dict[tuple[int, bool], list[OutboxMessage]] = defaultdict(list)
            for m in messages:
                groups[(m.attempts, _is_sensitive(m.template))].append(m)
            for (attempts, _sensitive), group in groups.items():
                fields = _sent_fields(group[0], "")
                fields["provider_message_id"] = Case(
                    *[When(pk=m.pk, then=Value(provider_ids[m.pk][:255])) for m in group],
                    output_field=CharField(),
                )
                mine = OutboxMessage.objects.filter(
                    pk__in=[m.pk for m in group], status=Status.SENDING, attempts=attempts
                )
                if mine.update(**fields) != len(group):
                    raise _LeaseLost
    except (_LeaseLost, DeliveryError, ImproperlyConfigured, IntegrityError):
        return False  # every row is tried again on its own, with its own outcome
    except Exception:
        logger.exception("outbox: batch delivery on %s failed; delivering one by one", code)
        return False
    return True


def outbox_deliver_due(*, limit: int = 100, now: datetime | None = None) -> int:
    """Deliver up to ``limit`` due messages; return how many were sent."""
    return outbox_deliver_batch(limit=limit, now=now).sent


def outbox_deliver_now(*, message_ids: Iterable[int]) -> int:
    """Deliver these rows right away if still due (e.g. a login code, from on_commit)."""
    ids = list(message_ids)
    if not ids:
        return 0
    return outbox_deliver_batch(limit=len(ids), message_ids=ids).sent


def outbox_retry(*, message_ids: Iterable[int]) -> int:
    """Put failed rows back in the queue, due now, with a fresh attempt count."""
    return OutboxMessage.objects.filter(pk__in=list(message_ids), status=Status.FAILED).update(
        status=Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        lease_until=None,
    )


# --- the inbox ------------------------------------------------------------------------------


def inbox_mark_read(*, user: User, message_id: int) -> InboxMessage:
    """Mark one of ``user``'s messages read (404 for anyone else's); return it."""
    message = selectors.inbox_message_get(user=user, message_id=message_id)
    if message.read_at is None:
        now = timezone.now()
        InboxMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
        message.read_at = now
    return message


def inbox_mark_all_read(*, user: User) -> int:
    """Mark every unread message of ``user`` read; return how many changed."""
    return InboxMessage.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


__all__ = [
    "DeliveryCounts",
    "DeliveryError",
    "OutboxError",
    "inbox_mark_all_read",
    "inbox_mark_read",
    "outbox_backoff",
    "outbox_deliver_batch",
    "outbox_deliver_due",
    "outbox_deliver_now",
    "outbox_enqueue",
    "outbox_retry",
]
