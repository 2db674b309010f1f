"""Several workers at once on PostgreSQL: every message delivered exactly once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from onetrip.notifications import services
from onetrip.notifications.models import InboxMessage, OutboxMessage, SandboxDelivery
from onetrip.notifications.tests.conftest import applicant_create


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_fifty_rows_exactly_once():
    for i in range(25):
        user = applicant_create(phone=f"1390000{i:04d}", email="")
        services.outbox_enqueue(
            recipient=user,
            template="application_status",
            context={
                "tracking_number": f"T{i}",
                "item_name": "社保卡申领",
                "status_label": "已受理",
            },
            dedupe_key=f"concurrent:{i}",
            channels=["inbox", "sms"],
        )
    assert OutboxMessage.objects.filter(status="pending").count() == 50

    barrier = threading.Barrier(2)
    sent: list[int] = [0, 0]
    errors: list[BaseException] = []

    def work(slot: int) -> None:
        try:
            barrier.wait(timeout=10)
            while True:
                counts = services.outbox_deliver_batch(limit=5)
                sent[slot] += counts.sent
                if counts.claimed == 0:
                    break
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(slot,)) for slot in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sum(sent) == 50
    assert all(sent), f"both workers should have delivered some rows: {sent}"
    assert OutboxMessage.objects.filter(status="sent", attempts=1).count() == 50
    assert InboxMessage.objects.count() == 25
    assert SandboxDelivery.objects.count() == 25
