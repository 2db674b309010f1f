"""REST API for applications: the same operations as the pages, for applicants and staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onetrip.accounts.selectors import staff_scope_memo
from onetrip.applications import selectors, services
from onetrip.applications.formdata import form_fields_for, mask_values
from onetrip.applications.models import Application, Notice
from onetrip.applications.workflow import APPLICANT, SUPERVISOR, Action, Status
from onetrip.catalog.models import Department, Item, ReviewStage
from onetrip.core.parsers import JSONParser
from onetrip.core.problems import ProblemError, flag, paging
from onetrip.workbench.selectors import QueueFilters, queue_departments, queue_for

PROBLEM = OpenApiResponse(description="RFC 9457 problem document (application/problem+json)")


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so nothing (a status, an owner) can be smuggled in."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({k: [_("不允许提交该字段。")] for k in unknown})
        return super().to_internal_value(data)


class StrictSerializerSchema(OpenApiSerializerExtension):
    """In the schema too: a strict body has ``additionalProperties: false``."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "additionalProperties": False}


class DraftCreateSerializer(StrictSerializer):
    item = serializers.CharField(max_length=64, help_text="事项实施编码")
    situation = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    on_behalf_of = serializers.RegexField(
        r"^[pe][0-9]{1,12}$",
        required=False,
        allow_blank=True,
        default="",
        help_text="an agent applying under a 委托: a `key` from `GET me/principals/?item=`",
    )


class FieldsSerializer(StrictSerializer):
    data = serializers.DictField(help_text="表单字段代码 → 值")


class MaterialChoiceSerializer(StrictSerializer):
    state = serializers.ChoiceField(
        choices=["commitment", "deficient", "shared", "original_checked"]
    )


class SubmitSerializer(StrictSerializer):
    delivery_method = serializers.ChoiceField(
        choices=Application.Delivery.choices, required=False, allow_blank=True, default=""
    )
    delivery_address = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class CorrectionItemSerializer(StrictSerializer):
    code = serializers.CharField(max_length=40)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ActionSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=[a for a in Action.choices if a[0] != "submit"])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    items = CorrectionItemSerializer(many=True, required=False, default=list)
    due = serializers.DateField(required=False, allow_null=True, default=None)
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    confirm = serializers.ListField(
        child=serializers.CharField(max_length=60),
        required=False,
        default=list,
        max_length=200,
        help_text="supply_correction: codes of fields the correction notice lists whose answer "
        "the applicant confirms, unchanged",
    )


class VisitSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=200)
    place = serializers.CharField(max_length=200)
    over_promise_reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class DeliverySerializer(StrictSerializer):
    method = serializers.ChoiceField(choices=Application.Delivery.choices)
    tracking_no = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="required when the method is not the one the applicant chose, or when the "
        "result was delivered before",
    )


class ExtensionSerializer(StrictSerializer):
    days = serializers.IntegerField(help_text="working days to add (within the legal maximum)")
    reason = serializers.CharField(max_length=300, allow_blank=True)


class AssignmentSerializer(StrictSerializer):
    assignee = serializers.IntegerField(help_text="an officer from `GET …/assignment/`")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MaterialOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField()
    file = serializers.IntegerField(source="file_id", allow_null=True)
    replaced_files = serializers.SerializerMethodField(
        help_text="earlier files the applicant replaced, kept on record"
    )

    def get_replaced_files(self, obj) -> list[int]:
        replaced = self.context.get("replaced", {})
        return replaced.get(obj.code, [])


class NoticeRefSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField(source="get_kind_display")
    issued_at = serializers.DateTimeField()
    due = serializers.DateField(allow_null=True)


class NoticeItemSerializer(serializers.Serializer):
    kind = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
    name = serializers.CharField()
    reason = serializers.CharField(required=False, allow_blank=True)


class NoticeOutSerializer(NoticeRefSerializer):
    """A written notice as data; `print_url` is the printable page (the legal document)."""

    application = serializers.IntegerField(source="application_id")
    tracking_number = serializers.CharField(source="application.tracking_number")
    department = serializers.CharField(source="application.department.name")
    reason = serializers.CharField()
    items = NoticeItemSerializer(many=True)
    override_reason = serializers.CharField()
    print_url = serializers.SerializerMethodField()

    def get_print_url(self, obj) -> str:
        from django.urls import reverse

        name = "workbench:notice" if self.context.get("staff") else "portal:notice"
        return reverse(name, args=[obj.number])


class AuditRowSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_label")
    actor_kind = serializers.CharField()
    action = serializers.CharField()
    summary = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    source_ip = serializers.CharField(allow_null=True)
    hash = serializers.CharField()
    intact = serializers.BooleanField(help_text="false when the event no longer matches its hash")


class OfficerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class AssignmentOutSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="the stage the assignment is for")
    holder = OfficerSerializer(allow_null=True)
    assignable = OfficerSerializer(many=True)


class PrincipalSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="pass as `on_behalf_of` when starting a draft")
    name = serializers.CharField()
    until = serializers.DateField(allow_null=True)


class EventOutSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField(
        source="action_label",
        help_text="staff: the step's name on the workbench; applicants: the step in plain words",
    )
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    national_code = serializers.IntegerField(
        allow_null=True, help_text="the step's national code (10: special procedure ended)"
    )
    stage = serializers.CharField(
        help_text="the review stage the application is at after the step (for 本环节通过: the "
        "stage reached)"
    )
    note = serializers.CharField()
    opinion = serializers.CharField(
        help_text="the officer's working opinion on 受理, 容缺受理, 开始办理 or 本环节通过 "
        "(staff only)"
    )
    created_at = serializers.DateTimeField()


class SubmittedSerializer(serializers.ModelSerializer):
    """What a submission returns: the reference numbers and what happens next."""

    id = serializers.IntegerField(read_only=True)
    national_code = serializers.IntegerField(allow_null=True)
    plain_status = serializers.CharField()
    next_step = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "tracking_number",
            "query_code",
            "status",
            "national_code",
            "plain_status",
            "submitted_at",
            "next_step",
        ]

    def get_next_step(self, obj) -> str:
        return services.next_step_text(obj)


class ApplicationOutSerializer(serializers.ModelSerializer):
    # Integers declared explicitly so the schema does not vary with the database's ranges.
    id = serializers.IntegerField(read_only=True)
    correction_count = serializers.IntegerField(read_only=True)
    data = serializers.DictField(read_only=True, help_text="表单字段代码 → 值")
    item = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="version.name")
    version = serializers.IntegerField(source="version.number")
    department = serializers.CharField(source="department.code")
    national_code = serializers.IntegerField(allow_null=True)
    plain_status = serializers.CharField()
    materials = MaterialOutSerializer(many=True)
    events = serializers.SerializerMethodField(
        help_text="the timeline: staff read every step as recorded; an applicant reads it in "
        "plain words, without staff-only steps and working opinions"
    )
    notices = NoticeRefSerializer(many=True)
    allowed_actions = serializers.SerializerMethodField()
    visits = serializers.SerializerMethodField()
    query_code = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "tracking_number",
            "query_code",
            "item",
            "item_name",
            "version",
            "department",
            "situation",
            "status",
            "national_code",
            "plain_status",
            "stage",
            "channel",
            "data",
            "delivery_method",
            "correction_count",
            "submitted_at",
            "accepted_at",
            "decided_at",
            "materials",
            "events",
            "notices",
            "allowed_actions",
            "visits",
        ]

    def get_allowed_actions(self, obj) -> list[str]:
        return [a.value for a in self._offered(obj).actions]

    def get_visits(self, obj) -> dict[str, int]:
        return {"count": obj.visits.count(), "promised": obj.version.visits_required}

    def get_query_code(self, obj) -> str:
        roles = self._roles(obj)
        return obj.query_code if "applicant" in roles or "window" in roles else ""

    @extend_schema_field(EventOutSerializer(many=True))
    def get_events(self, obj) -> list[dict[str, Any]]:
        events = self._timeline(obj)
        if _as_staff(self.context["user"], self._roles(obj)):
            return EventOutSerializer(events, many=True).data
        return [
            {
                **EventOutSerializer(step["event"]).data,
                "label": step["label"],
                "note": step["note"],
                "opinion": "",
            }
            for step in selectors.applicant_timeline(application=obj, events=events)
        ]

    def _roles(self, obj) -> set[str]:
        return self._offered(obj).roles

    def _offered(self, obj) -> services.Offered:
        """What the caller may do with the row, and their roles; worked out once per row."""
        cache = self.context.setdefault("_offered", {})
        if obj.pk not in cache:
            cache[obj.pk] = services.actions_offered(
                user=self.context["user"],
                application=obj,
                timeline=self._timeline(obj),
                notices=list(obj.notices.all()),
            )
        return cache[obj.pk]

    def _timeline(self, obj) -> list:
        """The application's events, read once per row (with the list's prefetch, once)."""
        cache = self.context.setdefault("_timeline", {})
        if obj.pk not in cache:
            cache[obj.pk] = list(obj.events.all())
        return cache[obj.pk]


