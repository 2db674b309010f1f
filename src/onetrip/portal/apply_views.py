"""Applying online, one thing per page: situation → fields → materials → check → confirmation."""

from __future__ import annotations

import hashlib
import secrets
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt

from onetrip.applications import selectors as app_selectors
from onetrip.applications import services
from onetrip.applications.downloads import attachment
from onetrip.applications.formdata import (
    condition_texts,
    field_value_text,
    form_delivery,
    form_fields_for,
    form_validate,
)
from onetrip.applications.models import Application, ApplicationMaterial, Notice, StoredFile
from onetrip.applications.workflow import Status
from onetrip.catalog.models import FormField, Item, Material
from onetrip.core.templatetags.onetrip import localized
from onetrip.exchange import selectors as exchange_selectors


def _own(request: HttpRequest, pk: int) -> Application:
    """An application the signed-in applicant may see; anyone else's is a 404."""
    application = get_object_or_404(
        Application.objects.select_related("version", "item", "department"), pk=pk
    )
    if "applicant" not in services.actor_roles(user=request.user, application=application):
        raise Http404("找不到该申请")
    return application


def _own_tracked(request: HttpRequest, tracking_number: str) -> Application:
    application = Application.objects.filter(tracking_number=tracking_number).first()
    if application is None:
        raise Http404("找不到该申请")
    return _own(request, application.pk)


def _needs_identity(request: HttpRequest) -> HttpResponse | None:
    if getattr(request.user, "person", None) is None:
        return redirect(f"{reverse('accounts:identity')}?next={request.get_full_path()}")
    return None


# A start form sent twice (a double click, Back and send again) opens the draft the first
# sending made. The form carries a token; the first sending claims it in the shared cache
# (with the situation and applicant chosen, so a different choice is a new start) and
# leaves the draft's id there for the second, which waits while the first is still working.
STARTED_SECONDS = 3600
STARTED_WAIT = 5.0


def _start_key(request: HttpRequest, token: str, situation: str, whom: str) -> str:
    raw = f"{request.user.pk}\n{token}\n{situation}\n{whom}"
    return "apply-start:" + hashlib.sha256(raw.encode()).hexdigest()


def _started_draft(request: HttpRequest, key: str) -> Application | None:
    """The draft the first sending of this start made, once it has made it; None when that
    sending failed or the draft is no longer a draft."""
    deadline = time.monotonic() + STARTED_WAIT
    while (pk := cache.get(key)) == "" and time.monotonic() < deadline:
        time.sleep(0.05)
    if not isinstance(pk, int):
        return None
    return Application.objects.filter(pk=pk, created_by=request.user, status=Status.DRAFT).first()


@login_required
def apply_start(request: HttpRequest, code: str) -> HttpResponse:
    item = Item.objects.filter(code=code, current_version__isnull=False).first()
    if item is None:
        raise Http404("事项不存在或尚未发布")
    if request.user.is_staff:
        return redirect(f"{reverse('workbench:intake')}?item={item.code}")
    if (response := _needs_identity(request)) is not None:
        return response
    version = item.current_version
    situations = list(version.situations.all())
    principals = app_selectors.principals_for_agent(
        user=request.user,
        item_code=item.code,
        persons=version.serves_persons,
        enterprises=version.serves_enterprises,
    )
    error = ""
    # An item for enterprises only, and nobody to apply for: said before anything is chosen.
    for_enterprises_only = not version.serves_persons and not principals
    if request.method == "POST" and not for_enterprises_only:
        token = request.POST.get("start_token", "")[:64]
        whom = request.POST.get("for", "")
        situation = request.POST.get("situation", "")
        key = _start_key(request, token, situation, whom) if token else ""
        sent_before = key and not cache.add(key, "", STARTED_SECONDS)
        if sent_before and (earlier := _started_draft(request, key)) is not None:
            return redirect("portal:draft_fields", pk=earlier.pk)
        kwargs = (app_selectors.principal_for_key(whom) or {}) if whom else {}
        try:
            if whom and not kwargs:
                raise services.ApplicationError("no_authorisation", _("请选择有效的委托人。"))
            application = services.draft_create(
                user=request.user, item=item, situation=situation, **kwargs
            )
        except services.ApplicationError as exc:
            if key:
                cache.delete(key)  # nothing was made: sending it again tries again
            error = exc.message
        else:
            if key:
                cache.set(key, application.pk, STARTED_SECONDS)
            if exchange_selectors.share_rows(application=application):
                # Data other departments hold is fetched with consent, before the form.
                return redirect("exchange:draft_sharing", pk=application.pk)
            return redirect("portal:draft_fields", pk=application.pk)
    return render(
        request,
        "portal/apply/start.html",
        {
            "item": item,
            "version": version,
            "situations": situations,
            "error": error,
            "principals": principals,
            "drafts": app_selectors.drafts_started(user=request.user, item=item),
            "for_enterprises_only": for_enterprises_only,
            "start_token": secrets.token_urlsafe(16),
        },
    )


