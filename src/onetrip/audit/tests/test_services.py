"""Appending events: the chain, the caller's transaction, actors, targets and values."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import RequestFactory

from onetrip.accounts.models import User
from onetrip.audit.chain import GENESIS_HASH, event_hash
from onetrip.audit.models import AuditEvent
from onetrip.audit.selectors import audit_chain_head, audit_chain_verify, audit_events_for
from onetrip.audit.services import audit_append

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return User.objects.create_user(username="officer", display_name="王窗口", is_staff=True)


@pytest.fixture
def applicant():
    return User.objects.create_user(username="13800000000", display_name="张三")


def test_appends_form_a_chain_that_verifies(officer, applicant):
    first = audit_append(
        actor=None, action="catalog.version.publish", target=("catalog.itemversion", "7")
    )
    second = audit_append(
        actor=applicant,
        action="application.submit",
        target=("applications.application", "42"),
        summary="提交申请",
        after={"status": "submitted"},
    )
    third = audit_append(
        actor=officer,
        action="application.accept",
        target=("applications.application", "42"),
        summary="受理",
        before={"status": "submitted"},
        after={"status": "accepted"},
    )
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert (first.actor_kind, first.actor_label) == ("system", "系统")
    assert (second.actor_kind, second.actor_id, second.actor_label) == (
        "applicant",
        str(applicant.pk),
        "张三",
    )
    assert (third.actor_kind, third.actor_label) == ("staff", "王窗口")

    result = audit_chain_verify(batch_size=2)
    assert result.ok and result.checked == 3
    assert (result.last_seq, result.last_hash) == (3, third.hash)
    assert result.broken_seq is None
    assert audit_chain_head() == (3, third.hash)


def test_hash_is_sha256_of_the_canonical_json_without_hash(applicant):
    event = audit_append(
        actor=applicant, action="application.submit", target=("applications.application", "1")
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    payload = {
        "seq": 1,
        "occurred_at": stored.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_kind": "applicant",
        "actor_id": str(applicant.pk),
        "actor_label": "张三",
        "action": "application.submit",
        "object_type": "applications.application",
        "object_id": "1",
        "summary": "",
        "before": None,
        "after": None,
        "source_ip": None,
        "prev_hash": GENESIS_HASH,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert stored.hash == hashlib.sha256(canonical.encode()).hexdigest() == event_hash(stored)


def test_event_in_a_rolled_back_transaction_leaves_no_trace():
    audit_append(actor=None, action="test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_append(actor=None, action="test.lost", summary="状态变更失败")
        raise RuntimeError("the state change failed")
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.kept"]
    assert audit_append(actor=None, action="test.next").seq == 2
    assert audit_chain_verify().ok


def test_model_target_and_timeline(officer, applicant):
    audit_append(actor=officer, action="account.update", target=applicant, summary="更正姓名")
    audit_append(actor=officer, action="account.update", target=officer)
    audit_append(actor=None, action="account.lock", target=("accounts.user", str(applicant.pk)))
    timeline = audit_events_for(target=applicant)
    assert [(e.object_type, e.action) for e in timeline] == [
        ("accounts.user", "account.update"),
        ("accounts.user", "account.lock"),
    ]
    assert [e.seq for e in timeline] == [1, 3]


def test_unsaved_target_is_refused():
    with pytest.raises(ValueError, match="尚未保存"):
        audit_append(actor=None, action="x.y", target=User(username="nobody"))


def test_values_are_made_json_safe_and_still_verify():
    moment = dt.datetime(2024, 1, 2, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    event = audit_append(
        actor=None,
        action="test.values",
        before={"fee": Decimal("12.50"), "day": dt.date(2024, 1, 2), "at": moment},
        after={"id": ident, "tags": {"b", "a"}, 3: (1, 2), "big": 1e16, "zero": -0.0, "x": 0.1},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.before == {
        "fee": "12.50",
        "day": "2024-01-02",
        "at": "2024-01-02T00:30:00.000000+00:00",
    }
    assert stored.after["id"] == str(ident)
    assert stored.after["tags"] == ["a", "b"]
    assert stored.after["3"] == [1, 2]
    assert stored.hash == event_hash(stored)
    assert audit_chain_verify().ok


def test_source_ip_from_remote_addr_unless_behind_trusted_proxies(settings):
    # The client wrote the first entry itself; the load balancer appended what it saw.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9"
    )
    assert audit_append(actor=None, action="a.b", request=request).source_ip == "10.0.0.5"
    settings.ONETRIP_TRUSTED_PROXIES = 1
    assert audit_append(actor=None, action="a.b", request=request).source_ip == "203.0.113.9"
    settings.ONETRIP_TRUSTED_PROXIES = 2
    assert audit_append(actor=None, action="a.b", request=request).source_ip == "198.51.100.7"
    settings.ONETRIP_TRUSTED_PROXIES = 3  # fewer hops than proxies: not from a proxy at all
    assert audit_append(actor=None, action="a.b", request=request).source_ip == "10.0.0.5"
    settings.ONETRIP_TRUSTED_PROXIES = 0
    v6 = RequestFactory().get("/", REMOTE_ADDR="2001:0db8:0000::0001")
    assert audit_append(actor=None, action="a.b", request=v6).source_ip == "2001:db8::1"
    assert audit_append(actor=None, action="a.b").source_ip is None
    assert audit_chain_verify().ok


def test_long_labels_are_cut_to_fit(officer):
    officer.display_name = "长" * 100
    event = audit_append(actor=officer, action="a.b", summary="摘" * 600)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert len(stored.summary) == 500
    assert audit_chain_verify().ok
