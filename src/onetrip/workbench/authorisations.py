"""登记委托 at the window: the agent shows the principal's signed authorisation; the officer
records who may act for whom, for which items and until when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onetrip.accounts import services as accounts
from onetrip.accounts.models import Authorisation, Enterprise
from onetrip.accounts.services import AccountsError
from onetrip.catalog.models import Item
from onetrip.workbench.access import window_required

FORM = "authorisation"
FIELDS = (
    "agent_id_number",
    "principal_kind",
    "principal_id_number",
    "principal_credit_code",
    "item_codes",
    "valid_from",
    "valid_until",
    "document_reference",
)


def _date(value: str, field: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise AccountsError("date_invalid", f"请按 2026-01-31 的格式填写{label}。", field) from None


def _grant(values: dict[str, str], officer) -> Authorisation:
    agent = accounts.person_find(id_number=values["agent_id_number"])
    if agent is None:
        raise AccountsError(
            "agent_unknown",
            "受托人尚未登记：请先在“窗口受理”中按公民身份号码登记受托人。",
            "agent_id_number",
        )
    principal_person = principal_enterprise = None
    if values["principal_kind"] == "enterprise":
        code = "".join(values["principal_credit_code"].split()).upper()
        principal_enterprise = Enterprise.objects.filter(credit_code=code).first()
        if principal_enterprise is None:
            raise AccountsError(
                "principal_unknown",
                "委托单位尚未登记：请先在“窗口受理”中按统一社会信用代码登记。",
                "principal_credit_code",
            )
    else:
        principal_person = accounts.person_find(id_number=values["principal_id_number"])
        if principal_person is None:
            raise AccountsError(
                "principal_unknown",
                "委托人尚未登记：请先在“窗口受理”中按公民身份号码登记委托人。",
                "principal_id_number",
            )
    codes = list(dict.fromkeys(values["item_codes"].replace("，", ",").replace(",", " ").split()))
    known = set(Item.objects.filter(code__in=codes).values_list("code", flat=True))
    if unknown := [c for c in codes if c not in known]:
        raise AccountsError(
            "item_unknown", f"没有这些事项编码：{'、'.join(unknown)}。", "item_codes"
        )
    if not values["valid_until"]:
        raise AccountsError("valid_until_missing", "请填写委托截止日期。", "valid_until")
    return accounts.authorisation_grant(
        agent=agent,
        principal_person=principal_person,
        principal_enterprise=principal_enterprise,
        item_codes=codes,
        valid_from=_date(values["valid_from"], "valid_from", "生效日期"),
        valid_until=_date(values["valid_until"], "valid_until", "截止日期"),
        document_reference=values["document_reference"][:100],
        created_by=officer,
    )


def _listed(request: HttpRequest) -> tuple[str, list[Authorisation]]:
    """Grants in force for the person whose 公民身份号码 was looked up (as agent or principal),
    or else the ones this officer recorded last."""
    grants = Authorisation.objects.select_related(
        "agent", "principal_person", "principal_enterprise"
    ).order_by("-created_at")
    number = request.GET.get("person", "").strip()
    if number:
        try:
            person = accounts.person_find(id_number=number)
        except AccountsError:
            person = None
        if person is None:
            return number, []
        found = grants.filter(revoked_at__isnull=True).filter(
            Q(agent=person) | Q(principal_person=person)
        )
        return number, list(found[:50])
    return "", list(grants.filter(created_by=request.user)[:10])


@window_required
def authorisation_new(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    looked_up, listed = _listed(request)
    context: dict[str, Any] = {
        "wb_nav": "intake",
        "form": FORM,
        "values": {"valid_from": today.isoformat(), "principal_kind": "person"},
        "errors": [],
        "field_errors": {},
        "looked_up": looked_up,
        "recent": listed,
    }
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in FIELDS}
        context["values"] = values
        try:
            with transaction.atomic():
                grant = _grant(values, request.user)
        except AccountsError as exc:
            field = exc.field if exc.field in FIELDS else ""
            context["errors"] = [
                {"href": f"#{FORM}-{field}" if field else f"#{FORM}", "text": exc.message}
            ]
            context["field_errors"] = {field: exc.message} if field else {}
            return render(request, "workbench/authorisation.html", context, status=400)
        messages.success(request, _("已登记委托：%(grant)s。") % {"grant": grant})
        return redirect("workbench:authorisation_new")
    return render(request, "workbench/authorisation.html", context)


@window_required
@require_POST
def authorisation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(Authorisation, pk=pk)
    try:
        accounts.authorisation_revoke(
            grant=grant, officer=request.user, reason=request.POST.get("reason", "")
        )
    except AccountsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销委托：%(grant)s。") % {"grant": grant})
    return redirect("workbench:authorisation_new")
