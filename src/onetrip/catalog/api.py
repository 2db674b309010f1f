"""REST API for the catalogue: public reads, catalogue-staff writes (problem documents on error)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onetrip.accounts.selectors import staff_department_ids, staff_has_role
from onetrip.catalog import selectors, services, transfer
from onetrip.catalog.documents import item_document
from onetrip.catalog.models import Department, Item, ItemVersion
from onetrip.catalog.serializers import ItemDocumentSerializer, VersionContentSerializer
from onetrip.core.parsers import JSONParser
from onetrip.core.problems import ProblemError

# ------------------------------------------------------------------ serializers


PROBLEM = OpenApiResponse(description="RFC 9457 problem document (application/problem+json)")


class DepartmentSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Department
        fields = [
            "code",
            "name",
            "name_en",
            "short_name",
            "credit_code",
            "parent",
            "role",
            "address",
            "phone",
            "office_hours",
            "reconsideration_body",
            "litigation_court",
        ]


class ItemSummarySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="item.code")
    department = serializers.CharField(source="item.department.code")
    department_name = serializers.CharField(source="item.department.name")
    version = serializers.IntegerField(source="number")
    # Declared explicitly so the schema does not vary with the database's integer ranges.
    promised_limit = serializers.IntegerField(read_only=True)
    legal_limit = serializers.IntegerField(read_only=True, allow_null=True)
    visits_required = serializers.IntegerField(read_only=True)
    online_depth = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ItemVersion
        fields = [
            "code",
            "name",
            "name_en",
            "kind",
            "department",
            "department_name",
            "serves_persons",
            "serves_enterprises",
            "handling_type",
            "promised_limit",
            "promised_limit_unit",
            "legal_limit",
            "legal_limit_unit",
            "visits_required",
            "online_available",
            "online_depth",
            "version",
            "published_at",
            "url",
        ]

    def get_url(self, obj: ItemVersion) -> str:
        return f"/items/{obj.item.code}/"


class VersionMetaSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(read_only=True)
    published_by = serializers.CharField(source="published_by.username", default=None)

    class Meta:
        model = ItemVersion
        fields = [
            "number",
            "status",
            "change_note",
            "created_at",
            "published_at",
            "published_by",
            "content_digest",
        ]


class ItemDetailSerializer(ItemDocumentSerializer):
    """An item document with the version it came from."""

    version = VersionMetaSerializer(read_only=True)


class DiffRowSerializer(serializers.Serializer):
    section = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()
    change = serializers.ChoiceField(choices=["added", "removed", "changed"])


class ChecklistMaterialSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    material_type = serializers.CharField()
    material_form = serializers.CharField()
    copies = serializers.IntegerField()
    necessity = serializers.CharField()
    condition = serializers.CharField()
    source = serializers.CharField()
    source_department = serializers.CharField(source="source_department.code", default="")
    must_bring = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()

    def get_must_bring(self, obj) -> bool:
        return not obj.not_brought

    def get_reason(self, obj) -> str:
        dept = obj.source_department.name if obj.source_department else ""
        return {
            "shared": f"由{dept}通过数据共享提供，无需提交",
            "elicence": f"从电子证照库调取（{dept}核发），无需提交",
            "commitment": "以书面告知承诺替代，无需提交",
            "online_form": "在线填写申请表即可，提交即签名，无需另交纸质表",
            "issued": f"需要提交，由{dept}出具",
        }.get(obj.source, "需要提交（申请人自备）")


def _document_response(item: Item, version: ItemVersion) -> dict[str, Any]:
    doc = item_document(item, version)
    doc["version"] = VersionMetaSerializer(version).data
    return doc


def _require_staff(request: Request, item: Item | None = None) -> None:
    if not request.user.is_authenticated:
        raise ProblemError("not_authenticated", _("请先登录。"), status_code=401)
    dept_id = item.department_id if item else None
    if not staff_has_role(user=request.user, role="catalogue", department_id=dept_id):
        raise ProblemError("forbidden", _("您没有管理该部门事项的权限。"), status_code=403)


def _catalog_error(exc: services.CatalogError) -> ProblemError:
    status_code = {"forbidden": 403, "quality_rules_failed": 422}.get(exc.code, 409)
    return ProblemError(
        exc.code,
        exc.message,
        status_code=status_code,
        errors=[v.as_dict() for v in exc.violations],
    )


def _staff_item(request: Request, code: str) -> Item:
    item = get_object_or_404(Item.objects.select_related("department"), code=code)
    _require_staff(request, item)
    return item


def _validated(serializer_class, request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise ProblemError("invalid_body", _("请求体必须是 JSON 对象。"))
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    return transfer._plain(s.validated_data)


# ------------------------------------------------------------------ views


class DepartmentList(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: DepartmentSerializer(many=True)}, tags=["catalogue"])
    def get(self, request: Request) -> Response:
        qs = Department.objects.select_related("parent").order_by("order", "code")
        return Response(DepartmentSerializer(qs, many=True).data)


class GuideQuerySerializer(serializers.Serializer):
    """Query parameters of the public list; anything malformed is a 400 problem."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text="名称、简称或拼音首字母，如 社保卡 / sbk",
    )
    department = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        default="",
        help_text="部门代码（含下属单位）",
    )
    target = serializers.ChoiceField(choices=["person", "enterprise"], required=False)
    zero_visits = serializers.BooleanField(required=False, default=False)
    fully_online = serializers.BooleanField(required=False, default=False)
    instant = serializers.BooleanField(required=False, default=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)
    offset = serializers.IntegerField(required=False, min_value=0, default=0)