def _field_rows(
    fields: list[FormField], values: dict, errors: dict, application: Application | None = None
) -> list[dict]:
    """Each field with its value; fields answered by the real-name record or by a registry
    are read-only and say where they came from (the server re-checks them anyway)."""
    locked = services.locked_fields(application=application) if application else {}
    # Answering a correction: the fields the notice lists say so, with its reason.
    asked = {
        i["code"]: i for i in (services.correction_fields_open(application) if application else [])
    }
    conditions = condition_texts(fields)
    rows = []
    for f in fields:
        value = locked[f.code][0] if f.code in locked else values.get(f.code, "")
        rows.append(
            {
                "field": f,
                "value": value,
                "error": errors.get(f.code, ""),
                "text": field_value_text(f, value),
                "locked": f.code in locked,
                "source": locked[f.code][1] if f.code in locked else "",
                "condition": conditions.get(f.code, ""),
                "asked": asked.get(f.code),
                # what a screen reader reads after the label: the hint, what the correction
                # notice asks, the error, the source
                "describedby": " ".join(
                    f"{f.code}-{part}"
                    for part, shown in (
                        ("hint", f.help_text),
                        ("asked", f.code in asked),
                        ("error", errors.get(f.code)),
                        ("locked", f.code in locked),
                    )
                    if shown
                ),
            }
        )
    return rows


