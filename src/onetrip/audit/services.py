"""Appending audit events, inside the caller's transaction so they commit with the change."""

from __future__ import annotations

from typing import Any

from django.db import connections, models, router, transaction
from django.http import HttpRequest
from django.utils import timezone

from onetrip.audit.chain import GENESIS_HASH, event_hash, json_safe, target_key
from onetrip.audit.models import ActorKind, AuditEvent
from onetrip.core.clientaddr import client_ip

# pg_advisory_xact_lock key that serialises appends on PostgreSQL ("audit_ch").
ADVISORY_LOCK_KEY = 0x61756469745F6368


def _actor_fields(actor: Any) -> tuple[str, str, str]:
    if actor is None:
        return ActorKind.SYSTEM.value, "", "系统"
    if not getattr(actor, "is_authenticated", False):
        return ActorKind.APPLICANT.value, "", "匿名访客"
    kind = ActorKind.STAFF if actor.is_staff else ActorKind.APPLICANT
    return kind.value, str(actor.pk), str(actor)


def _source_ip(request: HttpRequest | None) -> str | None:
    return None if request is None else client_ip(request)


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

    `actor` is a User (staff if is_staff, else applicant) or None for the system. No savepoint
    is taken: the event stands or falls with the caller's transaction.
    """
    if not action:
        raise ValueError("审计事件必须写明动作。")
    actor_kind, actor_id, actor_label = _actor_fields(actor)
    object_type, object_id = target_key(target)
    using = router.db_for_write(AuditEvent)
    with transaction.atomic(using=using, savepoint=False):
        _chain_lock(using)
        seq, prev_hash = _head(using)
        event = AuditEvent(
            seq=seq,
            occurred_at=timezone.now(),
            actor_kind=actor_kind,
            actor_id=actor_id,
            actor_label=actor_label[:200],
            action=action,
            object_type=object_type,
            object_id=object_id,
            summary=summary[:500],
            before=json_safe(before),
            after=json_safe(after),
            source_ip=_source_ip(request),
            prev_hash=prev_hash,
        )
        event.hash = event_hash(event)
        meta = AuditEvent._meta
        ((event.pk,),) = AuditEvent.objects.using(using)._insert(
            [event],
            fields=[f for f in meta.local_concrete_fields if not f.primary_key],
            returning_fields=[meta.pk],
        )
        event._state.adding, event._state.db = False, using
    return event


def _head(using: str) -> tuple[int, str]:
    """The next sequence number and the hash it chains to (call with the chain locked)."""
    table = connections[using].ops.quote_name(AuditEvent._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1")
        head = cursor.fetchone()
    return (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
