"""outbox_enqueue: in the caller's transaction, once per key and channel, skipping the
channels a person cannot be reached on."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from onetrip.notifications import services
from onetrip.notifications.messages import MessageTemplateError
from onetrip.notifications.models import OutboxMessage
from onetrip.notifications.tests.conftest import applicant_create

pytestmark = pytest.mark.django_db

STATUS_CONTEXT = {
    "tracking_number": "LZ2026000001",
    "item_name": "失业保险金申领",
    "status_label": "已受理",
    "next_step": "请等待审核。",
}


def enqueue_status(user, key="application:1:accepted", **kwargs):
    return services.outbox_enqueue(
        recipient=user,
        template="application_status",
        context=STATUS_CONTEXT,
        dedupe_key=key,
        reference="LZ2026000001",
        **kwargs,
    )


def test_default_channels_inbox_sms_and_email_with_rendered_text(applicant):
    rows = enqueue_status(applicant)
    assert sorted(r.channel for r in rows) == ["email", "inbox", "sms"]
    by_channel = {r.channel: r for r in rows}
    assert by_channel["inbox"].address == ""
    assert by_channel["sms"].address == "13912345678"
    assert by_channel["email"].address == "zhang@example.cn"
    assert by_channel["sms"].dedupe_key == "application:1:accepted:sms"
    assert "失业保险金申领" in by_channel["inbox"].body
    assert by_channel["inbox"].subject == "办件进度：失业保险金申领 已受理"
    for row in rows:
        assert row.status == OutboxMessage.Status.PENDING
        assert row.reference == "LZ2026000001"
        assert row.template == "application_status"


def test_address_is_encrypted_at_rest(applicant):
    enqueue_status(applicant, channels=["sms"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM notifications_outboxmessage")
        (stored,) = cursor.fetchone()
    assert "13912345678" not in stored
    assert OutboxMessage.objects.get().address == "13912345678"


def test_enqueue_in_a_rolled_back_transaction_leaves_nothing(applicant):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_status(applicant)
        assert OutboxMessage.objects.count() == 3
        raise RuntimeError("the change that caused the message failed")
    assert OutboxMessage.objects.count() == 0


def test_enqueue_twice_with_the_same_key_gives_one_row_per_channel(applicant):
    first = enqueue_status(applicant)
    second = enqueue_status(applicant)
    assert len(first) == 3
    assert second == []
    assert OutboxMessage.objects.count() == 3
    assert set(OutboxMessage.objects.values_list("dedupe_key", flat=True)) == {
        "application:1:accepted:inbox",
        "application:1:accepted:sms",
        "application:1:accepted:email",
    }


def test_adding_a_channel_later_adds_only_that_channel(applicant):
    enqueue_status(applicant, channels=["inbox"])
    rows = enqueue_status(applicant)
    assert sorted(r.channel for r in rows) == ["email", "sms"]
    assert OutboxMessage.objects.count() == 3


def test_person_without_phone_or_email_gets_only_the_inbox(db):
    user = applicant_create(phone="", email="")
    rows = enqueue_status(user)
    assert [r.channel for r in rows] == ["inbox"]


def test_sms_requested_without_a_phone_is_skipped_not_crashed(db):
    user = applicant_create(phone="", email="")
    assert enqueue_status(user, channels=["sms"]) == []
    assert OutboxMessage.objects.count() == 0


def test_login_code_to_a_phone_without_an_account(db):
    rows = services.outbox_enqueue(
        recipient=None,
        template="login_code",
        context={"code": "123456", "minutes": 5},
        dedupe_key="login:abc",
        address_override={"sms": "139 0000 1234"},
    )
    assert len(rows) == 1
    row = rows[0]
    assert row.channel == "sms"
    assert row.recipient is None
    assert row.address == "13900001234"
    assert "123456" in row.body


def test_inbox_without_recipient_is_skipped(db):
    rows = services.outbox_enqueue(
        recipient=None,
        template="application_status",
        context=STATUS_CONTEXT,
        dedupe_key="k",
        address_override={"sms": "13900001234"},
    )
    assert [r.channel for r in rows] == ["sms"]


def test_bad_input_gives_clear_errors_and_writes_nothing(applicant):
    with pytest.raises(MessageTemplateError, match="未知的消息模板"):
        services.outbox_enqueue(recipient=applicant, template="nope", context={}, dedupe_key="k")
    with pytest.raises(MessageTemplateError, match="缺少变量"):
        services.outbox_enqueue(
            recipient=applicant, template="application_status", context={}, dedupe_key="k"
        )
    with pytest.raises(MessageTemplateError, match="没有以下渠道"):
        services.outbox_enqueue(
            recipient=applicant,
            template="login_code",
            context={"code": "1", "minutes": 5},
            dedupe_key="k",
            channels=["inbox"],
        )
    with pytest.raises(services.OutboxError, match="未知的消息渠道"):
        enqueue_status(applicant, channels=["fax"])
    with pytest.raises(services.OutboxError, match="去重键不能为空"):
        enqueue_status(applicant, key="  ")
    with pytest.raises(services.OutboxError, match="需要收件人"):
        services.outbox_enqueue(
            recipient=None,
            template="login_code",
            context={"code": "1", "minutes": 5},
            dedupe_key="k",
        )
    with pytest.raises(services.OutboxError, match="只能为短信和电子邮件指定地址"):
        enqueue_status(applicant, address_override={"inbox": "x"})
    assert OutboxMessage.objects.count() == 0


def test_repeating_a_single_row_is_skipped_without_an_error(applicant):
    assert len(enqueue_status(applicant, channels=["inbox"])) == 1
    assert enqueue_status(applicant, channels=["inbox"]) == []
    entry = {"recipient": applicant, "context": STATUS_CONTEXT, "dedupe_key": "one"}
    assert services.inbox_enqueue_many(template="application_status", entries=[entry]) == 1
    assert services.inbox_enqueue_many(template="application_status", entries=[entry]) == 0
    assert OutboxMessage.objects.count() == 2


def test_a_large_batch_spans_several_statements_and_writes_each_key_once(applicant):
    entries = [
        {"recipient": applicant, "context": STATUS_CONTEXT, "dedupe_key": f"sweep:{i}"}
        for i in range(1000)  # more rows than one statement takes (bulk_batch_size)
    ]
    assert services.inbox_enqueue_many(template="application_status", entries=entries[:10]) == 10
    assert services.inbox_enqueue_many(template="application_status", entries=entries) == 990
    assert services.inbox_enqueue_many(template="application_status", entries=entries) == 0
    keys = OutboxMessage.objects.values_list("dedupe_key", flat=True)
    assert sorted(keys) == sorted(f"sweep:{i}:inbox" for i in range(1000))
