"""The site inbox (站内信): a person's messages, one message, and "mark all read"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onetrip.notifications import selectors, services

PAGE_SIZE = 20


@login_required
def inbox_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_for(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/inbox_list.html",
        {
            "nav": "inbox",
            "page": page,
            "unread": selectors.inbox_unread_count(user=request.user),
        },
    )


@login_required
def inbox_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message = services.inbox_mark_read(user=request.user, message_id=message_id)
    return render(request, "notifications/inbox_detail.html", {"nav": "inbox", "message": message})


@login_required
@require_POST
def inbox_mark_all_read(request: HttpRequest) -> HttpResponse:
    changed = services.inbox_mark_all_read(user=request.user)
    if changed:
        messages.success(request, _("已将 %(n)s 条消息标为已读。") % {"n": changed})
    else:
        messages.info(request, _("没有未读消息。"))
    return redirect("notifications:inbox")
