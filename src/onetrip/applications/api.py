"""REST API for applications: the same operations as the pages, for applicants and staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onetrip.accounts.selectors import staff_department_ids
from onetrip.applications import selectors, services
from onetrip.applications.formdata import form_fields_for, mask_values
from onetrip.applications.models import Application
from onetrip.applications.workflow import Action
from onetrip.catalog.models import Item
from onetrip.core.problems import ProblemError

PROBLEM = OpenApiResponse(description="RFC 9457 problem document (application/problem+json)")


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so nothing (a status, an owner) can be smuggled in."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({k: ["不允许提交该字段。"] for k in unknown})
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
        help_text="required when the method is not the one the applicant chose",
    )


class MaterialOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField()
    file = serializers.IntegerField(source="file_id", allow_null=True)


class EventOutSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField(source="action_label")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    stage = serializers.CharField()
    note = serializers.CharField()
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
    events = EventOutSerializer(many=True)
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
            "allowed_actions",
            "visits",
        ]

    def get_allowed_actions(self, obj) -> list[str]:
        return [
            a.value for a in services.allowed_actions(user=self.context["user"], application=obj)
        ]

    def get_visits(self, obj) -> dict[str, int]:
        return {"count": obj.visits.count(), "promised": obj.version.visits_required}

    def get_query_code(self, obj) -> str:
        roles = services.actor_roles(user=self.context["user"], application=obj)
        return obj.query_code if "applicant" in roles or "window" in roles else ""


def _out(application: Application, request: Request, code: int = 200) -> Response:
    application = Application.objects.select_related("item", "version", "department").get(
        pk=application.pk
    )
    data = ApplicationOutSerializer(application, context={"user": request.user}).data
    if request.user.is_staff and "applicant" not in services.actor_roles(
        user=request.user, application=application
    ):
        _staff_read(request, application, data)
    return Response(data, status=code)


def _staff_read(request: Request, application: Application, data: dict) -> None:
    """Staff see personal numbers masked, and every read of a person's data is logged."""
    from onetrip.audit.services import audit_append

    fields = form_fields_for(application.version, application.situation)
    data["data"] = mask_values(fields, data.get("data") or {})
    audit_append(
        actor=request.user,
        action="application.view",
        target=application,
        request=request,
        summary=f"接口查看办件 {application}",
    )


def _problem(exc: services.ApplicationError) -> ProblemError:
    errors = [{"field": k, "message": v} for k, v in exc.errors.items()]
    return ProblemError(exc.code, exc.message, status_code=exc.status, errors=errors)


def _visible(request: Request, pk: int) -> Application:
    application = get_object_or_404(Application.objects.select_related("item", "version"), pk=pk)
    if not services.can_view(user=request.user, application=application):
        raise ProblemError("not_found", "找不到该申请。", status_code=404)
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
            OpenApiParameter("status", str),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses={200: ApplicationOutSerializer(many=True), 401: PROBLEM},
        tags=["applications"],
        summary="My applications (applicants) or my departments' (staff)",
    )
    def get(self, request: Request) -> Response:
        if request.user.is_staff:
            ids: set[int] | None = set()
            for role in ("handler", "checker", "approver", "supervisor", "window"):
                got = staff_department_ids(user=request.user, role=role)
                if got is None:
                    ids = None
                    break
                ids |= got
            qs = Application.objects.exclude(status="draft")
            if ids is not None:
                qs = qs.filter(Q(department_id__in=ids) | Q(created_by=request.user))
        else:
            qs = selectors.applications_for_applicant(user=request.user)
        if request.query_params.get("status"):
            qs = qs.filter(status=request.query_params["status"])
        try:
            limit = max(1, min(int(request.query_params.get("limit", 50)), 200))
            offset = max(0, min(int(request.query_params.get("offset", 0)), 10**7))
        except ValueError:
            raise ProblemError("invalid_paging", "limit 和 offset 必须是整数。") from None
        qs = qs.select_related("item", "version", "department").order_by("-created_at")
        rows = list(qs[offset : offset + limit])
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
        item = Item.objects.filter(code=data["item"], current_version__isnull=False).first()
        if item is None:
            raise ProblemError("item_not_found", "事项不存在或尚未发布。", status_code=404)
        try:
            draft = services.draft_create(
                user=request.user,
                item=item,
                situation=data["situation"],
                channel=Application.Channel.API,
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
                description="repeating a key returns the same application",
            )
        ],
        responses={
            201: SubmittedSerializer,
            200: SubmittedSerializer,
            400: PROBLEM,
            404: PROBLEM,
            409: OpenApiResponse(
                description="problem `evidence_changed`: evidence fetched again before "
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
        key = str(request.headers.get("Idempotency-Key", ""))[:80]
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


class Track(APIView):
    permission_classes = [AllowAny]
    throttle_scope = "track"

    @extend_schema(
        parameters=[
            OpenApiParameter("number", str, required=True),
            OpenApiParameter("code", str, required=True),
        ],
        responses={200: OpenApiTypes.OBJECT, 404: PROBLEM},
        tags=["applications"],
        summary="Public progress by tracking number and code",
    )
    def get(self, request: Request) -> Response:
        from onetrip.core.ratelimit import rate_limit_hit

        # The same budget as the page: 30 lookups an hour per address.
        if not rate_limit_hit(f"track:{request.META.get('REMOTE_ADDR', '')}", 30, 3600):
            raise ProblemError(
                "too_many_requests", "查询过于频繁，请一小时后再试。", status_code=429
            )
        result = selectors.application_track(
            tracking_number=str(request.query_params.get("number", ""))[:20],
            query_code=str(request.query_params.get("code", ""))[:6],
        )
        if result is None:
            raise ProblemError("not_found", "申办流水号或查询码不正确。", status_code=404)
        return Response(result)