def _out(application: Application, request: Request, code: int = 200) -> Response:
    application = Application.objects.select_related("item", "version", "department").get(
        pk=application.pk
    )
    replaced = {
        code: [old.file_id for old in olds]
        for code, olds in selectors.replaced_uploads(application).items()
    }
    data = ApplicationOutSerializer(
        application, context={"user": request.user, "replaced": replaced}
    ).data
    if _read_by_staff(request, application):
        _staff_read(request, application, data)
    return Response(data, status=code)


def _read_by_staff(request: Request, application: Application) -> bool:
    """Staff reading someone else's application (not their own, as an applicant): masked
    numbers, and the read is audited."""
    return _as_staff(request.user, services.actor_roles(user=request.user, application=application))


def _as_staff(user, roles: set[str]) -> bool:
    """Staff, and not this application's applicant (who reads it as an applicant)."""
    return user.is_staff and APPLICANT not in roles


def _staff_read(request: Request, application: Application, data: dict) -> None:
    """Staff see personal numbers masked, and every read of a person's data is logged."""
    fields = form_fields_for(application.version, application.situation)
    data["data"] = mask_values(fields, data.get("data") or {})
    _audit_read(request, application, f"接口查看办件 {application}")


def _audit_read(request: Request, application: Application, summary: str) -> None:
    from onetrip.audit.services import audit_append

    audit_append(
        actor=request.user,
        action="application.view",
        target=application,
        request=request,
        summary=summary,
    )


def _list_filters(params) -> QueueFilters:
    """The list's query as the workbench queue takes it, checked whoever asks (applicants
    only use ``status``); a problem for anything it cannot mean."""
    status_filter = str(params.get("status", ""))
    if status_filter and status_filter not in Status.values:
        raise ProblemError(
            "invalid_filter", _("未知的状态：{status}。").format(status=status_filter[:40])
        )
    stage = str(params.get("stage", ""))
    if stage and stage not in ReviewStage.Code.values:
        raise ProblemError(
            "invalid_filter", _("未知的审查环节：{stage}。").format(stage=stage[:40])
        )
    department = None
    wanted = str(params.get("department", "")).strip()[:40]
    if wanted:  # the code applications and ``departments/`` show, or the numeric id
        department = Department.objects.filter(code=wanted).values_list("pk", flat=True).first()
        if department is None and wanted.isascii() and wanted.isdecimal() and len(wanted) < 19:
            department = int(wanted)  # a code may be all digits: the code wins
        if department is None:
            raise ProblemError(
                "invalid_filter", _("未知的部门：{department}。").format(department=wanted)
            )
    return QueueFilters(
        department=department,
        status=status_filter,
        stage=stage,
        q=str(params.get("q", "")).strip()[:60],
        mine=flag(params, "mine"),
    )


def _staff_queue(request: Request, filters: QueueFilters):
    """The workbench queue with the same filters; ``status=draft``: my window drafts."""
    if filters.status == Status.DRAFT:
        return (
            Application.objects.filter(created_by=request.user, status=Status.DRAFT)
            .select_related("item", "version", "department")
            .order_by("-created_at")
        )
    if filters.department is not None and filters.department not in set(
        queue_departments(user=request.user).values_list("pk", flat=True)
    ):
        raise ProblemError("invalid_filter", _("不是您可以查看的部门。"))
    return queue_for(user=request.user, filters=filters)


def published_item(code: str) -> Item:
    """The item with that code, if published; a 404 problem otherwise."""
    item = (
        Item.objects.filter(code=str(code)[:64], current_version__isnull=False)
        .select_related("current_version")
        .first()
    )
    if item is None:
        raise ProblemError("item_not_found", _("事项不存在或尚未发布。"), status_code=404)
    return item


def _problem(exc: services.ApplicationError) -> ProblemError:
    errors = [{"field": k, "message": v} for k, v in exc.errors.items()]
    if not errors and exc.field:
        errors = [{"field": exc.field, "message": exc.message}]
    return ProblemError(exc.code, exc.message, status_code=exc.status, errors=errors)