def _query(serializer_class, request: Request) -> dict[str, Any]:
    s = serializer_class(data=request.query_params.dict())
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


class ItemList(APIView):
    parser_classes = [JSONParser]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(
        parameters=[GuideQuerySerializer],
        responses={200: ItemSummarySerializer(many=True), 400: PROBLEM},
        tags=["catalogue"],
        summary="Published items (the public list)",
    )
    def get(self, request: Request) -> Response:
        params = _query(GuideQuerySerializer, request)
        limit, offset = params.pop("limit"), params.pop("offset")
        ids = selectors.guide_search_ids(selectors.GuideFilters(**params))
        page = selectors.versions_in_order(ids[offset : offset + limit])
        response = Response(ItemSummarySerializer(page, many=True).data)
        response["X-Total-Count"] = str(len(ids))
        return response

    @extend_schema(
        request=ItemDocumentSerializer,
        responses={
            201: ItemDetailSerializer,
            400: PROBLEM,
            401: PROBLEM,
            403: PROBLEM,
            409: PROBLEM,
        },
        tags=["catalogue staff"],
        summary="Create an item with its first draft version",
    )
    def post(self, request: Request) -> Response:
        _require_staff(request)
        data = _validated(ItemDocumentSerializer, request)
        try:
            item = services.item_create(data=data, user=request.user)
        except services.CatalogError as exc:
            raise _catalog_error(exc) from None
        draft = services.item_draft(item=item)
        return Response(_document_response(item, draft), status=status.HTTP_201_CREATED)


class ItemDetail(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: ItemDetailSerializer, 404: PROBLEM},
        tags=["catalogue"],
        summary="The current published guide of one item",
    )
    def get(self, request: Request, code: str) -> Response:
        item = get_object_or_404(
            Item.objects.select_related("department", "current_version"),
            code=code,
            current_version__isnull=False,
        )
        return Response(_document_response(item, item.current_version))


class ItemChecklist(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("situation", str, description="情形代码")],
        responses={200: ChecklistMaterialSerializer(many=True), 404: PROBLEM},
        tags=["catalogue"],
        summary="Materials for one situation, and which need not be brought",
    )
    def get(self, request: Request, code: str) -> Response:
        item = get_object_or_404(Item, code=code, current_version__isnull=False)
        version = selectors.version_with_content(item.current_version_id)
        situation = str(request.query_params.get("situation", ""))
        if situation and not version.situations.filter(code=situation).exists():
            raise ProblemError(
                "unknown_situation",
                _("情形“{situation}”不存在。").format(situation=situation),
                status_code=404,
            )
        materials = selectors.materials_for_situation(version, situation)
        return Response(ChecklistMaterialSerializer(materials, many=True).data)


class ItemVersionList(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: VersionMetaSerializer(many=True), 401: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        tags=["catalogue staff"],
        summary="Version history of an item",
    )
    def get(self, request: Request, code: str) -> Response:
        item = _staff_item(request, code)
        return Response(VersionMetaSerializer(item.versions.order_by("number"), many=True).data)


class ItemVersionDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: ItemDetailSerializer, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        tags=["catalogue staff"],
    )
    def get(self, request: Request, code: str, number: int) -> Response:
        item = _staff_item(request, code)
        version = get_object_or_404(item.versions, number=number)
        return Response(_document_response(item, version))


class ItemDiff(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, required=True),
            OpenApiParameter("to", int, required=True),
        ],
        responses={
            200: DiffRowSerializer(many=True),
            400: PROBLEM,
            401: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
        },
        tags=["catalogue staff"],
        summary="Readable diff between two versions",
    )
    def get(self, request: Request, code: str) -> Response:
        item = _staff_item(request, code)
        numbers = []
        for key in ("from", "to"):
            try:
                numbers.append(int(request.query_params[key]))
            except (KeyError, ValueError):
                raise ProblemError(
                    "invalid_version", _("参数 {key} 必须是版本号（整数）。").format(key=key)
                ) from None
        old = get_object_or_404(item.versions, number=numbers[0])
        new = get_object_or_404(item.versions, number=numbers[1])
        rows = selectors.version_diff(old, new)
        return Response(DiffRowSerializer(rows, many=True).data)