@login_required
def draft_fields(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    if application.status not in (Status.DRAFT, Status.CORRECTION):
        return redirect("portal:application", tracking_number=application.tracking_number)
    fields = form_fields_for(application.version, application.situation)
    values, errors = dict(application.data), {}
    if request.method == "POST":
        posted = {}
        for f in fields:
            if f.field_type == FormField.FieldType.MULTICHOICE:
                posted[f.code] = request.POST.getlist(f.code)
            elif f.field_type == FormField.FieldType.BOOLEAN:
                # Two radio buttons: neither chosen is no answer, not "no".
                posted[f.code] = {"true": True, "false": False}.get(request.POST.get(f.code, ""))
            else:
                posted[f.code] = request.POST.get(f.code, "")
        try:
            services.draft_save_fields(application=application, user=request.user, data=posted)
        except services.ApplicationError as exc:
            values, errors = posted, exc.errors
        else:
            if application.status == Status.CORRECTION:
                return redirect("portal:application", tracking_number=application.tracking_number)
            application.refresh_from_db(fields=["data"])
            verified = services.verified_answers(application)
            missing = len(
                form_validate(
                    fields, application.data, verified=verified, given_before=application.data
                )[1]
            )
            if missing:  # a draft may wait; say so rather than move on silently
                messages.info(
                    request,
                    ngettext(
                        "已保存。还有 %(n)s 项必填内容没有填写，提交前需要补齐。",
                        "已保存。还有 %(n)s 项必填内容没有填写，提交前需要补齐。",
                        missing,
                    )
                    % {"n": missing},
                )
            return redirect("portal:draft_materials", pk=application.pk)
    return render(
        request,
        "portal/apply/fields.html",
        {
            "application": application,
            "rows": _field_rows(fields, values, errors, application),
            "errors": errors,
            "step": 1,
        },
    )


@login_required
def draft_materials(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    if application.status not in (Status.DRAFT, Status.CORRECTION):
        return redirect("portal:application", tracking_number=application.tracking_number)
    error, error_code = "", ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        choice = request.POST.get("choice", "upload")
        try:
            if choice == "upload":
                services.material_upload(
                    application=application,
                    user=request.user,
                    code=code,
                    upload=services.posted_file(request.FILES, field=code),
                )
            else:
                services.material_choose(
                    application=application, user=request.user, code=code, state=choice
                )
        except services.ApplicationError as exc:
            error, error_code = exc.message, code
        else:
            return redirect("portal:draft_materials", pk=application.pk)
    specs = {m.code: m for m in application.version.materials.select_related("source_department")}
    evidence = exchange_selectors.evidence_rows(application=application)
    asked = {  # what the open correction notice still asks for, and why
        i["code"]: i["reason"]
        for i in services.correction_items(application)
        if i.get("kind") == "material" and not i["done"]
    }
    rows = []
    for m in application.materials.all():
        spec, ev = specs.get(m.code), evidence.get(m.code)
        dept = localized(spec.source_department, "name") if spec and spec.source_department else ""
        if not dept and ev and ev["kind"]:
            dept = _(ev["kind"].provider.name)
        rows.append(
            {"m": m, "spec": spec, "evidence": ev, "dept": dept, "correction": asked.get(m.code)}
        )
    return render(
        request,
        "portal/apply/materials.html",
        {
            "application": application,
            "rows": rows,
            "error": error,
            "error_code": error_code,
            "step": 2,
            "S": ApplicationMaterial.State,
            "Source": Material.Source,
        },
        status=400 if error else 200,
    )


@login_required
def draft_check(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    if application.status != Status.DRAFT:
        return redirect("portal:application", tracking_number=application.tracking_number)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            result = services.application_submit(
                application=application,
                user=request.user,
                idempotency_key=request.POST.get("token", ""),
                delivery_method=request.POST.get("delivery_method", ""),
                delivery_address=request.POST.get("delivery_address", ""),
                request=request,
            )
        except services.ApplicationError as exc:
            if exc.code == "evidence_changed":
                # Refreshed registry data differs from what was accepted: preview it first.
                url = reverse("exchange:draft_sharing", args=[application.pk])
                return redirect(f"{url}?changed=1")
            errors = exc.errors or {"": exc.message}
        else:
            url = reverse("portal:application", args=[result.application.tracking_number])
            return redirect(f"{url}?submitted=1")
    fields = form_fields_for(application.version, application.situation)
    return render(
        request,
        "portal/apply/check.html",
        {
            "application": application,
            "rows": _field_rows(fields, application.data, {}, application),
            "materials": application.materials.all(),
            "errors": errors,
            "step": 3,
            "token": f"draft-{application.pk}",
            "deliveries": Application.Delivery.choices,
            # the form asked it: not asked again here
            "form_delivery": form_delivery(fields, application.data),
            # Collecting the result at a window is one more trip: say so if it breaks the promise.
            "pickup_over_promise": application.visits.count() + 1
            > application.version.visits_required,
        },
    )


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/me/list.html",
        {
            "applications": app_selectors.applications_for_applicant(user=request.user),
        },
    )


@login_required
def application_detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    application = _own_tracked(request, tracking_number)
    error, problems = "", []
    if request.method == "POST":
        supplement = request.POST.get("supplement")  # a 容缺 material handed in later
        try:
            if request.POST.get("action") == "withdraw" and not request.POST.get(
                "confirm_withdraw"
            ):  # one click must not end an application
                raise services.ApplicationError(
                    "confirm_required", _("请勾选确认后再撤回申请。"), field="confirm_withdraw"
                )
            if supplement is not None:
                services.material_upload(
                    application=application,
                    user=request.user,
                    code=supplement,
                    upload=services.posted_file(request.FILES, field=supplement),
                )
            else:
                services.application_act(
                    application=application,
                    user=request.user,
                    action=request.POST.get("action", ""),
                    confirm=request.POST.getlist("confirm"),
                    request=request,
                )
        except services.ApplicationError as exc:
            error, problems = exc.message, list(exc.errors.values())
        else:
            return redirect("portal:application", tracking_number=tracking_number)
    return render(
        request,
        "portal/me/detail.html",
        {
            **app_selectors.application_overview(application=application),
            "error": error,
            "problems": problems,
            "just_submitted": request.GET.get("submitted") == "1",
            "exempt": exchange_selectors.materials_exempt(application=application),
            "can_withdraw": "withdraw"
            in services.allowed_actions(user=request.user, application=application),
        },
        status=400 if error else 200,
    )


@login_required
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    stored = get_object_or_404(StoredFile, pk=pk)
    if not any(
        services.can_view(user=request.user, application=application, as_applicant=True)
        for application, _what in app_selectors.file_holders(file_id=stored.pk)
    ):
        raise Http404("文件不存在")
    response = attachment(stored)
    if response is None:  # the stored file is gone (restored from an older backup, say)
        raise Http404("文件不存在")
    return response


@login_required
def notice_print(request: HttpRequest, number: str) -> HttpResponse:
    notice = get_object_or_404(Notice.objects.select_related("application"), number=number)
    if not services.can_view(user=request.user, application=notice.application, as_applicant=True):
        raise Http404("文书不存在")
    return render(
        request,
        "portal/notice.html",
        {
            "notice": notice,
            "application": notice.application,
            "version": notice.application.version,
            "Kind": {k.name: k.value for k in Notice.Kind},
        },
    )


@csrf_exempt  # a read: a visitor who blocks cookies still gets an answer
def track(request: HttpRequest) -> HttpResponse:
    """Public progress lookup by tracking number and query code, without signing in."""
    result, error = None, ""
    # The form posts, so the query code stays out of addresses, history and logs; a link with
    # both in its query still works.
    params = request.POST if request.method == "POST" else request.GET
    number = params.get("number", "").strip()[:20]
    code = params.get("code", "").strip()[:6]
    if number or code:
        if not services.track_lookup_allowed(request):
            error = _("查询过于频繁，请一小时后再试。")
        else:
            result = app_selectors.application_track(tracking_number=number, query_code=code)
            if result is None:
                error = _("申办流水号或查询码不正确，请核对后重试。")
    elif request.method == "POST":  # the form sent empty
        error = _("请填写申办流水号和查询码。")
    return render(
        request,
        "portal/track.html",
        {
            "result": result,
            "error": error,
            "number": number,
        },
    )
