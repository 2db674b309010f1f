"""Concurrent appends on PostgreSQL serialise into one linear chain."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from onetrip.audit.models import AuditEvent
from onetrip.audit.selectors import audit_chain_verify
from onetrip.audit.services import audit_append

THREADS = 8
PER_THREAD = 10


@pytest.mark.postgres
def test_concurrent_appends_form_one_chain_without_gaps(transactional_db):
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            start.wait()
            for n in range(PER_THREAD):
                with transaction.atomic():
                    audit_append(
                        actor=None, action="test.concurrent", target=("test.thing", f"{worker}-{n}")
                    )
                    AuditEvent.objects.count()  # hold the transaction open a little longer
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = THREADS * PER_THREAD
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    assert AuditEvent.objects.values("object_id").distinct().count() == total
    result = audit_chain_verify(batch_size=7)
    assert result.ok and result.checked == total and result.last_seq == total
