"""Staff pages: the queue, one application with the actions allowed now, files and notices.

Thin: parse the request, call a service or selector, render. Every page that shows an
application's personal data appends an ``application.view`` audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onetrip.applications import selectors as app_selectors
from onetrip.applications import services, workflow
from onetrip.applications.downloads import attachment
from onetrip.applications.formdata import condition_met, form_fields_for
from onetrip.applications.models import Application, ApplicationMaterial, Notice, StoredFile
from onetrip.applications.services import ApplicationError
from onetrip.applications.workflow import Action, Status
from onetrip.catalog.models import ReviewStage
from onetrip.catalog.selectors import pinned_content
from onetrip.exchange import selectors as exchange_selectors
from onetrip.workbench import fieldforms, selectors
from onetrip.workbench.access import (
    audit_view,
    raise_if_not_found,
    staff_required,
    window_required,
)
from onetrip.workbench.templatetags.workbench_extras import in_context, step_label

PAGE_SIZE = 20

# Form inputs of the action forms, by the ``field`` an ApplicationError names.
ACTION_FIELDS = ("reason", "items", "override_reason", "due")


# ------------------------------------------------------------------ queue


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    departments = list(selectors.queue_departments(user=request.user))
    department = _int(request.GET.get("department", ""))
    status = request.GET.get("status", "")
    stage = request.GET.get("stage", "")
    filters = selectors.QueueFilters(
        department=department if department in {d.pk for d in departments} else None,
        status=status if status in Status.values and status != Status.DRAFT else "",
        stage=stage if stage in ReviewStage.Code.values else "",
        q=request.GET.get("q", "").strip()[:60],
        mine=request.GET.get("mine", "") == "1",
    )
    page = Paginator(selectors.queue_for(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    tab_params = params.copy()
    tab_params.pop("mine", None)
    # The kinds of review stage (each item names its own stages; the queue filters by kind).
    stage_kinds = [
        (code, in_context("review stage", name)) for code, name in ReviewStage.Code.choices
    ]
    return render(
        request,
        "workbench/queue.html",
        {
            "wb_nav": "queue",
            "page": page,
            "filters": filters,
            "filtered": bool(filters.department or filters.status or filters.stage or filters.q),
            "page_query": params.urlencode(),
            "tab_query": tab_params.urlencode(),
            "departments": departments,
            "statuses": [(s.value, s.label) for s in Status if s != Status.DRAFT],
            "stages": stage_kinds,
            "stage_names": dict(stage_kinds),
        },
    )


# ------------------------------------------------------------------ one application


def _application(request: HttpRequest, tracking_number: str) -> Application:
    application = (
        Application.objects.select_related(
            "item",
            "version",
            "department",
            "applicant_person",
            "applicant_enterprise",
            "agent",
            "owner",
        )
        .filter(tracking_number=tracking_number)
        .first()
    )
    if application is None or not services.can_view(user=request.user, application=application):
        raise Http404("找不到该办件")
    return application


def _detail_url(application: Application) -> str:
    return reverse("workbench:detail", args=[application.tracking_number])


def _correction_rows(
    application: Application, fields: list, state: dict[str, Any]
) -> list[dict[str, Any]]:
    chosen = state.get("items", set())
    reasons = state.get("item_reasons", {})
    rows = [
        {
            "kind": "material",
            "kind_label": _("材料"),
            "code": m.code,
            "name": m.name,
            "extra": m.get_state_display(),
        }
        for m in application.materials.all()
        if m.state != ApplicationMaterial.State.FORM  # corrected through its fields below
    ]
    locked = services.locked_fields(application=application)  # the applicant cannot change
    rows += [
        {"kind": "field", "kind_label": _("表单"), "code": f.code, "name": f.label, "extra": ""}
        for f in fields
        if f.code not in locked
    ]
    for row in rows:
        row["checked"] = row["code"] in chosen
        row["reason"] = reasons.get(row["code"], "")
    return rows


def _materials_with_replaced(application: Application) -> list:
    """The materials, each with ``replaced``: the files the applicant uploaded before."""
    replaced = app_selectors.replaced_uploads(application)
    materials = list(application.materials.select_related("file"))
    for m in materials:
        m.replaced = replaced.get(m.code, [])
    return materials


def _detail_context(
    request: HttpRequest,
    application: Application,
    *,
    form: str = "",
    state: dict[str, Any] | None = None,
    errors: list[dict[str, str]] | None = None,
    field_errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Everything on the application page. ``form`` names the form that failed, if any."""
    user = request.user
    state = state or {}
    version = application.version
    fields = form_fields_for(version, application.situation)
    offered = services.actions_offered(user=user, application=application)
    roles = offered.roles
    # A step refused although no longer (or never) offered: no form to point at, and not a
    # mistake in what was typed; the refusal stands by the actions.
    refused = form in Action.values and form not in offered.actions
    errors = [{**e, "href": "#actions"} for e in errors or []] if refused else errors or []
    actions = []
    for action in offered.actions:
        t = workflow.TABLE[(Status(application.status), action)]
        actions.append(
            {
                "action": action.value,
                "label": action.label,
                # The step as something to do (its label, as the history reads it, is done).
                "button": in_context("workbench button", action.label),
                "needs_reason": t.needs_reason,
                "opinion": action in workflow.OPINION_STEPS,  # kept among staff
                "failed": form == action.value,
            }
        )
    visits = list(application.visits.select_related("officer"))
    next_visit = len(visits) + 1
    correction = services.open_correction(application)
    can_correct = any(a["action"] == Action.REQUEST_CORRECTION for a in actions)
    situation = version.situations.filter(code=application.situation).first()
    stage_names = {s.code: s.name for s in version.stages.all()}
    return {
        **_clock_context(application, user, roles),
        "wb_nav": "queue",
        "withheld": offered.withheld,
        "application": application,
        "version": version,
        "situation": situation,
        "stage_name": stage_names.get(application.stage, application.stage),
        "stages": list(version.stages.all()),
        "person": application.applicant_person,
        "enterprise": application.applicant_enterprise,
        # apart: a template reads field_errors.items as the dict's method, not this key
        "items_error": (field_errors or {}).get("items", ""),
        "field_rows": fieldforms.display(fields, application.data or {}),
        # required as the answers stand (a conditional field only when its condition holds)
        "required_codes": {
            f.code for f in fields if f.required and condition_met(f, application.data or {})
        },
        "materials": _materials_with_replaced(application),
        "evidence": exchange_selectors.evidence_rows(application=application, masked=True),
        "exempt": exchange_selectors.materials_exempt(application=application),
        "notices": list(application.notices.all()),
        "events": list(application.events.select_related("actor")),
        "audit_rows": _audit_rows(application) if workflow.SUPERVISOR in roles else None,
        "visits": visits,
        "visit_count": len(visits),
        "visits_required": version.visits_required,
        "over_count": sum(1 for v in visits if v.over_promise),
        "next_visit_over": next_visit > version.visits_required,
        "next_visit": next_visit,
        "deliveries": list(application.deliveries.select_related("officer")),
        # 容缺 materials handed in at a window
        "supplements": app_selectors.supplements_due(application)
        if workflow.WINDOW in roles
        else [],
        "actions": actions,
        "can_record_visit": bool(roles & {workflow.WINDOW, workflow.HANDLER})
        and application.status != Status.DRAFT,
        "can_record_delivery": application.status in workflow.DECIDED
        and bool(roles & {workflow.WINDOW, workflow.HANDLER, workflow.APPROVER}),
        "delivery_methods": Application.Delivery.choices,
        "correction_rows": _correction_rows(
            application, fields, state if form == Action.REQUEST_CORRECTION else {}
        )
        if can_correct
        else [],
        "default_place": selectors.window_place(user=user),
        "today": timezone.localdate().isoformat(),
        "tomorrow": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
        "correction_due": services.correction_due_default() if can_correct else None,
        "open_correction": correction,
        # 提交补正 at the window: answers the notice questioned that the applicant keeps
        "unanswered_fields": services.correction_fields_open(application, correction)
        if correction
        else [],
        "other_changes": services.correction_other_names(application, correction),
        "open_correction_due": services.correction_answer_due(correction) if correction else None,
        "form": form,
        "state": state,
        "errors": errors,
        "errors_refused": refused,
        "field_errors": field_errors or {},
    }


