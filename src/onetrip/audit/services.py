"""Appending audit events, inside the caller's transaction so they commit with the change."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.http import HttpRequest
from django.utils import timezone

from onetrip.audit.chain import GENESIS_HASH, event_hash, json_safe, target_key
from onetrip.audit.models import ActorKind, AuditEvent

# pg_advisory_xact_lock key that serialises appends on PostgreSQL ("audit_ch").
ADVISORY_LOCK_KEY = 0x61756469745F6368


def _actor_fields(actor: Any) -> tuple[str, str, str]:
    if actor is None:
        return ActorKind.SYSTEM.value, "", "系统"
    if not getattr(actor, "is_authenticated", False):
        return ActorKind.APPLICANT.value, "", "匿名访客"
    kind = ActorKind.STAFF if actor.is_staff else ActorKind.APPLICANT
    return kind.value, str(actor.pk), str(actor)


def _normal_ip(text: str) -> str | None:
    """The address as the database stores it, or None if it is not an IP address."""
    try:
        address = ipaddress.ip_address(text.strip().split("%")[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return f"::ffff:{address.ipv4_mapped}"
    return str(address)


def _source_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    if getattr(settings, "ONETRIP_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and (ip := _normal_ip(forwarded.split(",")[0])):
            return ip
    return _normal_ip(request.META.get("REMOTE_ADDR", ""))


def _chain_lock(using: str) -> None:
    """Serialise appends. SQLite writers already are (BEGIN IMMEDIATE)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def audit_append(
    *,
    actor: Any,
    action: str,
    target: models.Model | tuple[str, str] | None = None,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event to the chain; call it inside the transaction that makes the change.

    `actor` is a User (staff if is_staff, else applicant) or None for the system. The event is
    written in a nested atomic block, so it commits or rolls back with the caller's transaction.
    """
    return audit_append_many(
        [
            {
                "actor": actor,
                "action": action,
                "target": target,
                "summary": summary,
                "before": before,
                "after": after,
                "request": request,
            }
        ]
    )[0]


def audit_append_many(entries: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append several events in order under one lock and one insert (same keys as
    ``audit_append``); for jobs that record many changes at once."""
    if any(not e.get("action") for e in entries):
        raise ValueError("审计事件必须写明动作。")
    if not entries:
        return []
    using = router.db_for_write(AuditEvent)
    events: list[AuditEvent] = []
    # No savepoint: the events stand or fall with the caller's transaction.
    with transaction.atomic(using=using, savepoint=False):
        _chain_lock(using)
        head = AuditEvent.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        now = timezone.now()
        for entry in entries:
            actor_kind, actor_id, actor_label = _actor_fields(entry.get("actor"))
            object_type, object_id = target_key(entry.get("target"))
            event = AuditEvent(
                seq=seq,
                occurred_at=now,
                actor_kind=actor_kind,
                actor_id=actor_id,
                actor_label=actor_label[:200],
                action=entry["action"],
                object_type=object_type,
                object_id=object_id,
                summary=(entry.get("summary") or "")[:500],
                before=json_safe(entry.get("before")),
                after=json_safe(entry.get("after")),
                source_ip=_source_ip(entry.get("request")),
                prev_hash=prev_hash,
            )
            event.hash = event_hash(event)
            events.append(event)
            seq, prev_hash = seq + 1, event.hash
        _events_write(events, using)
    return events


def _events_write(events: list[AuditEvent], using: str) -> None:
    if len(events) == 1:
        events[0].save(using=using, force_insert=True)
    else:
        AuditEvent.objects.using(using).bulk_create(events, batch_size=1000)
