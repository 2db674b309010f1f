"""The apply pages show refusals in the language the person switched to."""

from __future__ import annotations

import pytest
from django.conf import settings

from onetrip.applications.models import Application
from onetrip.applications.tests.factories import world

pytestmark = pytest.mark.django_db


def test_applying_without_a_situation_says_so_in_english_after_the_switch(client):
    w = world()
    client.force_login(w.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post(f"/apply/{w.item.code}/", {})
    html = r.content.decode()
    assert r["Content-Language"] == "en"
    assert "Select your situation." in html and "请选择办理情形" not in html
    assert not Application.objects.exists()


def test_applying_without_a_situation_says_so_in_chinese_by_default(client):
    w = world()
    client.force_login(w.user)
    r = client.post(f"/apply/{w.item.code}/", {}, HTTP_ACCEPT_LANGUAGE="en")
    html = r.content.decode()
    assert "请选择办理情形。" in html and "Select your situation." not in html


def test_the_applicant_pages_name_item_and_department_in_english(client):
    from onetrip.applications.tests.factories import submitted

    w = world(name_en="Replacement social security card")
    department = w.item.department
    department.name_en = "Jobs Bureau"
    department.save(update_fields=["name_en"])
    app = submitted(w)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    found = client.post("/track/", {"number": app.tracking_number, "code": app.query_code})
    page = found.content.decode()
    assert "Replacement social security card" in page and "Jobs Bureau" in page
    client.force_login(w.user)
    mine = client.get("/me/").content.decode()
    assert "Replacement social security card" in mine


def test_the_form_asks_and_explains_in_english_with_the_fields_english_names(client):
    """The catalogue gives fields an English name: the English form, its errors and the
    check page use it, and a field without one keeps its Chinese name."""
    from onetrip.applications import services

    w = world()
    draft = services.draft_create(user=w.user, item=w.item, situation="first")
    client.force_login(w.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/drafts/{draft.pk}/fields/").content.decode()
    assert '<label class="visually-label" for="bank">Bank' in page
    assert "发卡银行" not in page and "申领张数" in page  # no English name: as written
    r = client.post(f"/drafts/{draft.pk}/fields/", {"name": "张三", "bank": "x", "copies": "9"})
    html = r.content.decode()
    assert "Bank: Choose from the options given." in html and "发卡银行" not in html
    client.post(f"/drafts/{draft.pk}/fields/", {"name": "张三", "bank": "icbc", "copies": "1"})
    check = client.get(f"/drafts/{draft.pk}/check/").content.decode()
    assert "<dt>Bank</dt>" in check


def test_a_correction_names_the_questioned_field_in_english(client):
    from onetrip.applications.tests.factories import bank_questioned

    w = world()
    app = bank_questioned(w)
    client.force_login(w.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/me/applications/{app.tracking_number}/").content.decode()
    # The officer's reason stays as typed; the field's name is the catalogue's English one.
    assert "<strong>Bank</strong>" in page and "<strong>发卡银行</strong>" not in page
    refused = client.post(
        f"/me/applications/{app.tracking_number}/", {"action": "supply_correction"}
    )
    assert "Bank" in refused.content.decode()