def _visible(request: Request, pk: int) -> Application:
    application = get_object_or_404(Application.objects.select_related("item", "version"), pk=pk)
    if not services.can_view(user=request.user, application=application):
        raise ProblemError("not_found", _("找不到该申请。"), status_code=404)
    return application


def _valid(serializer_class, request: Request) -> dict[str, Any]:
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


class ApplicationList(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                str,
                description="a status; staff: `draft` lists the window drafts they started",
            ),
            OpenApiParameter("stage", str, description="staff: handle, check or approve"),
            OpenApiParameter(
                "department", str, description="staff: a department's code (or numeric id)"
            ),
            OpenApiParameter(
                "q",
                str,
                description="staff: tracking number, name, 公民身份号码 or 统一社会信用代码",
            ),
            OpenApiParameter("mine", bool, description="staff: only those I can act on now"),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses={200: ApplicationOutSerializer(many=True), 400: PROBLEM, 401: PROBLEM},
        tags=["applications"],
        summary="My applications (applicants) or the staff queue (as on the workbench)",
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        wanted = _list_filters(params)
        if request.user.is_staff:
            qs = _staff_queue(request, wanted)
        else:
            qs = selectors.applications_for_applicant(user=request.user)
            if wanted.status:
                qs = qs.filter(status=wanted.status)
            qs = qs.select_related("item", "version", "department").order_by("-created_at")
        limit, offset = paging(params)
        rows = list(
            qs.prefetch_related("materials", "events", "notices", "visits")[offset : offset + limit]
        )
        with staff_scope_memo():  # each row checks the same caller's roles
            out = ApplicationOutSerializer(rows, many=True, context={"user": request.user}).data
        if request.user.is_staff:
            for row in out:  # personal data only on the audited detail read
                row["data"] = {}
        response = Response(out)
        response["X-Total-Count"] = str(qs.count())
        return response

    @extend_schema(
        request=DraftCreateSerializer,
        responses={
            201: ApplicationOutSerializer,
            400: PROBLEM,
            401: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
        },
        tags=["applications"],
        summary="Start a draft on an item's current version",
    )
    def post(self, request: Request) -> Response:
        data = _valid(DraftCreateSerializer, request)
        item = published_item(data["item"])
        whom: dict[str, Any] = {}
        if data["on_behalf_of"]:
            whom = selectors.principal_for_key(data["on_behalf_of"]) or {}
            if not whom:
                raise ProblemError(
                    "no_authorisation", _("您没有代为办理该事项的有效委托。"), status_code=403
                )
        try:
            draft = services.draft_create(
                user=request.user,
                item=item,
                situation=data["situation"],
                channel=Application.Channel.API,
                **whom,
            )
        except services.ApplicationError as exc:
            raise _problem(exc) from None
        return _out(draft, request, status.HTTP_201_CREATED)


class ApplicationDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: ApplicationOutSerializer, 401: PROBLEM, 404: PROBLEM}, tags=["applications"]
    )
    def get(self, request: Request, pk: int) -> Response:
        return _out(_visible(request, pk), request)


class ApplicationFields(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        request=FieldsSerializer,
        responses={200: ApplicationOutSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM},
        tags=["applications"],
        summary="Save form values (checked against the item)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        application = _visible(request, pk)
        data = _valid(FieldsSerializer, request)
        try:
            services.draft_save_fields(
                application=application, user=request.user, data=data["data"]
            )
        except services.ApplicationError as exc:
            raise _problem(exc) from None
        return _out(application, request)


class ApplicationMaterialView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            },
            "application/json": MaterialChoiceSerializer,
        },
        responses={
            200: ApplicationOutSerializer,
            400: PROBLEM,
            404: PROBLEM,
            409: PROBLEM,
            413: PROBLEM,
            415: PROBLEM,
            422: PROBLEM,
        },
        tags=["applications"],
        summary="Upload a material, or satisfy it without a file",
        description="`shared` fetches the material's evidence from the department registry "
        "(the call is the applicant's consent) and uses it; when the registry cannot answer, "
        "a 422 problem (`exchange_*`) says so in Chinese and the material is to be uploaded.",
    )
    def post(self, request: Request, pk: int, code: str) -> Response:
        application = _visible(request, pk)
        try:
            upload = request.FILES.get("file") if request.FILES else None
            if upload is not None:
                services.material_upload(
                    application=application, user=request.user, code=code, upload=upload
                )
            else:
                data = _valid(MaterialChoiceSerializer, request)
                services.material_choose(
                    application=application, user=request.user, code=code, state=data["state"]
                )
        except services.ApplicationError as exc:
            raise _problem(exc) from None
        return _out(application, request)


