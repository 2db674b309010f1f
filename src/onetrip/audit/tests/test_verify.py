"""`onetrip audit verify` and `checkpoint`: tampering, gaps and truncation are named."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from onetrip.audit.selectors import audit_chain_verify
from onetrip.audit.services import audit_append
from onetrip.audit.tests.helpers import after_overwrite, event_delete, protection_disable

pytestmark = pytest.mark.django_db


def _events(count: int) -> list:
    return [
        audit_append(
            actor=None,
            action="application.accept",
            target=("applications.application", str(n)),
            before={"status": "submitted"},
            after={"status": "accepted"},
        )
        for n in range(1, count + 1)
    ]


def _run(*args: str) -> str:
    out = StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def test_verify_reports_an_intact_chain():
    events = _events(3)
    assert _run("verify") == (
        f"审计链完整：共 3 条事件，最后序号 3，哈希 {events[-1].hash[:12]}…\n"
    )


def test_verify_on_an_empty_chain():
    assert "共 0 条事件" in _run("verify")
    assert _run("checkpoint") == f"0 {'0' * 64}\n"
    assert "共 0 条事件" in _run("verify", "--checkpoint", _run("checkpoint"))


def test_raw_sql_edit_is_detected_and_named():
    _events(5)
    protection_disable()
    assert after_overwrite(seq=3, after={"status": "approved"}) == 1
    result = audit_chain_verify(batch_size=2)
    assert not result.ok
    assert result.broken_seq == 3
    assert (result.checked, result.last_seq) == (2, 2)  # events 1 and 2 are still fine
    assert "哈希不符" in result.reason
    with pytest.raises(CommandError) as failure:
        _run("verify")
    message = str(failure.value)
    assert message.startswith("审计链在第 3 条事件处断裂（动作 application.accept，")
    assert "applications.application#3" in message
    assert failure.value.returncode == 1


def test_deleted_middle_event_is_a_gap():
    _events(5)
    protection_disable()
    assert event_delete(seq=3) == 1
    result = audit_chain_verify()
    assert not result.ok and result.broken_seq == 4 and result.last_seq == 2
    assert "第 3 条事件缺失" in result.reason
    with pytest.raises(CommandError, match="第 4 条事件处断裂"):
        _run("verify")


def test_deleted_first_event_is_detected():
    _events(2)
    protection_disable()
    event_delete(seq=1)
    result = audit_chain_verify()
    assert not result.ok and result.broken_seq == 2 and result.checked == 0


def test_checkpoint_prints_the_head_and_catches_a_truncated_tail():
    events = _events(3)
    checkpoint = _run("checkpoint").strip()
    assert checkpoint == f"3 {events[-1].hash}"
    _events(2)
    assert "共 5 条事件" in _run("verify", "--checkpoint", checkpoint)

    protection_disable()
    for seq in (5, 4, 3):
        event_delete(seq=seq)
    assert "共 2 条事件" in _run("verify")  # what is left is a valid chain ...
    with pytest.raises(CommandError, match="检查点中的第 3 条事件已不存在"):
        _run("verify", "--checkpoint", checkpoint)  # ... but not the one that was recorded

    audit_append(actor=None, action="attacker.rewrite")  # a new, well-chained seq 3
    result = audit_chain_verify(checkpoint=(3, events[-1].hash))
    assert not result.ok and result.broken_seq == 3 and "与检查点不符" in result.reason
    with pytest.raises(CommandError, match="第 3 条事件处断裂"):
        _run("verify", "--checkpoint", checkpoint)


def test_checkpoint_must_be_seq_and_hash():
    with pytest.raises(CommandError, match="检查点格式"):
        _run("verify", "--checkpoint", "3 not-a-hash")
