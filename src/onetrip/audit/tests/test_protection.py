"""The database refuses UPDATE, DELETE and (PostgreSQL) TRUNCATE of events; flushing still
works."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from onetrip.audit.models import AuditEvent
from onetrip.audit.selectors import audit_chain_verify
from onetrip.audit.services import audit_append
from onetrip.audit.tests.helpers import after_overwrite, event_delete, events_truncate

pytestmark = pytest.mark.django_db


def test_raw_update_is_refused():
    audit_append(actor=None, action="test.one", after={"status": "draft"})
    with pytest.raises(DatabaseError, match="审计事件只能追加"), transaction.atomic():
        after_overwrite(seq=1, after={"status": "approved"})
    assert AuditEvent.objects.get().after == {"status": "draft"}


def test_raw_delete_is_refused():
    audit_append(actor=None, action="test.one")
    with pytest.raises(DatabaseError, match="审计事件只能追加"), transaction.atomic():
        event_delete(seq=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1


def test_orm_update_is_refused():
    audit_append(actor=None, action="test.one", summary="原摘要")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(summary="改过的摘要")
    assert AuditEvent.objects.get().summary == "原摘要"


@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql():
    audit_append(actor=None, action="test.one")
    with pytest.raises(DatabaseError, match="审计事件只能追加"), transaction.atomic():
        events_truncate()
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_table_and_keeps_the_protection():
    for n in range(3):
        audit_append(actor=None, action="test.flush", summary=f"第 {n + 1} 条")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    audit_append(actor=None, action="test.after_flush")
    with pytest.raises(DatabaseError):
        event_delete(seq=1)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="审计事件只能追加"), transaction.atomic():
            events_truncate()
    # This test leaves an event behind: pytest-django flushes again after it.


@pytest.mark.django_db(transaction=True)
def test_table_is_empty_at_the_start_of_the_next_transactional_test():
    assert not AuditEvent.objects.exists()
    event = audit_append(actor=None, action="test.fresh")
    assert event.seq == 1 and audit_chain_verify().ok
    with pytest.raises(DatabaseError):
        after_overwrite(seq=1, after={})
    assert connection.vendor in {"sqlite", "postgresql"}
