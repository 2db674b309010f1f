"""Refusals speak the language the person chose: English after the switch, Chinese by default.

The service layer builds its messages when it refuses, so the active language decides them;
the stable ``code`` stays the same in both.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from rest_framework.test import APIClient

from onetrip.applications import services
from onetrip.applications.tests.factories import PNG, world

pytestmark = pytest.mark.django_db


def _refusal(**kwargs) -> services.ApplicationError:
    with pytest.raises(services.ApplicationError) as caught:
        services.draft_create(**kwargs)
    return caught.value


def test_a_missing_situation_is_explained_in_english_when_english_is_active():
    w = world()
    with translation.override("en"):
        refusal = _refusal(user=w.user, item=w.item, situation="")
    assert refusal.code == "situation_required" and refusal.field == "situation"
    assert refusal.message == "Select your situation."


def test_the_same_refusal_stays_in_chinese_by_default():
    w = world()
    refusal = _refusal(user=w.user, item=w.item, situation="")
    assert refusal.code == "situation_required"
    assert refusal.message == "请选择办理情形。"


@override_settings(ONETRIP_UPLOAD_MAX_BYTES=1024 * 1024)
def test_a_message_with_a_number_in_it_is_translated_around_the_number():
    w = world()
    too_big = SimpleUploadedFile("scan.png", PNG + b"\0" * (1024 * 1024), "image/png")
    with translation.override("en"), pytest.raises(services.ApplicationError) as english:
        services.file_store(user=w.user, upload=too_big)
    assert english.value.message == "The file must be 1 MB or smaller."
    too_big.seek(0)
    with pytest.raises(services.ApplicationError) as chinese:
        services.file_store(user=w.user, upload=too_big)
    assert chinese.value.message == "文件不能超过 1 MB。"


def test_field_errors_name_the_field_and_explain_in_english():
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    with translation.override("en"), pytest.raises(services.ApplicationError) as caught:
        services.draft_save_fields(application=app, user=w.user, data={"copies": "x"})
    assert caught.value.message == "Some answers in the form need correcting."
    # The field's label is catalogue data (Chinese); the explanation around it is English.
    assert caught.value.errors["copies"].endswith(
        ": Enter a number (up to 15 digits before the decimal point and 4 after)."
    )


def _api(user, *, english: bool) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    if english:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_an_api_problem_document_follows_the_language_cookie():
    w = world()
    r = _api(w.user, english=True).post(
        "/api/v1/applications/", {"item": w.item.code}, format="json"
    )
    assert r.status_code == 400 and r["Content-Type"].startswith("application/problem+json")
    assert r["Content-Language"] == "en"
    body = r.json()
    assert body["code"] == "situation_required"  # the machine code never changes
    assert body["title"] == "Bad request" and body["detail"] == "Select your situation."


def test_an_api_problem_document_is_chinese_without_the_cookie_whatever_the_browser_says():
    # Accept-Language is ignored on purpose (core/middleware.py): English is a choice.
    w = world()
    r = _api(w.user, english=False).post(
        "/api/v1/applications/", {"item": w.item.code}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    body = r.json()
    assert r.status_code == 400 and body["code"] == "situation_required"
    assert body["title"] == "请求有误" and body["detail"] == "请选择办理情形。"
