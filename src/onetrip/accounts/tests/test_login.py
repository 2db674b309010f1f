"""Sign-in: phone codes for applicants, password + TOTP for staff, and their limits."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from django.core.cache import cache
from django.utils import timezone

from onetrip.accounts import services
from onetrip.accounts.models import OneTimeCode, Person, User
from onetrip.notifications.selectors import sandbox_sms_latest

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _code(phone=PHONE) -> str:
    body = sandbox_sms_latest(phone=phone).body
    return "".join(ch for ch in body.split("验证码为")[1][:6])


def test_phone_login_end_to_end_with_identity(client, settings):
    settings.ONETRIP_DEMO = True
    r = client.post("/login/", {"phone": PHONE})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "演示环境" in page and "验证码为" in page
    r = client.post("/login/code/", {"code": _code()})
    assert r["Location"].startswith("/me/identity/")
    r = client.post("/me/identity/", {"real_name": "王五", "id_number": "11010119900307109X"})
    assert r.status_code == 302
    user = User.objects.get(phone_hash__isnull=False, is_staff=False)
    assert user.person.real_name == "王五" and user.person.birth_date == dt.date(1990, 3, 7)
    assert Person.objects.get().id_number == "11010119900307109X"


def test_codes_are_single_use_short_lived_and_limited():
    services.login_code_send(phone=PHONE, source_ip="10.0.0.1")
    code = _code()
    with pytest.raises(services.AccountsError):
        services.login_code_verify(phone=PHONE, code="000000" if code != "000000" else "111111")
    user = services.login_code_verify(phone=PHONE, code=code)
    assert user.phone == PHONE
    with pytest.raises(services.AccountsError) as caught:
        services.login_code_verify(phone=PHONE, code=code)
    assert caught.value.code == "code_expired"
    cache.clear()
    services.login_code_send(phone=PHONE, source_ip="10.0.0.1")
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(services.AccountsError) as caught:
        services.login_code_verify(phone=PHONE, code=_code())
    assert caught.value.code == "code_expired"


def test_wrong_codes_lock_the_code():
    services.login_code_send(phone=PHONE, source_ip=None)
    code = _code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(services.LOGIN_CODE_MAX_TRIES):
        with pytest.raises(services.AccountsError):
            services.login_code_verify(phone=PHONE, code=wrong)
    with pytest.raises(services.AccountsError) as caught:
        services.login_code_verify(phone=PHONE, code=code)
    assert caught.value.code == "code_locked"


def test_rate_limits_per_phone_and_per_address():
    services.login_code_send(phone=PHONE, source_ip="10.0.0.2")
    with pytest.raises(services.AccountsError) as caught:
        services.login_code_send(phone=PHONE, source_ip="10.0.0.2")
    assert caught.value.code == "too_soon"
    for i in range(20):
        services.login_code_send(phone=f"1390000{i:04d}", source_ip="10.0.0.3")
    with pytest.raises(services.AccountsError) as caught:
        services.login_code_send(phone="13700000000", source_ip="10.0.0.3")
    assert caught.value.code == "too_many"


@pytest.mark.parametrize(
    "phone", ["123", "2391234567a", "", "139123456789", "\u0661\u0663\u0669" + "1" * 8]
)
def test_bad_phone_numbers(client, phone):
    r = client.post("/login/", {"phone": phone})
    assert r.status_code == 200 and "11 位手机号码" in r.content.decode()
    assert not OneTimeCode.objects.exists()


@pytest.mark.parametrize("name", ["王\x07五", "王\u200b五", "王\u202e五"])
def test_a_name_with_invisible_characters_is_refused(name):
    user = User.objects.create(username="x")
    user.set_phone(PHONE)
    user.save()
    with pytest.raises(services.AccountsError) as caught:
        services.applicant_identity_bind(user=user, real_name=name, id_number="11010119900307109X")
    assert caught.value.code == "name_invalid"
    assert not Person.objects.exists()
    services.applicant_identity_bind(
        user=user, real_name="阿依古丽·买买提", id_number="11010119900307109X"
    )


def test_a_phone_typed_in_full_width_digits_is_the_same_phone():
    services.login_code_send(phone="１３９１２３４５６７８", source_ip="10.0.0.4")
    with pytest.raises(services.AccountsError) as caught:  # one phone, one limit
        services.login_code_send(phone=PHONE, source_ip="10.0.0.5")
    assert caught.value.code == "too_soon"
    assert OneTimeCode.objects.count() == 1
    assert sandbox_sms_latest(phone=PHONE) is not None


@pytest.mark.parametrize(
    "id_number, message",
    [
        ("110101199003071091", "校验位"),
        ("110101199002301236", "出生日期"),
        ("620102209001010018", "出生日期晚于今天"),  # valid check digit, born in 2090
        ("999999198503120034", "地区码不存在"),  # valid check digit, no such region
        ("110110199001010011", "地区码不存在"),  # 燕山区's code was abolished in 1986
        ("123", "18 位"),
    ],
)
def test_bad_id_numbers_on_identity(client, id_number, message):
    user = User.objects.create(username="x")
    user.set_phone(PHONE)
    user.save()
    client.force_login(user)
    r = client.post("/me/identity/", {"real_name": "王五", "id_number": id_number})
    assert message in r.content.decode()
    assert not Person.objects.exists()


def test_a_number_issued_where_the_code_was_created_after_the_birth_year_is_accepted(client):
    """城关区's 620102 dates from after 1975; a person born then holds it all the same (numbers
    carry the code of where they were issued, from 1984)."""
    user = User.objects.create(username="x")
    user.set_phone(PHONE)
    user.save()
    client.force_login(user)
    client.post("/me/identity/", {"real_name": "王五", "id_number": "620102197505053219"})
    assert Person.objects.get().birth_date == dt.date(1975, 5, 5)


def test_a_staff_account_cannot_become_an_applicant(client):
    from rest_framework.test import APIClient

    staff = User.objects.create_user("officer", password="x", is_staff=True)
    client.force_login(staff)
    r = client.post("/me/identity/", {"real_name": "王五", "id_number": "11010119900307109X"})
    assert r.status_code == 200 and "工作人员账号不能实名登记为申请人" in r.content.decode()
    api = APIClient()
    api.force_authenticate(staff)
    r = api.post(
        "/api/v1/me/identity/",
        {"real_name": "王五", "id_number": "11010119900307109X"},
        format="json",
    )
    assert r.status_code == 403 and r.json()["code"] == "staff_account"
    assert not Person.objects.exists()


def _staff(username="clerk"):
    user = User.objects.create_user(username, password="correct-horse-9", is_staff=True)
    return user


def test_staff_login_with_totp_enrolment_and_lockout(client, settings):
    settings.ONETRIP_DEMO = False
    user = _staff()
    r = client.post("/staff/login/", {"username": "clerk", "password": "correct-horse-9"})
    assert r.status_code == 302 and "/staff/login/totp/" in r["Location"]
    page = client.get("/staff/login/totp/").content.decode()
    assert "<svg" in page and "演示环境" not in page
    secret = user.credential.totp_secret
    for odd in ("\u0661\u0662\u0663\u0664\u0665\u0666", "12345é", "1" * 500):
        r = client.post("/staff/login/totp/", {"code": odd})  # a wrong code, never a 500
        assert r.status_code == 200 and "不正确" in r.content.decode()
    # Full-width digits (a Chinese input method) are the same code.
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in pyotp.TOTP(secret).now())
    r = client.post("/staff/login/totp/", {"code": full_width})
    assert r.status_code == 302
    assert client.get("/workbench/").wsgi_request.user == user
    # A used code cannot be replayed.
    client.logout()
    client.post("/staff/login/", {"username": "clerk", "password": "correct-horse-9"})
    r = client.post("/staff/login/totp/", {"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 200 and "不正确或已使用" in r.content.decode()


def test_staff_locked_after_repeated_failures(client):
    _staff()
    for _ in range(services.STAFF_MAX_FAILURES):
        client.post("/staff/login/", {"username": "clerk", "password": "wrong"})
    r = client.post("/staff/login/", {"username": "clerk", "password": "correct-horse-9"})
    assert "锁定" in r.content.decode()
    from onetrip.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="accounts.staff.locked").count() == 1


def test_admin_login_goes_through_staff_login(client):
    r = client.get("/admin/login/?next=/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/staff/login/")


def test_asking_again_within_the_minute_leads_back_to_the_code_already_sent(client, settings):
    settings.ONETRIP_DEMO = True
    first = client.post("/login/", {"phone": PHONE})
    assert first.status_code == 302
    again = client.post("/login/", {"phone": PHONE}).content.decode()
    assert "请 60 秒后再试" in again and "去输入验证码" in again
    assert OneTimeCode.objects.count() == 1
    r = client.post("/login/code/", {"code": _code()})
    assert r.status_code == 302
    # Another browser, which was sent no code, is told to wait and offered none to enter.
    from django.test import Client

    elsewhere = Client().post("/login/", {"phone": PHONE}).content.decode()
    assert "请 60 秒后再试" in elsewhere and "去输入验证码" not in elsewhere
    # Nor is this browser, for a number other than the one its code went to.
    other = "13912340000"
    Client().post("/login/", {"phone": other})
    mixed = client.post("/login/", {"phone": other}).content.decode()
    assert "请 60 秒后再试" in mixed and "去输入验证码" not in mixed
