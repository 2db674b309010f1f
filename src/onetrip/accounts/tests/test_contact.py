"""通知方式: an applicant adds an e-mail address, proven by a code, and notices reach it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from onetrip.accounts import services
from onetrip.accounts.models import EmailVerification, User
from onetrip.audit.models import AuditEvent
from onetrip.notifications.models import OutboxMessage, SandboxDelivery
from onetrip.notifications.selectors import sandbox_email_latest

pytestmark = pytest.mark.django_db
ADDRESS = "zhang.san@Example.COM"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user():
    u = User(username="p1")
    u.set_phone("13900000001")
    u.set_unusable_password()
    u.save()
    return u


def _code(email="zhang.san@example.com") -> str:
    body = sandbox_email_latest(email=email).body
    return body.split("验证码为 ", 1)[1][:6]


def test_an_address_is_used_only_once_its_code_comes_back(user):
    sent = services.email_code_send(user=user, email=ADDRESS, source_ip="10.0.0.1")
    assert sent.email == "zhang.san@example.com"  # the domain is case-insensitive
    user.refresh_from_db()
    assert user.email == ""
    with pytest.raises(services.AccountsError) as wrong:
        services.email_code_confirm(user=user, code="000000")
    assert wrong.value.code == "code_wrong" and "还可尝试 4 次" in wrong.value.message
    services.email_code_confirm(user=user, code=_code())
    user.refresh_from_db()
    assert user.email == "zhang.san@example.com"
    event = AuditEvent.objects.get(action="accounts.email.set")
    assert event.after == {"email": "z***@example.com"}
    assert "zhang.san" not in str(event.after) + event.summary
    # The code was single-use.
    with pytest.raises(services.AccountsError) as again:
        services.email_code_confirm(user=user, code=_code())
    assert again.value.code == "code_expired"


def test_bad_addresses_and_codes_are_refused_and_change_nothing(user):
    for bad in ("", "not-an-address", "a@b", "x" * 250 + "@example.com"):
        with pytest.raises(services.AccountsError) as refused:
            services.email_code_send(user=user, email=bad, source_ip=None)
        assert refused.value.code == "email_invalid" and refused.value.field == "email"
    assert not EmailVerification.objects.exists()
    assert not OutboxMessage.objects.filter(template="email_verify").exists()
    services.email_code_send(user=user, email=ADDRESS, source_ip=None)
    for _ in range(5):
        with pytest.raises(services.AccountsError):
            services.email_code_confirm(user=user, code="111111")
    with pytest.raises(services.AccountsError) as locked:
        services.email_code_confirm(user=user, code=_code())
    assert locked.value.code == "code_locked"
    user.refresh_from_db()
    assert user.email == ""


def test_codes_expire_and_sending_is_rate_limited(user):
    services.email_code_send(user=user, email=ADDRESS, source_ip=None)
    EmailVerification.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(services.AccountsError) as expired:
        services.email_code_confirm(user=user, code=_code())
    assert expired.value.code == "code_expired"
    with pytest.raises(services.AccountsError) as soon:
        services.email_code_send(user=user, email="other@example.com", source_ip=None)
    assert soon.value.code == "too_soon"


def test_status_notices_reach_the_verified_address():
    from onetrip.applications import services as applications
    from onetrip.applications.tests.factories import complete_draft, world
    from onetrip.notifications.services import outbox_deliver_due

    w = world()
    services.email_code_send(user=w.user, email=ADDRESS, source_ip=None)
    services.email_code_confirm(user=w.user, code=_code())
    applications.application_submit(application=complete_draft(w), user=w.user)
    outbox_deliver_due()
    row = OutboxMessage.objects.get(template="application_status", channel="email")
    assert row.address == "zhang.san@example.com" and row.status == "sent"
    mail = SandboxDelivery.objects.filter(channel="email").order_by("-id").first()
    assert "办件进度" in mail.subject
    # Removing the address stops e-mail; the inbox and SMS go on.
    services.email_remove(user=w.user)
    w.user.refresh_from_db()
    assert w.user.email == "" and AuditEvent.objects.filter(action="accounts.email.remove")


@override_settings(ONETRIP_DEMO=True)
def test_the_page_verifies_an_address_with_the_demo_code_on_screen(client, user):
    client.force_login(user)
    page = client.get("/me/contact/").content.decode()
    assert "139****0001" in page and "发送验证码" in page
    r = client.post("/me/contact/", {"form": "send", "email": "nope"})
    assert r.status_code == 400 and "请填写有效的电子邮箱地址" in r.content.decode()
    assert 'value="nope"' in r.content.decode()  # what was typed is kept
    r = client.post("/me/contact/", {"form": "send", "email": ADDRESS}, follow=True)
    page = r.content.decode()
    assert "验证码已发送至 z***@example.com" in page and "data-demo-email" in page
    r = client.post("/me/contact/", {"form": "confirm", "code": "123"})
    assert r.status_code == 400 and "验证码不正确" in r.content.decode()
    r = client.post("/me/contact/", {"form": "confirm", "code": _code()}, follow=True)
    page = r.content.decode()
    assert "邮箱已验证" in page and "通知同时发到邮箱 z***@example.com" in page
    assert "data-demo-inbox" in page and "请验证您接收通知的邮箱" in page  # what arrived there
    r = client.post("/me/contact/", {"form": "remove"}, follow=True)
    assert "已不再通过电子邮件通知您" in r.content.decode()
    user.refresh_from_db()
    assert user.email == ""


def test_the_page_needs_a_sign_in(client):
    r = client.get("/me/contact/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_the_api_sets_an_address_with_its_code(user):
    api = APIClient()
    assert api.get("/api/v1/me/email/").status_code == 401
    api.force_authenticate(user)
    r = api.post("/api/v1/me/email/", {"email": "bad"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "email_invalid"
    r = api.post("/api/v1/me/email/", {"email": ADDRESS, "extra": 1}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "validation_error"
    r = api.post("/api/v1/me/email/", {"email": ADDRESS}, format="json")
    assert r.status_code == 202 and r.json()["expires_at"]
    assert api.get("/api/v1/me/email/").json() == {
        "email": "",
        "pending": "z***@example.com",
    }
    r = api.post("/api/v1/me/email/confirm/", {"code": "000000"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "code_wrong"
    r = api.post("/api/v1/me/email/confirm/", {"code": _code()}, format="json")
    assert r.status_code == 200 and r.json() == {"email": "z***@example.com", "pending": ""}
    assert api.delete("/api/v1/me/email/").status_code == 204
    user.refresh_from_db()
    assert user.email == ""


def test_one_address_gets_at_most_five_codes_an_hour_however_many_accounts_ask():
    sent = 0
    for i in range(7):
        u = User.objects.create(username=f"flood{i}")
        spelled = ADDRESS.upper() if i % 2 else ADDRESS  # the same mailbox, however written
        try:
            services.email_code_send(user=u, email=spelled, source_ip=f"10.0.0.{i}")
            sent += 1
        except services.AccountsError as exc:
            assert exc.code in ("too_soon", "too_many")
    assert sent == 1  # the per-address minute limit holds across accounts
    assert EmailVerification.objects.count() == 1


@override_settings(ONETRIP_DEMO=True)
def test_resend_sends_to_the_waiting_address_again(client, user):
    client.force_login(user)
    client.post("/me/contact/", {"form": "send", "email": ADDRESS})
    page = client.get("/me/contact/").content.decode()
    assert 'value="zhang.san@example.com"' in page and "重新发送验证码" in page
    cache.clear()  # a minute later
    r = client.post("/me/contact/", {"form": "send", "email": "zhang.san@example.com"})
    assert r.status_code == 302
    assert EmailVerification.objects.filter(user=user).count() == 2


def test_the_admin_cannot_change_an_applicants_notice_address(client, user):
    admin = User.objects.create_superuser("root", password="x")
    client.force_login(admin)
    page = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert 'name="email"' not in page  # shown read-only
    staff = User.objects.create_user("officer1", password="x", is_staff=True)
    page = client.get(f"/admin/accounts/user/{staff.pk}/change/").content.decode()
    assert 'name="email"' in page  # staff addresses are the administrator's to keep


def test_a_code_from_an_earlier_mail_says_to_use_the_newest(user, monkeypatch):
    codes = iter([111111, 222222])
    monkeypatch.setattr(services.secrets, "randbelow", lambda _n: next(codes))
    services.email_code_send(user=user, email=ADDRESS, source_ip=None)
    cache.clear()  # a minute later, another address (or another tab)
    services.email_code_send(user=user, email="li.si@example.com", source_ip=None)
    with pytest.raises(services.AccountsError) as old:
        services.email_code_confirm(user=user, code="111111")
    assert old.value.code == "code_superseded" and "l***@example.com" in old.value.message
    assert EmailVerification.objects.get(email="li.si@example.com").attempts == 0
    services.email_code_confirm(user=user, code="222222")
    user.refresh_from_db()
    assert user.email == "li.si@example.com"
