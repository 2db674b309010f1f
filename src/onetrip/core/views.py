"""Error pages (HTML in Chinese for people, problem documents for API clients) and the icon."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from onetrip.core.problems import PROBLEM_CONTENT_TYPE


def _problem(status: int, code: str, title: str, detail: str) -> HttpResponse:
    body = {
        "type": f"https://onetrip.invalid/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _problem(404, "not_found", _("找不到"), _("请求的地址不存在。"))
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _problem(500, "server_error", _("服务器错误"), _("服务暂时不可用，请稍后再试。"))
    return render(request, "500.html", status=500)


def favicon(request: HttpRequest) -> HttpResponse:
    """For clients that ask for /favicon.ico instead of reading the page's icon link."""
    return redirect(static("onetrip/favicon.svg"))
