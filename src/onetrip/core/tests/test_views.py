"""The error pages a visitor can meet."""

from __future__ import annotations

from django.test import RequestFactory

from onetrip.core.views import server_error


def test_the_server_error_page_speaks_both_languages_and_the_api_gets_a_problem():
    page = server_error(RequestFactory().get("/items/"))
    html = page.content.decode()
    assert page.status_code == 500
    assert "服务暂时不可用" in html and "Service unavailable" in html and 'href="/"' in html
    api = server_error(RequestFactory().get("/api/v1/items/"))
    assert api.status_code == 500 and api["Content-Type"].startswith("application/problem+json")
