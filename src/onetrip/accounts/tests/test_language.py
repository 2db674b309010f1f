"""A wrong 公民身份号码 check digit is explained in the language the person chose."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from onetrip.accounts import services
from onetrip.accounts.models import Person, User

pytestmark = pytest.mark.django_db

WRONG_CHECK_DIGIT = "110101199003071091"
ENGLISH = "The check digit of the citizen ID number is wrong. Check the last character."
CHINESE = "公民身份号码校验位不正确，请核对最后一位。"


def test_the_service_explains_a_wrong_check_digit_in_english_when_english_is_active():
    with translation.override("en"), pytest.raises(services.AccountsError) as caught:
        services.person_register(real_name="王五", id_number=WRONG_CHECK_DIGIT)
    assert caught.value.code == "id_number_invalid" and caught.value.field == "id_number"
    assert caught.value.message == ENGLISH


def test_the_service_explains_it_in_chinese_by_default():
    with pytest.raises(services.AccountsError) as caught:
        services.person_register(real_name="王五", id_number=WRONG_CHECK_DIGIT)
    assert caught.value.message == CHINESE


def _signed_in(client) -> None:
    user = User.objects.create(username="x")
    user.set_phone("13912345678")
    user.save()
    client.force_login(user)


def test_the_identity_page_shows_the_check_digit_error_in_english_after_the_switch(client):
    _signed_in(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post("/me/identity/", {"real_name": "王五", "id_number": WRONG_CHECK_DIGIT})
    html = r.content.decode()
    assert ENGLISH in html and "校验位" not in html
    assert not Person.objects.exists()


def test_the_identity_page_shows_it_in_chinese_by_default(client):
    _signed_in(client)
    r = client.post("/me/identity/", {"real_name": "王五", "id_number": WRONG_CHECK_DIGIT})
    assert CHINESE in r.content.decode()


def test_an_unverifiable_credit_code_keeps_its_window_hint_in_english():
    # The check-digit hint is appended to the problem; both parts are translated.
    with translation.override("en"), pytest.raises(services.AccountsError) as caught:
        services.enterprise_register(name="某公司", credit_code="91110000600037341X")
    assert caught.value.code == "credit_code_invalid"
    assert caught.value.message == (
        "The check digit of the unified social credit code is wrong. Check the code. "
        "If this is an early pilot code, ask a counter officer to check it and register it."
    )
