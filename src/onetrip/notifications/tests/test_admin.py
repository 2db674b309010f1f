"""Admin: read-only pages, masked addresses, hidden login codes, and "立即重试"."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from onetrip.accounts.models import User
from onetrip.notifications import services
from onetrip.notifications.models import OutboxMessage, SandboxDelivery
from onetrip.notifications.tests.test_enqueue import enqueue_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("root", "", "pw-123456-x")
    client.force_login(user)
    return client


def test_outbox_admin_is_read_only_and_masks_personal_data(admin_client, applicant):
    enqueue_status(applicant)
    services.outbox_enqueue(
        recipient=None,
        template="login_code",
        context={"code": "482913", "minutes": 5},
        dedupe_key="login:1",
        address_override={"sms": "13900001234"},
    )
    changelist = admin_client.get(reverse("admin:notifications_outboxmessage_changelist"))
    assert changelist.status_code == 200
    html = changelist.content.decode()
    assert "139****5678" in html
    assert "13912345678" not in html
    assert "z***@example.cn" in html
    assert admin_client.get(reverse("admin:notifications_outboxmessage_add")).status_code == 403
    login = OutboxMessage.objects.get(template="login_code")
    page = admin_client.get(
        reverse("admin:notifications_outboxmessage_change", args=[login.pk])
    ).content.decode()
    assert "482913" not in page
    assert "敏感内容" in page
    assert 'name="_save"' not in page


def test_retry_now_action_requeues_failed_rows(admin_client, applicant):
    enqueue_status(applicant, channels=["sms", "inbox"])
    OutboxMessage.objects.filter(channel="sms").update(status="failed", attempts=8)
    response = admin_client.post(
        reverse("admin:notifications_outboxmessage_changelist"),
        {
            "action": "retry_now",
            ACTION_CHECKBOX_NAME: list(OutboxMessage.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已将 1 条发送失败的消息重新排队" in html
    assert "1 条消息不是“发送失败”状态" in html
    assert not OutboxMessage.objects.filter(status="failed").exists()


def test_inbox_and_sandbox_admin_pages_render(admin_client, applicant):
    enqueue_status(applicant)
    services.outbox_deliver_due()
    for name in ("inboxmessage", "sandboxdelivery"):
        assert (
            admin_client.get(reverse(f"admin:notifications_{name}_changelist")).status_code == 200
        )
    delivery = SandboxDelivery.objects.filter(channel="sms").get()
    page = admin_client.get(
        reverse("admin:notifications_sandboxdelivery_change", args=[delivery.pk])
    )
    assert page.status_code == 200
    assert "139****5678" in page.content.decode()
