"""Applicant sign-in over the API: code, token, 实名, sign-out, and the bad inputs."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from onetrip.accounts.models import Person, User
from onetrip.accounts.tests.test_login import PHONE, _code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_sign_in_bind_identity_use_and_sign_out():
    api = APIClient()
    r = api.post("/api/v1/auth/login-code/", {"phone": PHONE}, format="json")
    assert r.status_code == 202 and r.json()["expires_at"]
    r = api.post("/api/v1/auth/token/", {"phone": PHONE, "code": "000000"}, format="json")
    assert r.status_code == 401 and r.json()["code"] == "code_wrong"
    r = api.post("/api/v1/auth/token/", {"phone": PHONE, "code": _code()}, format="json")
    assert r.status_code == 200 and r.json()["identity_bound"] is False
    token = r.json()["token"]
    # The code was single-use.
    again = api.post("/api/v1/auth/token/", {"phone": PHONE, "code": _code()}, format="json")
    assert again.status_code == 401

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    r = api.post(
        "/api/v1/me/identity/",
        {"real_name": "王五", "id_number": "110101199003071091"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["code"] == "id_number_invalid"
    assert r.json()["errors"][0]["field"] == "id_number"
    assert not Person.objects.exists()
    r = api.post(
        "/api/v1/me/identity/",
        {"real_name": "王五", "id_number": "11010119900307109X"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["id_number"] != "11010119900307109X"
    assert User.objects.get(is_staff=False).person.real_name == "王五"
    assert api.get("/api/v1/applications/").status_code == 200

    assert api.post("/api/v1/auth/token/revoke/").status_code == 405
    assert api.delete("/api/v1/auth/token/revoke/").status_code == 204
    assert not Token.objects.exists()
    assert api.get("/api/v1/applications/").status_code == 401


def _sign_in(api: APIClient) -> dict:
    assert api.post("/api/v1/auth/login-code/", {"phone": PHONE}, format="json").status_code == 202
    r = api.post("/api/v1/auth/token/", {"phone": PHONE, "code": _code()}, format="json")
    assert r.status_code == 200
    return r.json()


def test_a_token_ends_after_its_lifetime_and_signing_in_again_gives_a_new_one(settings):
    settings.ONETRIP_API_TOKEN_DAYS = 30
    api = APIClient()
    issued = _sign_in(api)
    expires = dt.datetime.fromisoformat(issued["expires_at"])
    assert expires - timezone.now() > dt.timedelta(days=29, hours=23)
    api.credentials(HTTP_AUTHORIZATION=f"Token {issued['token']}")
    assert api.get("/api/v1/applications/").status_code == 200
    # Signing in again within the lifetime keeps the token (other devices keep working).
    cache.clear()  # the per-phone sending limit
    assert _sign_in(APIClient())["token"] == issued["token"]
    with time_machine.travel(expires + dt.timedelta(minutes=1)):
        r = api.get("/api/v1/applications/")
        assert r.status_code == 401 and r.json()["code"] == "token_expired"
        assert "重新登录" in r.json()["detail"] and r["WWW-Authenticate"] == "Token"
        cache.clear()
        renewed = _sign_in(APIClient())
        assert renewed["token"] != issued["token"]
        assert api.get("/api/v1/applications/").status_code == 401  # the old one stays refused
        api.credentials(HTTP_AUTHORIZATION=f"Token {renewed['token']}")
        assert api.get("/api/v1/applications/").status_code == 200
    assert Token.objects.count() == 1


def test_signing_in_in_a_tokens_last_day_gives_a_new_one(settings):
    settings.ONETRIP_API_TOKEN_DAYS = 30
    issued = _sign_in(APIClient())
    expires = dt.datetime.fromisoformat(issued["expires_at"])
    with time_machine.travel(expires - dt.timedelta(hours=2)):
        cache.clear()
        renewed = _sign_in(APIClient())
    assert renewed["token"] != issued["token"]
    assert dt.datetime.fromisoformat(renewed["expires_at"]) > expires + dt.timedelta(days=29)
    assert list(Token.objects.values_list("key", flat=True)) == [renewed["token"]]


def test_a_staff_token_from_the_admin_ends_too(settings):
    from onetrip.applications.tests.factories import world

    settings.ONETRIP_API_TOKEN_DAYS = 30
    w = world()
    token = Token.objects.create(user=w.handler)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/applications/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=30, minutes=1)):
        r = api.get("/api/v1/applications/")
    assert r.status_code == 401 and r.json()["code"] == "token_expired"


def test_bad_sign_in_requests_are_problems_that_change_nothing():
    api = APIClient()
    r = api.post("/api/v1/auth/login-code/", {"phone": "12345"}, format="json")
    assert r.status_code == 400 and r["Content-Type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["message"] == "请填写 11 位手机号码。"
    r = api.post("/api/v1/auth/login-code/", {"phone": PHONE, "role": "staff"}, format="json")
    assert r.status_code == 400  # unknown keys are refused
    assert api.post("/api/v1/auth/login-code/", {"phone": PHONE}, format="json").status_code == 202
    r = api.post("/api/v1/auth/login-code/", {"phone": PHONE}, format="json")
    assert r.status_code == 429 and r.json()["code"] == "too_soon"
    assert r["Retry-After"] == "60"
    r = api.post("/api/v1/auth/token/", {"phone": "13900000000", "code": "123456"}, format="json")
    assert r.status_code == 401 and r.json()["code"] == "code_expired"
    assert not Token.objects.exists() and not User.objects.exists()
    assert api.post("/api/v1/me/identity/", {}, format="json").status_code == 401


def test_digits_typed_full_width_sign_in_over_the_api_as_on_the_pages():
    wide = "".join(chr(ord(c) + 0xFEE0) for c in PHONE)
    api = APIClient()
    r = api.post("/api/v1/auth/login-code/", {"phone": wide[:3] + " " + wide[3:]}, format="json")
    assert r.status_code == 202
    code = "".join(chr(ord(c) + 0xFEE0) for c in _code())
    r = api.post("/api/v1/auth/token/", {"phone": wide, "code": code}, format="json")
    assert r.status_code == 200 and r.json()["token"]
    assert User.objects.get().phone == PHONE  # one account, whichever way the phone was typed
    # Digits of other scripts are not a phone number.
    arabic = "".join(chr(0x0660 + int(c)) for c in PHONE)
    r = api.post("/api/v1/auth/login-code/", {"phone": arabic}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "phone"