def _with_stage_name(assignment, stage_names: dict[str, str]):
    assignment.stage_name = stage_names.get(assignment.stage) or _("受理")
    return assignment


def _clock_context(application: Application, user, roles: set[str]) -> dict[str, Any]:
    """Deadlines with the days left, pauses, extensions, cards and who held the application."""
    from django.conf import settings

    from onetrip.supervision.services import working_days_left

    stage_names = dict(pinned_content(application.version).stages)
    pauses = list(application.clock_pauses.order_by("started_on", "id"))
    extensions = list(application.extensions.select_related("approved_by"))
    assignments = [
        _with_stage_name(a, stage_names)
        for a in application.assignments.select_related("officer", "assigned_by")
    ]
    paused = any(p.ended_on is None for p in pauses)
    deadlines = []
    for d in application.deadlines.order_by("kind", "starts_on", "id"):
        left = working_days_left(deadline=d) if d.state == "open" and not paused else None
        deadlines.append(
            {
                "d": d,
                "label": (
                    _("环节时限：%(stage)s") % {"stage": stage_names.get(d.stage, d.stage)}
                    if d.kind == "stage"
                    else _(d.get_kind_display())
                ),
                "left": left,
                "overdue": -left if left is not None and left < 0 else 0,
                "paused": paused and d.state == "open",
            }
        )
    used = sum(e.days for e in extensions)
    open_now = application.status in workflow.OPEN_BEFORE_DECISION
    can_assign = open_now and bool(roles - {workflow.APPLICANT})
    assign_others = bool(roles & {workflow.APPROVER, workflow.SUPERVISOR})
    assignable = services.assignable_officers(application=application) if can_assign else []
    return {
        "deadlines": deadlines,
        "pauses": pauses,
        "extensions": extensions,
        "cards": list(application.cards.select_related("responsible").order_by("raised_at")),
        "card_links": workflow.SUPERVISOR in roles,  # the card's page is the supervisors'
        "assignments": assignments,
        "finished": application.status in workflow.FINAL,
        "holder": next((a for a in assignments if a.ended_at is None), None),
        "can_extend": workflow.APPROVER in roles
        and application.status in workflow.ACCEPTED_OPEN
        and used < settings.ONETRIP_EXTENSION_MAX_DAYS,
        "extension_room": settings.ONETRIP_EXTENSION_MAX_DAYS - used,
        # 分派 for approvers and supervisors; 领办 only for someone who may hold the stage
        "can_assign": bool(assignable) and (assign_others or user in assignable),
        "assign_others": assign_others,
        "assignable": assignable,
    }


