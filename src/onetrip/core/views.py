"""Error pages (HTML in Chinese for people, problem documents for API clients) and the icon."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from onetrip.core.problems import PROBLEM_CONTENT_TYPE

logger = logging.getLogger(__name__)


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


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django refused before any view: too large a body, too many fields or files
    (the limits in settings), or another malformed request."""
    if isinstance(exception, RequestDataTooBig):
        status, code, title = 413, "body_too_large", _("内容过大")
        detail = _("请求内容超过 {size} MB 的上限；文件请作为材料逐个上传。").format(
            size=round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20, 1)
        )
    elif isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        status, code, title = 400, "too_many_fields", _("请求有误")
        detail = _("请求包含的字段或文件过多。")
    else:
        status, code, title = 400, "bad_request", _("请求有误")
        detail = _("请求无法处理，请检查后重试。")
    if request.path.startswith("/api/"):
        return _problem(status, code, title, detail)
    return render(request, "400.html", {"title": title, "detail": detail}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _problem(404, "not_found", _("找不到"), _("请求的地址不存在。"))
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _problem(500, "server_error", _("服务器错误"), _("服务暂时不可用，请稍后再试。"))
    return render(request, "500.html", status=500)


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when this node reaches its database and its cache (Redis in
    production, where sessions, login codes and rate limits live), else 503 naming which."""
    import secrets

    from django.core.cache import cache
    from django.db import connection

    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any failure means this node cannot serve
        checks["database"] = f"error: {exc.__class__.__name__}"
        logger.warning("health check: database unreachable: %s", exc)
    try:
        key = f"health:{secrets.token_hex(8)}"  # its own key: checks run concurrently
        cache.set(key, "1", 10)
        checks["cache"] = "ok" if cache.get(key) == "1" else "error: not stored"
        cache.delete(key)
    except Exception as exc:
        checks["cache"] = f"error: {exc.__class__.__name__}"
        logger.warning("health check: cache unreachable: %s", exc)
    ok = all(v == "ok" for v in checks.values())
    return HttpResponse(
        json.dumps({"status": "ok" if ok else "error", **checks}),
        status=200 if ok else 503,
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


def favicon(request: HttpRequest) -> HttpResponse:
    """For clients that ask for /favicon.ico instead of reading the page's icon link."""
    return redirect(static("onetrip/favicon.svg"))
