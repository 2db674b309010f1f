"""The applicant's pages: consent and preview of shared data, and 谁使用了我的数据."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from onetrip.applications import services as app_services
from onetrip.applications.models import Application
from onetrip.applications.workflow import Status
from onetrip.exchange import selectors, services
from onetrip.exchange.models import DataUse, MaterialEvidence


def _own_draft(request: HttpRequest, pk: int) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("version", "item", "applicant_person"), pk=pk
    )
    if "applicant" not in app_services.actor_roles(user=request.user, application=application):
        raise Http404("找不到该申请")
    return application


@login_required
def draft_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    """Which data will be fetched, from whom and why; consent, preview, use or upload instead."""
    application = _own_draft(request, pk)
    if application.status not in (Status.DRAFT, Status.CORRECTION):
        return redirect("portal:application", tracking_number=application.tracking_number)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "obtain":
                codes = request.POST.getlist("codes")
                if not codes:
                    raise services.ExchangeError(
                        "nothing_chosen", _("请至少选择一项要获取的数据。")
                    )
                services.evidence_obtain(
                    application=application, user=request.user, codes=codes, request=request
                )
            elif action == "use":
                services.evidence_accept(
                    application=application, user=request.user, request=request
                )
                return redirect("portal:draft_fields", pk=application.pk)
            elif action == "decline":
                services.evidence_decline(
                    application=application,
                    user=request.user,
                    code=request.POST.get("code", ""),
                    request=request,
                )
            elif action == "decline_all":
                for row in selectors.share_rows(application=application):
                    services.evidence_decline(
                        application=application, user=request.user, code=row.code
                    )
                return redirect("portal:draft_fields", pk=application.pk)
        except services.ExchangeError as exc:
            if exc.status == 404:
                raise Http404(exc.message) from None
            error = exc.message
        else:
            return redirect("exchange:draft_sharing", pk=application.pk)
    rows = selectors.share_rows(
        application=application,
        masked=services.acts_as_agent(user=request.user, application=application),
    )
    S = MaterialEvidence.State
    previews = [r for r in rows if r.link and r.link.state == S.PREVIEW]
    return render(
        request,
        "exchange/sharing.html",
        {
            "application": application,
            "rows": rows,
            "to_ask": [r for r in rows if r.link is None or r.link.state in (S.DECLINED, S.FAILED)],
            "previews": previews,
            "used": [r for r in rows if r.link and r.link.state == S.USED],
            "failed": [r for r in rows if r.link and r.link.state == S.FAILED],
            "purpose": services.purpose_for(application),
            "error": error,
            "changed": request.GET.get("changed") == "1" and bool(previews),
            "step": 0,
        },
    )


@login_required
def data_uses(request: HttpRequest) -> HttpResponse:
    """谁使用了我的数据: when, which department, which role, why — the person's own log only."""
    uses = list(selectors.data_uses_for_user(user=request.user)[:500])
    return render(
        request,
        "exchange/data_uses.html",
        {"uses": uses, "Kind": DataUse.Kind},
    )


@login_required
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One piece of evidence about the signed-in person, with its provenance."""
    evidence = selectors.evidence_for_user(user=request.user, pk=pk)
    if evidence is None:
        raise Http404("找不到该数据")
    return render(request, "exchange/evidence.html", selectors.evidence_context(evidence))
