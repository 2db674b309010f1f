"""Reading the audit trail: an object's timeline and verification of the whole chain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet

from onetrip.audit.chain import GENESIS_HASH, event_hash, target_key
from onetrip.audit.models import AuditEvent


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a chain walk. `checked`, `last_seq` and `last_hash` describe the intact part."""

    ok: bool
    checked: int
    last_seq: int | None
    last_hash: str | None
    broken_seq: int | None = None
    reason: str = ""
    broken_action: str = ""
    broken_object: str = ""


def audit_events_for(*, target: models.Model | tuple[str, str]) -> QuerySet[AuditEvent]:
    """The events about one object, oldest first."""
    object_type, object_id = target_key(target)
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).order_by("seq")


def audit_timeline(*, target: models.Model) -> list[tuple[AuditEvent, bool]]:
    """The events about one object, oldest first, each with whether it still matches its own
    hash (an event changed behind the application's back no longer does)."""
    return [(e, event_hash(e) == e.hash) for e in audit_events_for(target=target)]


def audit_chain_head() -> tuple[int, str] | None:
    """(seq, hash) of the newest event, or None when there is none."""
    return AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()


def _events_in_order(batch_size: int) -> Iterator[AuditEvent]:
    """All events by seq, `batch_size` rows at a time (keyset pages, constant memory)."""
    after = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=after).order_by("seq")[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        after = batch[-1].seq


def _problem(event: AuditEvent, prev: AuditEvent | None) -> str:
    if event_hash(event) != event.hash:
        return "事件内容与其哈希不符（可能被直接修改）"
    expected_seq = prev.seq + 1 if prev else 1
    if event.seq != expected_seq:
        last_missing = event.seq - 1
        missing = (
            f"第 {expected_seq} 条"
            if expected_seq == last_missing
            else (f"第 {expected_seq} 至 {last_missing} 条")
        )
        return f"序号不连续，{missing}事件缺失（可能被删除）"
    if event.prev_hash != (prev.hash if prev else GENESIS_HASH):
        if prev is None:
            return "第一条事件的前一哈希不是全零"
        return f"前一哈希与第 {prev.seq} 条事件的哈希不符（链被改写）"
    return ""


def audit_chain_verify(
    *, batch_size: int = 5000, checkpoint: tuple[int, str] | None = None
) -> VerifyResult:
    """Walk the chain in seq order, recompute every hash and name the first broken event.

    With `checkpoint` (seq, hash) taken earlier, the chain must still hold that event with that
    hash, which detects a rewritten or truncated tail.
    """
    if batch_size < 1:
        raise ValueError("batch_size 必须为正整数。")
    prev: AuditEvent | None = None
    checked = 0
    for event in _events_in_order(batch_size):
        reason = _problem(event, prev)
        if not reason and checkpoint and event.seq == checkpoint[0] and event.hash != checkpoint[1]:
            reason = f"与检查点不符：检查点记录的哈希为 {checkpoint[1][:12]}…（链被改写）"
        if reason:
            return VerifyResult(
                ok=False,
                checked=checked,
                last_seq=prev.seq if prev else None,
                last_hash=prev.hash if prev else None,
                broken_seq=event.seq,
                reason=reason,
                broken_action=event.action,
                broken_object=event.object_label,
            )
        prev = event
        checked += 1
    last_seq = prev.seq if prev else None
    last_hash = prev.hash if prev else None
    if checkpoint and (last_seq or 0) < checkpoint[0]:
        return VerifyResult(
            ok=False,
            checked=checked,
            last_seq=last_seq,
            last_hash=last_hash,
            broken_seq=(last_seq or 0) + 1,
            reason=f"检查点中的第 {checkpoint[0]} 条事件已不存在"
            f"（链尾被截断，当前最后序号 {last_seq or 0}）",
        )
    return VerifyResult(ok=True, checked=checked, last_seq=last_seq, last_hash=last_hash)


# Checks that records summarised by one event (a digest in ``after``) still match it. Apps
# register theirs in AppConfig.ready(); each returns a list of problems, empty when all match.
_DIGEST_CHECKS: list = []


def digest_check_register(check) -> None:
    if check not in _DIGEST_CHECKS:
        _DIGEST_CHECKS.append(check)


def digest_checks_run() -> list[str]:
    problems: list[str] = []
    for check in _DIGEST_CHECKS:
        problems += check()
    return problems