class ApplicationSubmit(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        request=SubmitSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="repeating a key for the same application returns its "
                "confirmation again; at most 80 characters, and one key per application "
                "(a key the owner used for another application: 409 `idempotency_key_reused`)",
            )
        ],
        responses={
            201: SubmittedSerializer,
            200: SubmittedSerializer,
            400: PROBLEM,
            404: PROBLEM,
            409: OpenApiResponse(
                description="problem `idempotency_key_reused`: the key already submitted "
                "another of the owner's applications; "
                "problem `window_submit_required`: a window draft is submitted "
                "with its visit through `intake/applications/{id}/submit/`; "
                "problem `evidence_changed`: evidence fetched again before "
                "submission differs from what the applicant accepted; it waits in preview "
                "(see the application's evidence) and the material must be chosen as shared "
                "again, or uploaded, before submitting"
            ),
        },
        tags=["applications"],
        summary="Submit once (a repeat changes nothing); the confirmation",
    )
    def post(self, request: Request, pk: int) -> Response:
        application = _visible(request, pk)
        data = _valid(SubmitSerializer, request)
        key = str(request.headers.get("Idempotency-Key", ""))
        try:
            result = services.application_submit(
                application=application,
                user=request.user,
                idempotency_key=key,
                request=request,
                **data,
            )
        except services.ApplicationError as exc:
            raise _problem(exc) from None
        # The confirmation, as the page shows it; GET the application for everything else.
        return Response(
            SubmittedSerializer(result.application).data, status=201 if result.created else 200
        )


class ApplicationAct(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        request=ActionSerializer,
        responses={
            200: ApplicationOutSerializer,
            400: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            409: PROBLEM,
        },
        tags=["applications"],
        summary="Take a workflow action allowed now",
    )
    def post(self, request: Request, pk: int) -> Response:
        application = _visible(request, pk)
        data = _valid(ActionSerializer, request)
        try:
            application = services.application_act(
                application=application, user=request.user, request=request, **data
            )
        except services.ApplicationError as exc:
            raise _problem(exc) from None
        return _out(application, request)


