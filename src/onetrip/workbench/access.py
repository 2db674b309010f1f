"""Who may open the staff pages, and the audit of every staff read of an application."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from onetrip.applications.models import Application
from onetrip.applications.services import ApplicationError, holds_window_role

STAFF_LOGIN_URL = "/staff/login/"


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous → the staff login page; a signed-in non-staff user → 404."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_staff:
            raise Http404("页面不存在")
        return view(request, *args, **kwargs)

    return login_required(login_url=STAFF_LOGIN_URL)(wrapped)


def window_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff holding the window (窗口受理) role; other staff → 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not holds_window_role(request.user):
            raise PermissionDenied("只有窗口工作人员可以办理窗口受理。")
        return view(request, *args, **kwargs)

    return staff_required(wrapped)


def audit_view(request: HttpRequest, application: Application, summary: str) -> None:
    """Every read of another person's data by staff is logged."""
    from onetrip.audit.services import audit_append

    audit_append(
        actor=request.user,
        action="application.view",
        target=application,
        summary=f"{application} {summary}",
        request=request,
    )


def raise_if_not_found(exc: ApplicationError) -> None:
    if exc.status == 404:
        raise Http404(exc.message)
