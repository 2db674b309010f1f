"""Delivery: exactly once, retried with backoff, given up after the maximum, leases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from onetrip.notifications import selectors, services
from onetrip.notifications.channels import SmtpEmailChannel, channel_for
from onetrip.notifications.models import InboxMessage, OutboxMessage, SandboxDelivery
from onetrip.notifications.tests.conftest import FailingSmsChannel, applicant_create
from onetrip.notifications.tests.test_enqueue import enqueue_status

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status


def test_deliver_creates_exactly_one_row_per_message_and_marks_sent(applicant):
    enqueue_status(applicant)
    assert services.outbox_deliver_due() == 3
    assert InboxMessage.objects.count() == 1
    assert SandboxDelivery.objects.count() == 2
    for row in OutboxMessage.objects.all():
        assert row.status == Status.SENT
        assert row.attempts == 1
        assert row.sent_at is not None
        assert row.lease_until is None
        assert row.provider_message_id
    inbox = InboxMessage.objects.get()
    assert inbox.recipient == applicant
    assert inbox.reference == "LZ2026000001"
    assert inbox.outbox.channel == "inbox"
    sms = SandboxDelivery.objects.get(channel="sms")
    assert sms.address == "13912345678"
    assert "失业保险金申领" in sms.body
    email = SandboxDelivery.objects.get(channel="email")
    assert email.subject.startswith("【办件进度】")

    assert services.outbox_deliver_due() == 0
    assert InboxMessage.objects.count() == 1
    assert SandboxDelivery.objects.count() == 2


def test_messages_not_yet_due_wait(applicant):
    enqueue_status(applicant, channels=["inbox"])
    OutboxMessage.objects.update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert services.outbox_deliver_due() == 0
    assert services.outbox_deliver_due(now=timezone.now() + timedelta(minutes=6)) == 1


def test_limit_is_respected(db):
    for i in range(5):
        enqueue_status(applicant_create(phone="", email=""), key=f"k{i}")
    assert services.outbox_deliver_due(limit=2) == 2
    assert OutboxMessage.objects.filter(status=Status.PENDING).count() == 3


@override_settings(ONETRIP_SMS_CHANNEL="failing", ONETRIP_OUTBOX_MAX_ATTEMPTS=4)
def test_failing_channel_is_retried_with_backoff_then_marked_failed(applicant):
    FailingSmsChannel.calls = 0
    enqueue_status(applicant, channels=["sms"])
    now = timezone.now()
    expected_waits = [2, 4, 8]
    for attempt, wait in enumerate(expected_waits, start=1):
        assert services.outbox_deliver_due(now=now) == 0
        row = OutboxMessage.objects.get()
        assert row.status == Status.PENDING
        assert row.attempts == attempt
        assert row.last_error == "短信网关无响应"
        assert row.lease_until is None
        assert row.next_attempt_at == now + timedelta(seconds=wait)
        # Not due again before the backoff has passed.
        assert services.outbox_deliver_batch(now=now + timedelta(seconds=wait - 1)).claimed == 0
        now += timedelta(seconds=wait)
    counts = services.outbox_deliver_batch(now=now)
    assert (counts.claimed, counts.sent, counts.failed) == (1, 0, 1)
    row = OutboxMessage.objects.get()
    assert row.status == Status.FAILED
    assert row.attempts == 4
    assert row.last_error == "短信网关无响应"
    assert FailingSmsChannel.calls == 4
    # A failed row is never picked up again, however late it is.
    assert services.outbox_deliver_batch(now=now + timedelta(days=1)).claimed == 0
    assert SandboxDelivery.objects.count() == 0


def test_backoff_is_capped_at_one_hour():
    assert services.outbox_backoff(attempts=1) == timedelta(seconds=2)
    assert services.outbox_backoff(attempts=5) == timedelta(seconds=32)
    assert services.outbox_backoff(attempts=30) == timedelta(hours=1)


@override_settings(ONETRIP_SMS_CHANNEL="exploding")
def test_a_buggy_channel_is_recorded_not_fatal(applicant):
    enqueue_status(applicant, channels=["sms", "inbox"])
    assert services.outbox_deliver_due() == 1
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.status == Status.PENDING
    assert sms.last_error == "RuntimeError: boom"


@override_settings(ONETRIP_SMS_CHANNEL="no-such-gateway")
def test_a_misconfigured_channel_is_retried_with_a_clear_error(applicant):
    enqueue_status(applicant, channels=["sms"])
    assert services.outbox_deliver_due() == 0
    assert "没有名为 'no-such-gateway' 的实现" in OutboxMessage.objects.get().last_error


def test_retry_now_puts_failed_rows_back(applicant):
    enqueue_status(applicant, channels=["sms", "inbox"])
    OutboxMessage.objects.filter(channel="sms").update(
        status=Status.FAILED, attempts=8, last_error="x"
    )
    ids = list(OutboxMessage.objects.values_list("pk", flat=True))
    assert services.outbox_retry(message_ids=ids) == 1  # the pending inbox row is untouched
    sms = OutboxMessage.objects.get(channel="sms")
    assert (sms.status, sms.attempts) == (Status.PENDING, 0)
    assert services.outbox_deliver_due() == 2


def test_an_expired_lease_is_claimed_again(applicant):
    enqueue_status(applicant, channels=["inbox"])
    now = timezone.now()
    # A worker claimed the row and died before delivering it.
    claimed, unreadable = services._claim(now=now, limit=10)
    assert len(claimed) == 1 and not unreadable
    row = OutboxMessage.objects.get()
    assert row.status == Status.SENDING
    assert row.lease_until == now + timedelta(seconds=300)
    assert services.outbox_deliver_due(now=now + timedelta(seconds=10)) == 0  # still leased
    assert services.outbox_deliver_due(now=now + timedelta(seconds=301)) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert row.attempts == 2
    assert InboxMessage.objects.count() == 1


def test_a_worker_whose_lease_expired_cannot_mark_or_duplicate(applicant):
    enqueue_status(applicant, channels=["inbox"])
    now = timezone.now()
    (stale,), _ = services._claim(now=now, limit=10)
    # The lease expires; another worker claims and delivers the row.
    assert services.outbox_deliver_due(now=now + timedelta(seconds=301)) == 1
    # The first worker wakes up and tries to deliver its stale claim.
    assert services._deliver_one(stale, now=now) == "lost"
    assert InboxMessage.objects.count() == 1
    assert OutboxMessage.objects.get().attempts == 2


def test_a_row_already_delivered_to_the_inbox_is_not_delivered_twice(applicant):
    """Even if the mark were lost, the inbox message is unique per outbox row."""
    (row,) = enqueue_status(applicant, channels=["inbox"])
    assert services.outbox_deliver_due() == 1
    OutboxMessage.objects.filter(pk=row.pk).update(status=Status.PENDING)
    assert services.outbox_deliver_due() == 1
    assert InboxMessage.objects.count() == 1


@override_settings(
    ONETRIP_EMAIL_CHANNEL="smtp",
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    DEFAULT_FROM_EMAIL="兰州人社 <noreply@rsj.lanzhou.example>",
)
def test_smtp_channel_sends_one_email_with_a_stable_message_id(applicant):
    assert isinstance(channel_for("email"), SmtpEmailChannel)
    (row,) = enqueue_status(applicant, channels=["email"])
    assert services.outbox_deliver_due() == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    expected_id = f"<onetrip-outbox-{row.pk}@rsj.lanzhou.example>"
    assert sent.to == ["zhang@example.cn"]
    assert sent.subject.startswith("【办件进度】失业保险金申领")
    assert sent.extra_headers["Message-ID"] == expected_id
    assert sent.message()["Message-ID"] == expected_id
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert row.provider_message_id == expected_id
    assert SandboxDelivery.objects.count() == 0
    assert services.outbox_deliver_due() == 0
    assert len(mail.outbox) == 1


@override_settings(
    ONETRIP_EMAIL_CHANNEL="smtp",
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=9,  # discard: nothing listens, the connection is refused
    EMAIL_TIMEOUT=2,
)
def test_smtp_failure_becomes_a_retry(applicant):
    enqueue_status(applicant, channels=["email"])
    assert services.outbox_deliver_due() == 0
    row = OutboxMessage.objects.get()
    assert row.status == Status.PENDING
    assert row.last_error.startswith("邮件发送失败")


def test_login_code_reaches_the_sandbox_phone_and_is_not_kept_in_the_outbox(db):
    before = timezone.now()
    (row,) = services.outbox_enqueue(
        recipient=None,
        template="login_code",
        context={"code": "482913", "minutes": 5},
        dedupe_key="login:1",
        address_override={"sms": "13900001234"},
    )
    assert selectors.sandbox_sms_latest(phone="13900001234") is None
    assert services.outbox_deliver_now(message_ids=[row.pk]) == 1
    latest = selectors.sandbox_sms_latest(phone="139 0000 1234", since=before)
    assert latest is not None
    assert "482913" in latest.body
    assert selectors.sandbox_sms_latest(phone="13900001234", since=timezone.now()) is None
    assert selectors.sandbox_sms_latest(phone="13800000000") is None
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert "482913" not in row.body
    assert services.outbox_deliver_now(message_ids=[row.pk]) == 0


def test_sandbox_sms_latest_returns_the_newest(db):
    for n, code in enumerate(["111111", "222222"]):
        services.outbox_enqueue(
            recipient=None,
            template="login_code",
            context={"code": code, "minutes": 5},
            dedupe_key=f"login:{n}",
            address_override={"sms": "13900001234"},
        )
    services.outbox_deliver_due()
    assert "222222" in selectors.sandbox_sms_latest(phone="13900001234").body


@override_settings(ONETRIP_SMS_CHANNEL="failing", ONETRIP_OUTBOX_MAX_ATTEMPTS=1)
def test_outbox_stats_counts_by_status_and_channel(applicant):
    enqueue_status(applicant)
    services.outbox_deliver_due()
    enqueue_status(applicant, key="second", channels=["inbox"])
    stats = selectors.outbox_stats()
    assert stats["total"] == 4
    assert stats["by_status"] == {"pending": 1, "sending": 0, "sent": 2, "failed": 1}
    assert stats["by_channel"]["sms"]["failed"] == 1
    assert stats["by_channel"]["inbox"] == {"pending": 1, "sending": 0, "sent": 1, "failed": 0}
    assert stats["oldest_pending_at"] is not None


def test_a_batch_of_one_channel_is_delivered_together_exactly_once(applicant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(20):
        enqueue_status(applicant, key=f"application:{i}:accepted", channels=["inbox"])
    # One was delivered before its mark was lost: it keeps its single inbox message.
    first = OutboxMessage.objects.order_by("id").first()
    services.outbox_deliver_now(message_ids=[first.pk])
    OutboxMessage.objects.filter(pk=first.pk).update(status=Status.PENDING)
    with CaptureQueriesContext(connection) as queries:
        assert services.outbox_deliver_due() == 20
    assert len(queries) < 15  # not three statements per message
    assert InboxMessage.objects.count() == 20
    rows = list(OutboxMessage.objects.all())
    assert {r.status for r in rows} == {Status.SENT}
    assert len({r.provider_message_id for r in rows}) == 20
    assert all(r.provider_message_id == f"inbox:{r.inbox_message.pk}" for r in rows)


def test_a_row_that_cannot_go_does_not_hold_back_its_batch(applicant):
    for i in range(3):
        enqueue_status(applicant, key=f"application:{i}:accepted", channels=["sms"])
    broken = OutboxMessage.objects.order_by("id").first()
    OutboxMessage.objects.filter(pk=broken.pk).update(address="")
    assert services.outbox_deliver_due() == 2
    broken.refresh_from_db()
    assert broken.status == Status.PENDING and "没有发送地址" in broken.last_error
    assert SandboxDelivery.objects.count() == 2


def test_login_codes_delivered_together_are_not_kept_in_the_outbox(db):
    for i, phone in enumerate(["13900001234", "13900005678"]):
        services.outbox_enqueue(
            recipient=None,
            template="login_code",
            context={"code": f"48291{i}", "minutes": 5},
            dedupe_key=f"login:{i}",
            address_override={"sms": phone},
        )
    assert services.outbox_deliver_due() == 2
    assert all(row.body == services.REDACTED_BODY for row in OutboxMessage.objects.all())
    assert "482911" in selectors.sandbox_sms_latest(phone="13900005678").body


def test_a_broken_batch_path_is_logged_and_every_row_still_goes(applicant, monkeypatch, caplog):
    from onetrip.notifications.channels import InboxChannel

    def broken(self, messages):
        raise TypeError("bug")

    monkeypatch.setattr(InboxChannel, "deliver_many", broken)
    for i in range(3):
        enqueue_status(applicant, key=f"application:{i}:accepted", channels=["inbox"])
    monkeypatch.setattr(InboxChannel, "deliver", lambda self, m: f"inbox:one:{m.pk}")
    assert services.outbox_deliver_due() == 3
    assert "batch delivery on inbox failed" in caplog.text


def test_a_row_written_under_another_field_key_does_not_stop_the_others(applicant, settings):
    """A node once ran with the wrong ONETRIP_FIELD_KEY: its row cannot be read here. It is
    put back for a later attempt; every other row is delivered now."""
    settings.ONETRIP_FIELD_KEY = "a key another node had"
    enqueue_status(applicant, channels=["sms"], key="wrong-key")
    settings.ONETRIP_FIELD_KEY = ""
    enqueue_status(applicant, channels=["sms"], key="right-key")
    counts = services.outbox_deliver_batch()
    assert (counts.claimed, counts.sent, counts.retrying) == (2, 1, 1)
    bad = OutboxMessage.objects.filter(dedupe_key__startswith="wrong-key").values(
        "status", "attempts", "last_error"
    )[0]
    assert bad["status"] == Status.PENDING and bad["attempts"] == 1
    assert "ONETRIP_FIELD_KEY" in bad["last_error"]
    assert OutboxMessage.objects.filter(dedupe_key__startswith="right-key").get().status == (
        Status.SENT
    )