class ItemDraft(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        responses={200: ItemDetailSerializer, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        tags=["catalogue staff"],
    )
    def get(self, request: Request, code: str) -> Response:
        item = _staff_item(request, code)
        draft = services.item_draft(item=item)
        if draft is None:
            raise ProblemError("no_draft", _("该事项没有草稿。"), status_code=404)
        return Response(_document_response(item, draft))

    @extend_schema(
        request=VersionContentSerializer,
        responses={
            200: ItemDetailSerializer,
            400: PROBLEM,
            401: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
        },
        tags=["catalogue staff"],
        summary="Replace the draft's content (creates the next draft if there is none)",
    )
    def put(self, request: Request, code: str) -> Response:
        item = _staff_item(request, code)
        data = _validated(VersionContentSerializer, request)
        try:
            draft = services.item_draft_save(item=item, data=data, user=request.user)
        except services.CatalogError as exc:
            raise _catalog_error(exc) from None
        return Response(_document_response(item, draft))

    @extend_schema(
        responses={204: None, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM}, tags=["catalogue staff"]
    )
    def delete(self, request: Request, code: str) -> Response:
        item = _staff_item(request, code)
        try:
            services.item_draft_discard(item=item, user=request.user)
        except services.CatalogError as exc:
            raise ProblemError(exc.code, exc.message, status_code=404) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class ItemDraftPublish(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: ItemDetailSerializer,
            401: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            422: OpenApiResponse(description="quality rules failed: every violation"),
        },
        tags=["catalogue staff"],
        summary="Publish the draft after the quality rules",
    )
    def post(self, request: Request, code: str) -> Response:
        item = _staff_item(request, code)
        draft = services.item_draft(item=item)
        if draft is None:
            raise ProblemError("no_draft", _("该事项没有草稿。"), status_code=404)
        try:
            version = services.item_version_publish(version=draft, user=request.user)
        except services.CatalogError as exc:
            raise _catalog_error(exc) from None
        item.refresh_from_db()
        return Response(_document_response(item, version))


IMPORT_RESULT = inline_serializer(
    "ImportResult",
    {
        "departments": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "published": serializers.IntegerField(),
    },
)


class CatalogueExport(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
        tags=["catalogue"],
        summary="The published catalogue as JSON",
    )
    def get(self, request: Request) -> HttpResponse:
        response = HttpResponse(transfer.export_json(), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="onetrip-catalogue.json"'
        return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CatalogueExportXlsx(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={(200, XLSX): OpenApiTypes.BINARY},
        tags=["catalogue"],
        summary="The published catalogue as an .xlsx workbook",
    )
    def get(self, request: Request) -> HttpResponse:
        response = HttpResponse(transfer.export_xlsx(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="onetrip-catalogue.xlsx"'
        return response


class ImportQuerySerializer(serializers.Serializer):
    publish = serializers.BooleanField(required=False, default=False)


class CatalogueImport(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "CatalogueUpload",
                {
                    "file": serializers.FileField(
                        help_text=".json or .xlsx in the catalogue format"
                    ),
                },
            ),
            "application/json": OpenApiTypes.OBJECT,
        },
        parameters=[ImportQuerySerializer],
        responses={200: IMPORT_RESULT, 400: PROBLEM, 401: PROBLEM, 403: PROBLEM, 422: PROBLEM},
        tags=["catalogue staff"],
        summary="Import departments and items; nothing is written if anything is wrong",
    )
    def post(self, request: Request) -> Response:
        _require_staff(request)
        publish = _query(ImportQuerySerializer, request)["publish"]
        upload = request.FILES.get("file") if hasattr(request, "FILES") else None
        if upload is not None:
            if upload.size > 20 * 1024 * 1024:
                raise ProblemError("file_too_large", _("文件不能超过 20 MB。"), status_code=413)
            raw = upload.read()
            is_xlsx = raw[:2] == b"PK"
            bundle = transfer.parse_xlsx(raw) if is_xlsx else transfer.parse_json(raw)
        elif isinstance(request.data, dict) and (
            "items" in request.data or "departments" in request.data
        ):
            bundle = transfer.parse_mapping(request.data)
        else:
            raise ProblemError(
                "invalid_body", _("请上传 file（.json 或 .xlsx），或提交 JSON 对象。")
            )
        scope = staff_department_ids(user=request.user, role="catalogue")
        try:
            departments, items = transfer.validate_documents(bundle, publish=publish, scope=scope)
        except transfer.ImportRejected as exc:
            raise ProblemError(
                "import_rejected",
                str(exc),
                status_code=422,
                errors=[p.as_dict() for p in exc.problems],
            ) from None
        try:
            with transaction.atomic():
                counts = services.catalogue_import(
                    departments=departments,
                    items=items,
                    user=request.user,
                    publish=publish,
                )
        except services.CatalogError as exc:
            raise _catalog_error(exc) from None
        return Response(counts)
