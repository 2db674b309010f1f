"""The worker: `onetrip worker --once`, and the thread `onetrip serve` starts."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from onetrip.notifications.models import InboxMessage, OutboxMessage
from onetrip.notifications.tests.conftest import applicant_create
from onetrip.notifications.tests.test_enqueue import enqueue_status
from onetrip.notifications.worker import start_in_thread, worker_pass


@pytest.mark.django_db
def test_worker_once_delivers_everything_due_in_batches():
    for i in range(7):
        enqueue_status(applicant_create(phone="", email=""), key=f"k{i}")
    counts = worker_pass(limit=3)
    assert (counts.claimed, counts.sent) == (7, 7)
    for i in range(3):
        enqueue_status(applicant_create(phone="", email=""), key=f"again{i}")
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "已发送 3 条" in out.getvalue()
    assert InboxMessage.objects.count() == 10


@pytest.mark.django_db
def test_worker_rejects_a_bad_interval():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--interval"):
        call_command("worker", "--interval", "0")


@pytest.mark.skipif(
    connection.vendor == "sqlite" and connection.settings_dict["NAME"] == ":memory:",
    reason="needs a database the worker thread shares",
)
@pytest.mark.django_db(transaction=True)
def test_worker_thread_delivers_and_stops():
    from django.db import OperationalError

    user = applicant_create(phone="", email="")
    # Enqueue before the thread starts: the test database is SQLite in memory with a shared
    # cache, where a write meeting another connection's read fails at once ("table is
    # locked") instead of waiting, which a real database file does not do.
    enqueue_status(user, key="threaded")
    thread = start_in_thread(interval=0.1)
    try:
        assert thread.daemon and thread.is_alive()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if OutboxMessage.objects.filter(status="sent").exists():
                    break
            except OperationalError:  # the worker is writing; look again
                pass
            time.sleep(0.05)
    finally:
        thread.stop(timeout=10)
    assert not thread.is_alive()
    assert InboxMessage.objects.filter(recipient=user).count() == 1