def _audit_rows(application: Application) -> list[dict[str, Any]]:
    """The application's audit events for supervisors, each checked against its own hash."""
    from onetrip.audit.selectors import audit_timeline

    return [{"event": e, "intact": ok} for e, ok in audit_timeline(target=application)]


def _render_detail(
    request: HttpRequest, application: Application, *, status: int = 200, **kwargs: Any
) -> HttpResponse:
    audit_view(request, application, "查看办件")
    from onetrip.exchange.services import evidence_viewed

    evidence_viewed(application=application, user=request.user, request=request)
    context = _detail_context(request, application, **kwargs)
    return render(request, "workbench/detail.html", context, status=status)


@staff_required
@require_GET
def detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _render_detail(request, _application(request, tracking_number))


def _summary(
    exc: ApplicationError, prefix: str, fields: tuple[str, ...], application: Application
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The error summary (message → anchor) and the inline message per form field."""
    anchor = f"#{prefix}-{exc.field}" if exc.field in fields else f"#{prefix}"
    errors = [{"href": anchor, "text": exc.message}]
    field_errors = {exc.field: exc.message} if exc.field in fields else {}
    material_codes = {m.code for m in application.materials.all()}
    for key, message in exc.errors.items():
        where = f"#material-{key}" if key in material_codes else f"#field-row-{key}"
        errors.append({"href": where, "text": message})
    return errors, field_errors


@staff_required
@require_POST
def act(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """Take one workflow action; errors re-render the page with what was typed."""
    application = _application(request, tracking_number)
    post = request.POST
    action = post.get("action", "")
    chosen = set(post.getlist("items"))
    item_reasons = {
        key.removeprefix("item_reason_"): value.strip()
        for key, value in post.items()
        if key.startswith("item_reason_") and value.strip()
    }
    state = {
        "reason": post.get("reason", ""),
        "items": chosen | set(item_reasons),
        "item_reasons": item_reasons,
        "override_reason": post.get("override_reason", ""),
        "due": post.get("due", ""),
    }
    items = [
        {"code": code, "reason": item_reasons.get(code, "")}
        for code in sorted(state["items"])  # a reason typed counts as ticked
    ]
    due = None
    prefix = f"act-{action}"
    try:
        if action in (Action.ACCEPT_DEFICIENT, Action.REQUEST_CORRECTION) and state["due"]:
            try:
                due = dt.date.fromisoformat(state["due"])
            except ValueError:
                raise ApplicationError(
                    "due_invalid", _("请按 2026-01-31 的格式填写期限。"), field="due"
                ) from None
        services.application_act(
            application=application,
            user=request.user,
            action=action,
            reason=state["reason"],
            items=items if action == Action.REQUEST_CORRECTION else None,
            due=due,
            override_reason=state["override_reason"],
            confirm=post.getlist("confirm") if action == Action.SUPPLY_CORRECTION else None,
            request=request,
        )
    except ApplicationError as exc:
        raise_if_not_found(exc)
        errors, field_errors = _summary(exc, prefix, ACTION_FIELDS, application)
        application.refresh_from_db()
        return _render_detail(
            request,
            application,
            status=exc.status,
            form=action,
            state=state,
            errors=errors,
            field_errors=field_errors,
        )
    messages.success(request, _("已完成：%(action)s。") % {"action": step_label(action)})
    return redirect(_detail_url(application) + "#history")


def _record(
    request: HttpRequest,
    tracking_number: str,
    *,
    form: str,
    fields: tuple[str, ...],
    service,
    done: str,
    anchor: str,
) -> HttpResponse:
    """A staff record (visit, delivery) from a form on the application page."""
    application = _application(request, tracking_number)
    state = {name: request.POST.get(name, "") for name in fields}
    try:
        service(application=application, officer=request.user, request=request, **state)
    except ApplicationError as exc:
        raise_if_not_found(exc)
        errors, field_errors = _summary(exc, form, fields, application)
        return _render_detail(
            request,
            application,
            status=exc.status,
            form=form,
            state=state,
            errors=errors,
            field_errors=field_errors,
        )
    messages.success(request, done)
    return redirect(_detail_url(application) + anchor)


@staff_required
@require_POST
def visit(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _record(
        request,
        tracking_number,
        form="visit",
        fields=("reason", "place", "over_promise_reason"),
        service=services.visit_record,
        done=_("已登记到场。"),
        anchor="#visits",
    )


@staff_required
@require_POST
def delivery(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _record(
        request,
        tracking_number,
        form="delivery",
        fields=("method", "tracking_no", "address", "reason"),
        service=services.delivery_record,
        done=_("已登记送达。"),
        anchor="#deliveries",
    )


@staff_required
@require_POST
def extend(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _record(
        request,
        tracking_number,
        form="extend",
        fields=("days", "reason"),
        service=services.deadline_extend,
        done=_("已延长办理期限，并已告知申请人。"),
        anchor="#clock",
    )


@staff_required
@require_POST
def assign(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _record(
        request,
        tracking_number,
        form="assign",
        fields=("assignee", "note"),
        service=services.application_assign,
        done=_("已分派。"),
        anchor="#clock",
    )


@window_required
def supplements(request: HttpRequest) -> HttpResponse:
    """收取容缺材料: at any window, by tracking number, the 容缺 materials still to come; the
    officer scans what the applicant brings (a visit, when they came in person)."""
    number = (request.POST.get("number") or request.GET.get("number") or "").strip()[:20]
    application = (
        Application.objects.select_related("version", "applicant_person", "applicant_enterprise")
        .filter(tracking_number=number)
        .first()
        if number
        else None
    )
    waiting = app_selectors.supplements_due(application) if application else []
    error = ""
    if number and not waiting:
        error = _("没有找到需要补交容缺材料的办件，请核对申办流水号。")
    status = 200
    if request.method == "POST" and waiting:
        code = request.POST.get("code", "")
        try:
            material = services.supplement_receive(
                application=application,
                officer=request.user,
                code=code,
                upload=services.posted_file(request.FILES, field=code),
                in_person=request.POST.get("in_person") == "1",
                place=selectors.window_place(user=request.user),
                request=request,
            )
        except ApplicationError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("已收取补交材料：%(name)s。") % {"name": material.name})
            return redirect(f"{reverse('workbench:supplements')}?number={number}")
    if waiting:
        audit_view(request, application, "窗口收取容缺材料")
    return render(
        request,
        "workbench/supplements.html",
        {
            "wb_nav": "supplements",
            "number": number,
            "application": application if waiting else None,
            "waiting": waiting,
            "error": error,
        },
        status=status if waiting or not number else 404,
    )


# ------------------------------------------------------------------ files and notices


@staff_required
@require_GET
def file_download(request: HttpRequest, file_id: int) -> HttpResponse:
    """An uploaded material (or one the applicant replaced), only to staff who may see its
    application, as an attachment."""
    for application, what in app_selectors.file_holders(file_id=file_id):
        if not services.can_view(user=request.user, application=application):
            continue
        stored = StoredFile.objects.get(pk=file_id)
        response = attachment(stored)
        if response is None:
            raise Http404("文件不存在")
        audit_view(request, application, f"下载材料“{what}”（文件 {stored.pk}）")
        return response
    raise Http404("文件不存在")


@staff_required
@require_GET
def notice(request: HttpRequest, number: str) -> HttpResponse:
    """A notice as a printable page (受理、不予受理、补正、容缺、决定)."""
    found = (
        Notice.objects.select_related(
            "application__department",
            "application__version",
            "application__applicant_person",
            "application__applicant_enterprise",
            "issued_by",
        )
        .filter(number=number)
        .first()
    )
    if found is None or not services.can_view(user=request.user, application=found.application):
        raise Http404("找不到该文书")
    application = found.application
    audit_view(request, application, f"查看文书 {found.number}")
    return render(
        request,
        "workbench/notice.html",
        {
            "wb_nav": "queue",
            "notice": found,
            "application": application,
            "version": application.version,
            "Kind": {k.name: k.value for k in Notice.Kind},
        },
    )
