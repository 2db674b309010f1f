"""RFC 9457 problem documents for every API error, each with a stable ``code``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"

_TITLES = {
    400: gettext_lazy("请求有误"),
    401: gettext_lazy("需要登录"),
    403: gettext_lazy("没有权限"),
    404: gettext_lazy("找不到"),
    405: gettext_lazy("不支持的方法"),
    406: gettext_lazy("无法提供所要求的格式"),
    409: gettext_lazy("冲突"),
    413: gettext_lazy("内容过大"),
    415: gettext_lazy("不支持的内容类型"),
    422: gettext_lazy("内容未通过校验"),
    429: gettext_lazy("请求过于频繁"),
}


class ProblemError(exceptions.APIException):
    """An API error with a stable code and optional per-field errors."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(
        self,
        code: str,
        detail: str,
        *,
        status_code: int = 400,
        errors: list[dict[str, Any]] | None = None,
        retry_after: int = 0,
    ) -> None:
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.problem_code = code
        self.errors = errors or []
        self.retry_after = retry_after  # seconds until a limit that was hit lets it through


def paging(params: Any, default: int = 50) -> tuple[int, int]:
    """``limit`` (1–200) and ``offset`` from a list's query; a problem when not integers."""
    try:
        limit = max(1, min(int(params.get("limit", default)), 200))
        offset = max(0, min(int(params.get("offset", 0)), 10**7))
    except ValueError:
        raise ProblemError("invalid_paging", _("limit 和 offset 必须是整数。")) from None
    return limit, offset


def flag(params: Any, name: str) -> bool:
    """A yes/no query parameter (``true``/``1``, ``false``/``0``, or absent); a problem for
    anything else."""
    raw = params.getlist(name) if hasattr(params, "getlist") else [params.get(name)]
    raw = [v for v in raw if v not in (None, "")]  # ``?mine=`` is the same as no value
    if not raw:
        return False
    if len(raw) == 1 and str(raw[0]).lower() in ("true", "1", "false", "0"):
        return str(raw[0]).lower() in ("true", "1")
    raise ProblemError("invalid_filter", _("{name} 只能是 true 或 false。").format(name=name))


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, Any]]:
    """Turn DRF's nested validation errors into a flat list of {field, message, code}."""
    out: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a list serializer's errors, keyed by position
                out += _flatten(value, f"{prefix}[{key}]")
                continue
            field = key if key != "non_field_errors" else ""
            out += _flatten(value, f"{prefix}.{field}" if prefix and field else prefix or field)
    elif isinstance(detail, list):
        if all(isinstance(v, exceptions.ErrorDetail | str) for v in detail):
            for v in detail:
                out.append({"field": prefix, "message": str(v), "code": getattr(v, "code", "")})
        else:
            for i, v in enumerate(detail):
                out += _flatten(v, f"{prefix}[{i}]")
    else:
        out.append({"field": prefix, "message": str(detail), "code": getattr(detail, "code", "")})
    return out


def problem_response(
    status_code: int, code: str, detail: str, errors: list[dict[str, Any]] | None = None
) -> Response:
    body: dict[str, Any] = {
        "type": f"https://onetrip.invalid/problems/{code}",
        "title": str(_TITLES.get(status_code) or _("错误")),
        "status": status_code,
        "code": code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ProblemError):
        result = problem_response(exc.status_code, exc.problem_code, str(exc.detail), exc.errors)
        if exc.retry_after:
            result["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        result = problem_response(
            400, "validation_error", _("请求内容有误，请按 errors 逐项修改。"), errors
        )
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if not isinstance(code, str):
            code = "error"
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        result = problem_response(response.status_code, code, str(detail))
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            result[header] = response[header]
    return result
