"""一窗受理: a window officer takes an application for any item of any department.

Steps (one thing per page): applicant → item and situation → form fields → materials →
check your answers and submit (with the visit recorded) → receipt for the applicant.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from onetrip.accounts import services as accounts
from onetrip.accounts.models import Enterprise, Person
from onetrip.accounts.services import AccountsError
from onetrip.applications import services
from onetrip.applications.formdata import form_delivery, form_fields_for, form_validate
from onetrip.applications.models import Application, ApplicationMaterial
from onetrip.applications.services import ApplicationError
from onetrip.applications.workflow import Status
from onetrip.catalog.models import Item, Material
from onetrip.core.identifiers import credit_code_clean
from onetrip.core.text import says_something
from onetrip.workbench import fieldforms, selectors
from onetrip.workbench.access import audit_view, raise_if_not_found, window_required

SESSION_KEY = "workbench_intake_applicant"
S = ApplicationMaterial.State


# ------------------------------------------------------------------ step 1: the applicant


def _chosen_applicant(request: HttpRequest) -> Person | Enterprise | None:
    chosen = request.session.get(SESSION_KEY) or {}
    model = {"person": Person, "enterprise": Enterprise}.get(chosen.get("kind"))
    return model.objects.filter(pk=chosen.get("id")).first() if model else None


def _choose(request: HttpRequest, applicant: Person | Enterprise) -> HttpResponse:
    kind = "person" if isinstance(applicant, Person) else "enterprise"
    request.session[SESSION_KEY] = {"kind": kind, "id": applicant.pk}
    return redirect("workbench:intake_start")


def audit_lookup(request: HttpRequest, target: Person | Enterprise, summary: str) -> None:
    """A window officer looked up an applicant by number: on record (page and API)."""
    from onetrip.audit.services import audit_append

    audit_append(
        actor=request.user,
        action="accounts.applicant.lookup",
        target=target,
        summary=summary,
        request=request,
    )


STEP1_FORMS = ("find_person", "register_person", "find_enterprise", "register_enterprise")


@window_required
def intake_applicant(request: HttpRequest) -> HttpResponse:
    """Find or register the person (公民身份号码) or the enterprise (统一社会信用代码)."""
    context: dict[str, Any] = {
        "wb_nav": "intake",
        "values": {},
        "errors": [],
        "field_errors": {},
        "form": "",
        "not_found": "",
        "drafts": Application.objects.filter(
            created_by=request.user, channel=Application.Channel.WINDOW, status=Status.DRAFT
        ).select_related("version", "applicant_person", "applicant_enterprise")[:20],
    }
    if request.method != "POST":
        return render(request, "workbench/intake_applicant.html", context)
    form = request.POST.get("form", "")
    if form not in STEP1_FORMS:
        raise Http404("未知的表单")
    values = {
        k: request.POST.get(k, "").strip() for k in request.POST if k != "csrfmiddlewaretoken"
    }
    context.update(form=form, values=values)
    try:
        if form == "find_person":
            person = accounts.person_find(id_number=values.get("id_number", ""))
            if person is not None:
                audit_lookup(request, person, "窗口按公民身份号码查找自然人")
                return _choose(request, person)
            context["not_found"] = "person"
            context["values"] = {"id_number": values.get("id_number", "")}
            context["form"] = "register_person"
        elif form == "register_person":
            person = accounts.person_register(
                real_name=values.get("real_name", ""),
                id_number=values.get("id_number", ""),
                phone=values.get("phone", ""),
                created_by=request.user,
            )
            return _choose(request, person)
        elif form == "find_enterprise":
            code = credit_code_clean(values.get("credit_code", ""))
            enterprise = accounts.enterprise_find(credit_code=code)
            if enterprise is not None:
                audit_lookup(request, enterprise, "窗口按统一社会信用代码查找单位")
                return _choose(request, enterprise)
            context["not_found"] = "enterprise"
            context["values"] = {"credit_code": code}
            context["form"] = "register_enterprise"
        else:
            enterprise = accounts.enterprise_register(
                name=values.get("name", ""),
                credit_code=values.get("credit_code", ""),
                legal_representative=values.get("legal_representative", ""),
                override_reason=values.get("override_reason", ""),
                officer=request.user,
            )
            return _choose(request, enterprise)
    except AccountsError as exc:
        href = f"#{form}-{exc.field}" if exc.field else f"#{form}"
        context["errors"] = [{"href": href, "text": exc.message}]
        context["field_errors"] = {exc.field: exc.message}
        return render(request, "workbench/intake_applicant.html", context, status=400)
    return render(request, "workbench/intake_applicant.html", context)


# ------------------------------------------------------------------ step 2: item and situation


@window_required
def intake_start(request: HttpRequest) -> HttpResponse:
    """Choose any published item of any department, then the situation; creates the draft."""
    applicant = _chosen_applicant(request)
    if applicant is None:
        messages.info(request, _("请先查找或登记申请人。"))
        return redirect("workbench:intake")
    q = request.GET.get("q", "").strip()[:60]
    params = request.POST if request.method == "POST" else request.GET
    code = params.get("item", "")
    item = (
        Item.objects.filter(code=code, current_version__isnull=False)
        .select_related("department", "current_version")
        .first()
        if code
        else None
    )
    context: dict[str, Any] = {
        "wb_nav": "intake",
        "applicant": applicant,
        "is_person": isinstance(applicant, Person),
        "q": q,
        "items": selectors.intake_items(q=q),
        "item": item,
        "situations": list(item.current_version.situations.all()) if item else [],
        "situation": request.POST.get("situation", ""),
        "errors": [],
        "field_errors": {},
    }
    if ("item" in params or code) and item is None:  # "请选择事项" sent, or an unknown code
        context["errors"] = [{"href": "#item", "text": _("请从清单中选择一个已发布的事项。")}]
        context["field_errors"] = {"item": context["errors"][0]["text"]}
        return render(request, "workbench/intake_start.html", context, status=400)
    if request.method != "POST" or item is None:
        return render(request, "workbench/intake_start.html", context)
    try:
        application = services.draft_create(
            user=request.user,
            item=item,
            situation=context["situation"],
            applicant_person=applicant if isinstance(applicant, Person) else None,
            applicant_enterprise=applicant if isinstance(applicant, Enterprise) else None,
            channel=Application.Channel.WINDOW,
        )
    except ApplicationError as exc:
        raise_if_not_found(exc)
        href = {"situation": "#situation", "applicant": "#applicant"}.get(exc.field, "#start")
        context["errors"] = [{"href": href, "text": exc.message}]
        context["field_errors"] = {exc.field: exc.message}
        return render(request, "workbench/intake_start.html", context, status=exc.status)
    request.session.pop(SESSION_KEY, None)
    return redirect("workbench:intake_fields", application.pk)


# ------------------------------------------------------------------ steps 3 to 5: the draft


def _draft(request: HttpRequest, pk: int, *, submitted: bool = False) -> Application:
    """A window draft this officer may work on (or, for the receipt, its submitted result)."""
    application = (
        Application.objects.select_related(
            "item", "version", "department", "applicant_person", "applicant_enterprise"
        )
        .filter(pk=pk, channel=Application.Channel.WINDOW)
        .first()
    )
    if application is None or not services.can_view(user=request.user, application=application):
        raise Http404("找不到该申请")
    if (application.status != Status.DRAFT) != submitted:
        raise Http404("找不到该申请")
    return application


def _steps(application: Application, current: str) -> dict[str, Any]:
    return {
        "wb_nav": "intake",
        "application": application,
        "version": application.version,
        "person": application.applicant_person,
        "enterprise": application.applicant_enterprise,
        "situation": application.version.situations.filter(code=application.situation).first(),
        "step": current,
    }


@window_required
def intake_fields(request: HttpRequest, pk: int) -> HttpResponse:
    application = _draft(request, pk)
    fields = form_fields_for(application.version, application.situation)
    values: dict[str, Any] = dict(application.data or {})
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = fieldforms.posted_values(fields, request.POST)
        _cleaned, errors = form_validate(  # required fields are checked now
            fields,
            values,
            verified=services.verified_answers(application),
            given_before=application.data,
        )
        if not errors:
            try:
                services.draft_save_fields(application=application, user=request.user, data=values)
            except ApplicationError as exc:
                raise_if_not_found(exc)
                errors = exc.errors or {"": exc.message}
            else:
                return redirect("workbench:intake_materials", application.pk)
        status = 400
    elif not fields:
        return redirect("workbench:intake_materials", application.pk)
    if request.method != "POST":
        audit_view(request, application, "窗口填写申请表")
    context = _steps(application, "fields")
    context.update(
        widgets=fieldforms.widgets(fields, values, errors),
        errors=[
            {"href": f"#{fieldforms.field_id(code)}" if code else "#fields", "text": message}
            for code, message in errors.items()
        ],
    )
    return render(request, "workbench/intake_fields.html", context, status=status)


def _material_options(spec: Material | None) -> list[tuple[str, str]]:
    """How the window may satisfy one material (none for the application form: the officer
    answered it in the fields step)."""
    if spec is not None and spec.source == Material.Source.ONLINE_FORM:
        return []
    options = [("upload", _("上传扫描件")), (S.ORIGINAL_CHECKED.value, _("原件已核验"))]
    if spec is None:
        return options
    if spec.source in (Material.Source.SHARED, Material.Source.ELICENCE):
        options.append((S.SHARED.value, _("部门共享获取（无需提交）")))
    if spec.source == Material.Source.COMMITMENT:
        options.append((S.COMMITMENT.value, _("申请人签署告知承诺")))
    if spec.deficiency_allowed and not spec.is_key:
        options.append((S.DEFICIENT.value, _("容缺后补")))
    if spec.necessity != Material.Necessity.REQUIRED:
        options.append((S.MISSING.value, _("不适用 / 暂不提供")))
    return options


def _material_rows(
    application: Application, chosen: dict[str, str], errors: dict[str, str]
) -> list[dict[str, Any]]:
    specs = {m.code: m for m in application.version.materials.all()}
    rows = []
    for m in application.materials.select_related("file"):
        spec = specs.get(m.code)
        current = chosen.get(m.code)
        if current is None:
            current = "upload" if m.state == S.UPLOADED else m.state
        rows.append(
            {
                "material": m,
                "spec": spec,
                "required": spec is None or spec.necessity == Material.Necessity.REQUIRED,
                "options": _material_options(spec),
                "current": current,
                "error": errors.get(m.code, ""),
            }
        )
    return rows


def _prefetch_shared(request: HttpRequest, application: Application, plan: list) -> dict[str, str]:
    """Fetch what the officer chose to take from a department before the all-or-nothing
    transaction below: a network call never runs inside it, and a failure stays recorded.
    Inside it, the fresh evidence is then reused without another call."""
    from onetrip.exchange.services import ExchangeError, evidence_obtain

    codes = [m.code for m, choice, _upload in plan if choice == S.SHARED and m.state != S.SHARED]
    if not codes:
        return {}
    try:
        links = evidence_obtain(
            application=application, user=request.user, codes=codes, request=request
        )
    except ExchangeError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        return {codes[0]: exc.message}
    return {code: link.failure_message for code, link in links.items() if link.state == "failed"}


@window_required
def intake_materials(request: HttpRequest, pk: int) -> HttpResponse:
    """Each material: a scan uploaded, the original checked, or another allowed way."""
    application = _draft(request, pk)
    chosen: dict[str, str] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        rows = _material_rows(application, {}, {})
        plan: list[tuple[ApplicationMaterial, str, Any]] = []
        for row in rows:
            m = row["material"]
            choice = request.POST.get(f"mat-{m.code}", "")
            upload = request.FILES.get(f"file-{m.code}")
            if upload is not None and not choice:
                choice = "upload"
            chosen[m.code] = choice
            allowed = {value for value, _label in row["options"]}
            if not choice:  # nothing chosen: keep what is already there, if anything
                if row["required"] and m.state == S.MISSING:
                    errors[m.code] = _("请选择“%(name)s”的提供方式。") % {"name": m.name}
                continue
            if choice not in allowed:
                errors[m.code] = _("“%(name)s”不能这样提供。") % {"name": m.name}
            elif choice == "upload" and upload is None and not (m.state == S.UPLOADED and m.file):
                errors[m.code] = _("请选择“%(name)s”的扫描件（PDF、JPG 或 PNG）。") % {
                    "name": m.name
                }
            else:
                plan.append((m, choice, upload))
        if not errors:
            errors.update(_prefetch_shared(request, application, plan))
        if not errors:
            failing = ""
            try:
                with transaction.atomic():  # all materials or none
                    for m, choice, upload in plan:
                        failing = m.code
                        if choice == "upload":
                            if upload is not None:
                                services.material_upload(
                                    application=application,
                                    user=request.user,
                                    code=m.code,
                                    upload=upload,
                                )
                        elif choice != m.state:
                            services.material_choose(
                                application=application,
                                user=request.user,
                                code=m.code,
                                state=choice,
                            )
            except ApplicationError as exc:
                raise_if_not_found(exc)
                errors[failing] = exc.message
            else:
                return redirect("workbench:intake_check", application.pk)
        status = 400
    else:
        audit_view(request, application, "窗口核验申请材料")
    context = _steps(application, "materials")
    context.update(
        rows=_material_rows(application, chosen, errors),
        errors=[{"href": f"#mat-{code}", "text": message} for code, message in errors.items()],
    )
    return render(request, "workbench/intake_materials.html", context, status=status)


def _check_errors(application: Application, exc: ApplicationError) -> list[dict[str, str]]:
    """Link each problem to the page (and input) where the officer fixes it."""
    fields_url = reverse("workbench:intake_fields", args=[application.pk])
    materials_url = reverse("workbench:intake_materials", args=[application.pk])
    material_codes = {m.code for m in application.materials.all()}
    local = {
        "over_promise_reason": "#over_promise_reason",
        "delivery_method": "#delivery_method",
        "delivery_address": "#delivery_address",
        "reason": "#place",
        "place": "#place",
    }
    errors = []
    if not exc.errors:
        errors.append({"href": local.get(exc.field, "#submit"), "text": exc.message})
    for key, message in exc.errors.items():
        if key in local:
            href = local[key]
        elif key in material_codes:
            href = f"{materials_url}#mat-{key}"
        else:
            href = f"{fields_url}#{fieldforms.field_id(key)}"
        errors.append({"href": href, "text": message})
    return errors


def _refresh_before_submit(request: HttpRequest, application: Application) -> None:
    """Stale evidence is fetched again before the submission's transaction, never inside it:
    it is a network call, and what it brings back (new data waiting to be shown, a failure,
    the data-use log) must survive a refused submission. Inside, the evidence is fresh."""
    from onetrip.exchange.services import ExchangeError, evidence_refresh_stale

    try:
        evidence_refresh_stale(application=application, user=request.user, request=request)
    except ExchangeError as exc:
        raise ApplicationError(
            exc.code, exc.message, status=exc.status, errors=exc.errors
        ) from None


def window_submit(
    *,
    request: HttpRequest,
    application: Application,
    place: str,
    over_promise_reason: str = "",
    delivery_method: str = "",
    delivery_address: str = "",
) -> services.Submitted:
    """Submit a window draft and record the applicant's visit in one go (or neither).

    The page's last step and the API share it; a repeat changes nothing (no second visit).
    """
    if application.status != Status.DRAFT:
        return services.Submitted(application, False)
    version = application.version
    visit_number = application.visits.count() + 1
    if not says_something(place):
        raise ApplicationError("place_required", _("请填写受理窗口。"), field="place")
    if visit_number > version.visits_required and not says_something(over_promise_reason):
        raise ApplicationError(
            "over_promise_reason_required",
            _(
                "该事项承诺最多跑 {visits_required} 次，这是第 {count} 次，"
                "请先写明超出承诺的原因再提交。"
            ).format(visits_required=version.visits_required, count=visit_number),
            field="over_promise_reason",
            status=409,
        )
    _refresh_before_submit(request, application)
    with transaction.atomic():  # the submission and its visit, or neither
        result = services.application_submit(
            application=application,
            user=request.user,
            idempotency_key=f"window-draft-{application.pk}",
            delivery_method=delivery_method,
            delivery_address=delivery_address,
            request=request,
            at_window=True,
        )
        if result.created:
            services.visit_record(
                application=result.application,
                officer=request.user,
                reason="窗口提交申请",
                place=place,
                over_promise_reason=over_promise_reason,
                request=request,
            )
    return result


@window_required
def intake_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check your answers, then submit and record the visit in one go (or neither)."""
    application = Application.objects.filter(pk=pk, channel=Application.Channel.WINDOW).first()
    if application is not None and application.status != Status.DRAFT:
        _draft(request, pk, submitted=True)  # a repeated submit lands on the receipt
        return redirect("workbench:intake_done", pk)
    application = _draft(request, pk)
    version = application.version
    visit_number = application.visits.count() + 1
    over = visit_number > version.visits_required
    state = {
        "delivery_method": request.POST.get("delivery_method", application.delivery_method),
        "delivery_address": request.POST.get("delivery_address", application.delivery_address),
        "place": request.POST.get("place", "") or selectors.window_place(user=request.user),
        "over_promise_reason": request.POST.get("over_promise_reason", ""),
    }
    errors: list[dict[str, str]] = []
    field_errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            result = window_submit(request=request, application=application, **state)
        except ApplicationError as exc:
            raise_if_not_found(exc)
            errors = _check_errors(application, exc)
            field_errors = {exc.field: exc.message, **exc.errors}
            status = exc.status
            application.refresh_from_db()
        else:
            return redirect("workbench:intake_done", result.application.pk)
    else:
        audit_view(request, application, "窗口核对申请")
    fields = form_fields_for(version, application.situation)
    context = _steps(application, "check")
    context.update(
        # the form asked it: not asked again here
        form_delivery=form_delivery(fields, application.data or {}),
        field_rows=fieldforms.display(fields, application.data or {}),
        materials=list(application.materials.select_related("file")),
        visit_number=visit_number,
        over=over,
        delivery_methods=[
            (value, label)
            for value, label in Application.Delivery.choices
            if value != Application.Delivery.POST or version.supports_post_delivery
        ],
        state=state,
        errors=errors,
        field_errors=field_errors,
    )
    return render(request, "workbench/intake_check.html", context, status=status)


@window_required
def intake_done(request: HttpRequest, pk: int) -> HttpResponse:
    """收件回执: the tracking number and query code to hand to the applicant."""
    application = _draft(request, pk, submitted=True)
    audit_view(request, application, "打印收件回执")
    context = _steps(application, "done")
    context.update(
        visits=list(application.visits.all()),
        next_step=services.next_step_text(application),
    )
    return render(request, "workbench/intake_done.html", context)
