"""The error pages a visitor can meet."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import TooManyFieldsSent
from django.test import Client, RequestFactory

from onetrip.core.views import bad_request, server_error


def test_the_server_error_page_speaks_both_languages_and_the_api_gets_a_problem():
    page = server_error(RequestFactory().get("/items/"))
    html = page.content.decode()
    assert page.status_code == 500
    assert "服务暂时不可用" in html and "Service unavailable" in html and 'href="/"' in html
    api = server_error(RequestFactory().get("/api/v1/items/"))
    assert api.status_code == 500 and api["Content-Type"].startswith("application/problem+json")


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_in_the_callers_language_of_errors(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = Client()
    r = client.post(
        "/api/v1/auth/login-code/", '{"phone": "' + "1" * 2000 + '"}', "application/json"
    )
    assert r.status_code == 413 and r["Content-Type"].startswith("application/problem+json")
    assert r.json()["code"] == "body_too_large" and "上限" in r.json()["detail"]
    page = client.post("/login/", {"phone": "1" * 2000})
    assert page.status_code == 413 and "上限" in page.content.decode()
    assert "没有保存" in page.content.decode()


@pytest.mark.django_db
def test_too_many_fields_is_a_clear_refusal(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = Client()
    fields = {f"f{i}": "x" for i in range(20)}
    r = bad_request(RequestFactory().post("/api/v1/applications/"), TooManyFieldsSent())
    assert r.status_code == 400 and json.loads(r.content)["code"] == "too_many_fields"
    page = client.post("/login/", fields)
    assert page.status_code == 400 and "字段或文件过多" in page.content.decode()


@pytest.mark.django_db
def test_a_post_without_the_trailing_slash_is_redirected_keeping_the_method():
    client = Client()
    r = client.post("/api/v1/applications", "{}", "application/json")
    assert r.status_code == 308 and r["Location"] == "/api/v1/applications/"
    followed = client.post("/api/v1/applications", "{}", "application/json", follow=True)
    assert followed.redirect_chain == [("/api/v1/applications/", 308)]
    assert followed.request["REQUEST_METHOD"] == "POST"
    assert client.get("/api/v1/items").status_code == 301


@pytest.mark.django_db
def test_health_answers_200_with_database_and_cache_and_503_without_the_cache(monkeypatch):
    client = Client()
    r = client.get("/health/")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "set", down)
    r = client.get("/health/")
    assert r.status_code == 503
    assert r.json()["cache"] == "error: ConnectionError" and r.json()["database"] == "ok"