class _RecordView(APIView):
    """POST a record (visit, delivery) made by staff about an application."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    body: type[serializers.Serializer]
    record: Callable[..., Any]  # a staticmethod service: visit_record, delivery_record

    def post(self, request: Request, pk: int) -> Response:
        application = _visible(request, pk)
        data = _valid(self.body, request)
        try:
            type(self).record(
                application=application, officer=request.user, request=request, **data
            )
        except services.ApplicationError as exc:
            raise _problem(exc) from None
        return _out(application, request, 201)


_RECORD_RESPONSES = {
    201: ApplicationOutSerializer,
    400: PROBLEM,
    403: PROBLEM,
    404: PROBLEM,
    409: PROBLEM,
}


class ApplicationVisit(_RecordView):
    body = VisitSerializer
    record = staticmethod(services.visit_record)

    @extend_schema(
        request=VisitSerializer,
        responses=_RECORD_RESPONSES,
        tags=["applications"],
        summary="Record a visit in person",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class ApplicationDelivery(_RecordView):
    body = DeliverySerializer
    record = staticmethod(services.delivery_record)

    @extend_schema(
        request=DeliverySerializer,
        responses=_RECORD_RESPONSES,
        tags=["applications"],
        summary="Record the delivery of the result",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class ApplicationExtension(_RecordView):
    body = ExtensionSerializer
    record = staticmethod(services.deadline_extend)

    @extend_schema(
        request=ExtensionSerializer,
        responses=_RECORD_RESPONSES,
        tags=["applications"],
        summary="延期: an approver adds working days to the limits, with a reason",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class ApplicationAssignment(_RecordView):
    body = AssignmentSerializer
    record = staticmethod(services.application_assign)

    @extend_schema(
        responses={200: AssignmentOutSerializer, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        tags=["applications"],
        summary="Who holds the application at its stage, and who may be given it",
    )
    def get(self, request: Request, pk: int) -> Response:
        from onetrip.applications.models import Assignment

        application = _visible(request, pk)
        if not request.user.is_staff:
            raise ProblemError("forbidden", _("只有工作人员可以查看分派。"), status_code=403)
        current = (
            Assignment.objects.filter(application=application, ended_at__isnull=True)
            .select_related("officer")
            .first()
        )
        return Response(
            AssignmentOutSerializer(
                {
                    "stage": application.stage or ReviewStage.Code.HANDLE,
                    "holder": current.officer if current else None,
                    "assignable": services.assignable_officers(application=application),
                }
            ).data
        )

    @extend_schema(
        request=AssignmentSerializer,
        responses=_RECORD_RESPONSES,
        tags=["applications"],
        summary="分派 or 领办: hand the application to an officer of its stage",
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class ApplicationFile(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            401: PROBLEM,
            404: PROBLEM,
        },
        tags=["applications"],
        summary="Download a material's file (or one the applicant replaced), as an attachment",
    )
    def get(self, request: Request, pk: int, file_id: int):
        from onetrip.applications.downloads import attachment
        from onetrip.applications.models import StoredFile

        application = _visible(request, pk)
        what = next(
            (w for a, w in selectors.file_holders(file_id=file_id) if a.pk == application.pk),
            None,
        )
        stored = StoredFile.objects.filter(pk=file_id).first() if what else None
        if stored is None:
            raise ProblemError("not_found", _("文件不存在。"), status_code=404)
        response = attachment(stored)
        if response is None:
            raise ProblemError("not_found", _("文件不存在。"), status_code=404)
        if _read_by_staff(request, application):
            _audit_read(request, application, f"接口下载材料“{what}”（文件 {stored.pk}）")
        return response


class NoticeDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: NoticeOutSerializer, 401: PROBLEM, 404: PROBLEM},
        tags=["applications"],
        summary="A written notice (受理、不予受理、补正、容缺、决定) by its number",
    )
    def get(self, request: Request, number: str) -> Response:
        notice = (
            Notice.objects.select_related("application__department", "application__version")
            .filter(number=number[:40])
            .first()
        )
        if notice is None or not services.can_view(
            user=request.user, application=notice.application
        ):
            raise ProblemError("not_found", _("找不到该文书。"), status_code=404)
        staff = _read_by_staff(request, notice.application)
        if staff:
            _audit_read(request, notice.application, f"接口查看文书 {notice.number}")
        return Response(NoticeOutSerializer(notice, context={"staff": staff}).data)


class ApplicationAudit(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: AuditRowSerializer(many=True), 401: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        tags=["applications"],
        summary="The application's audit timeline, each event checked against its hash",
    )
    def get(self, request: Request, pk: int) -> Response:
        from onetrip.audit.selectors import audit_timeline

        application = _visible(request, pk)
        if SUPERVISOR not in services.actor_roles(user=request.user, application=application):
            raise ProblemError("forbidden", _("只有监察人员可以查看审计记录。"), status_code=403)
        events = []
        for event, intact in audit_timeline(target=application):
            event.intact = intact
            events.append(event)
        return Response(AuditRowSerializer(events, many=True).data)


class MyPrincipals(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("item", str, required=True, description="事项实施编码")],
        responses={200: PrincipalSerializer(many=True), 401: PROBLEM, 404: PROBLEM},
        tags=["applications"],
        summary="Whom I may apply for on an item under a 委托 in force",
    )
    def get(self, request: Request) -> Response:
        item = published_item(request.query_params.get("item", ""))
        version = item.current_version
        rows = selectors.principals_for_agent(
            user=request.user,
            item_code=item.code,
            persons=version.serves_persons,
            enterprises=version.serves_enterprises,
        )
        return Response(PrincipalSerializer(rows, many=True).data)


class Track(APIView):
    permission_classes = [AllowAny]
    throttle_scope = "track"

    @extend_schema(
        parameters=[
            OpenApiParameter("number", str, required=True),
            OpenApiParameter("code", str, required=True),
        ],
        responses={
            200: OpenApiTypes.OBJECT,
            404: PROBLEM,
            429: OpenApiResponse(
                description="problem `too_many`: 30 lookups an hour per client; `Retry-After`"
            ),
        },
        tags=["applications"],
        summary="Public progress by tracking number and code",
    )
    def get(self, request: Request) -> Response:
        if not services.track_lookup_allowed(request):  # the page's budget, shared
            raise ProblemError(
                "too_many", _("查询过于频繁，请一小时后再试。"), status_code=429, retry_after=3600
            )
        result = selectors.application_track(
            tracking_number=str(request.query_params.get("number", ""))[:20],
            query_code=str(request.query_params.get("code", ""))[:6],
        )
        if result is None:
            raise ProblemError("not_found", _("申办流水号或查询码不正确。"), status_code=404)
        return Response(result)
