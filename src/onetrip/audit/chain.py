"""The hash chain: JSON-safe values and the canonical hash of an event."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import uuid
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.functional import Promise

if TYPE_CHECKING:
    from onetrip.audit.models import AuditEvent

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "summary",
    "before",
    "after",
    "source_ip",
    "prev_hash",
)


def _utc_iso(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.isoformat(timespec="microseconds")


def json_safe(value: Any) -> Any:
    """`value` with Decimal, dates, times, UUIDs, enums and lazy strings turned into JSON types."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return value.replace("\x00", "")  # PostgreSQL's jsonb refuses NUL
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        # As PostgreSQL's jsonb gives them back: -0.0 as 0.0, 1e+16 as an integer.
        if value == 0:
            return 0.0
        return int(value) if value.is_integer() and "e" in repr(value) else value
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((json_safe(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dt.datetime):
        return _utc_iso(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Enum):
        return json_safe(value.value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Decimal | uuid.UUID | Promise):
        return str(value)
    return str(value)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(event: AuditEvent) -> str:
    """SHA-256 of the canonical JSON of every field but `hash` (datetimes ISO 8601 UTC)."""
    payload = {name: getattr(event, name) for name in HASHED_FIELDS}
    payload["occurred_at"] = _utc_iso(payload["occurred_at"])
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def target_key(target: models.Model | tuple[str, str] | None) -> tuple[str, str]:
    """(object_type, object_id) of a saved model instance or an explicit pair; ("", "") for None."""
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        if target.pk is None:
            raise ValueError("审计对象尚未保存，没有标识。")
        return target._meta.label_lower, str(target.pk)
    object_type, object_id = target
    return str(object_type), str(object_id)
