"""登记委托 at the window: the agent shows the principal's signed authorisation; the officer
records who may act for whom, for which items and until when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onetrip.accounts import services as accounts
from onetrip.accounts.models import Authorisation, Person
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
        raise AccountsError(
            "date_invalid", _("请按 2026-01-31 的格式填写{label}。").format(label=label), field
        ) from None


def _person(id_number: str, field: str) -> Person | None:
    """The person registered under the number; a malformed number is blamed on ``field``."""
    try:
        return accounts.person_find(id_number=id_number)
    except AccountsError as exc:
        raise AccountsError(exc.code, exc.message, field) from None


def item_codes_split(text: str) -> list[str]:
    """Item codes as typed on the page: separated by spaces or commas (either width)."""
    return text.replace("，", ",").replace(",", " ").split()


@transaction.atomic
def grant_record(
    *,
    officer,
    agent_id_number: str,
    principal_kind: str = "person",
    principal_id_number: str = "",
    principal_credit_code: str = "",
    item_codes: list[str],
    valid_from: str,
    valid_until: str,
    document_reference: str = "",
) -> Authorisation:
    """Record a 委托 from what the officer typed (page and API alike); AccountsError names
    the input at fault, and nothing is recorded then."""
    agent = _person(agent_id_number, "agent_id_number")
    if agent is None:
        raise AccountsError(
            "agent_unknown",
            _("受托人尚未登记：请先在“窗口受理”中按公民身份号码登记受托人。"),
            "agent_id_number",
        )
    principal_person = principal_enterprise = None
    if principal_kind == "enterprise":
        try:
            principal_enterprise = accounts.enterprise_find(credit_code=principal_credit_code)
        except AccountsError:  # no code given
            principal_enterprise = None
        if principal_enterprise is None:
            raise AccountsError(
                "principal_unknown",
                _("委托单位尚未登记：请先在“窗口受理”中按统一社会信用代码登记。"),
                "principal_credit_code",
            )
    else:
        principal_person = _person(principal_id_number, "principal_id_number")
        if principal_person is None:
            raise AccountsError(
                "principal_unknown",
                _("委托人尚未登记：请先在“窗口受理”中按公民身份号码登记委托人。"),
                "principal_id_number",
            )
    codes = list(dict.fromkeys(c.strip() for c in item_codes if c.strip()))
    known = set(Item.objects.filter(code__in=codes).values_list("code", flat=True))
    if unknown := [c for c in codes if c not in known]:
        raise AccountsError(
            "item_unknown",
            _("没有这些事项编码：{codes}。").format(codes=_("、").join(unknown)),
            "item_codes",
        )
    if not valid_until:
        raise AccountsError("valid_until_missing", _("请填写委托截止日期。"), "valid_until")
    return accounts.authorisation_grant(
        agent=agent,
        principal_person=principal_person,
        principal_enterprise=principal_enterprise,
        item_codes=codes,
        valid_from=_date(valid_from, "valid_from", _("生效日期")),
        valid_until=_date(valid_until, "valid_until", _("截止日期")),
        document_reference=document_reference,
        created_by=officer,
    )


def grants_listed(*, person: Person | None = None, officer=None) -> list[Authorisation]:
    """Grants in force (not revoked) where ``person`` is the agent or the principal; without
    a person, the last ones ``officer`` recorded."""
    grants = Authorisation.objects.select_related(
        "agent", "principal_person", "principal_enterprise"
    ).order_by("-created_at")
    if person is not None:
        found = grants.filter(revoked_at__isnull=True).filter(
            Q(agent=person) | Q(principal_person=person)
        )
        return list(found[:50])
    return list(grants.filter(created_by=officer)[:10])


def _listed(request: HttpRequest) -> tuple[str, list[Authorisation]]:
    """Grants in force for the person whose 公民身份号码 was looked up (as agent or principal),
    or else the ones this officer recorded last."""
    number = request.GET.get("person", "").strip()
    if number:
        try:
            person = accounts.person_find(id_number=number)
        except AccountsError:
            person = None
        if person is None:
            return number, []
        return number, grants_listed(person=person)
    return "", grants_listed(officer=request.user)


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
        "max_years": settings.ONETRIP_AUTHORISATION_MAX_YEARS,
    }
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in FIELDS}
        context["values"] = values
        try:
            grant = grant_record(
                officer=request.user,
                **{**values, "item_codes": item_codes_split(values["item_codes"])},
            )
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
