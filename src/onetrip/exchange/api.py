"""REST API of the exchange: an application's evidence with provenance, and my data-use log."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onetrip.applications import services as app_services
from onetrip.applications.models import Application
from onetrip.core.problems import ProblemError
from onetrip.exchange import selectors, services

PROBLEM = OpenApiResponse(description="RFC 9457 problem document (application/problem+json)")


class EvidenceOutSerializer(serializers.Serializer):
    material = serializers.CharField(help_text="材料代码")
    state = serializers.CharField(help_text="preview / used / declined / failed")
    evidence_type = serializers.CharField()
    provider = serializers.CharField(help_text="提供部门")
    request_id = serializers.CharField(allow_blank=True)
    fetched_at = serializers.DateTimeField(allow_null=True)
    digest = serializers.CharField(allow_blank=True, help_text="SHA-256 of the signed answer")
    signature = serializers.CharField(
        allow_blank=True, help_text="the registry's Ed25519 signature"
    )
    verified = serializers.BooleanField(help_text="the stored answer still matches its signature")
    verified_by = serializers.CharField(
        allow_blank=True,
        help_text="the registry key that verified it: `current`, the file name of a retired "
        "key (signed before a key rotation), or empty when none does",
    )
    purpose = serializers.CharField()
    failure = serializers.CharField(allow_blank=True)
    data = serializers.DictField(
        help_text="数据项 → 值（含待申请人预览的数据；工作人员和代办人读取时证件号码脱敏）"
    )


class DataUseOutSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    kind = serializers.CharField(help_text="fetch / reuse / failed / view")
    kind_label = serializers.CharField()
    evidence_type = serializers.CharField()
    evidence_name = serializers.CharField(source="type_label")
    department = serializers.CharField()
    actor_role = serializers.CharField()
    purpose = serializers.CharField()
    tracking_number = serializers.CharField(
        source="application.tracking_number", allow_null=True, default=None
    )


class ApplicationEvidence(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: EvidenceOutSerializer(many=True), 401: PROBLEM, 404: PROBLEM},
        tags=["exchange"],
        summary="Evidence fetched for an application, with provenance and signature check",
    )
    def get(self, request: Request, pk: int) -> Response:
        application = Application.objects.filter(pk=pk).select_related("version").first()
        if application is None or not app_services.can_view(
            user=request.user, application=application
        ):
            raise ProblemError("not_found", _("找不到该申请。"), status_code=404)
        # Only the person the data is about sees it unmasked and unlogged; staff and agents
        # (代办人) see personal numbers masked, and each of their views is in the person's log.
        own = services.viewer_is_subject(user=request.user, application=application)
        applicant_side = "applicant" in app_services.actor_roles(
            user=request.user, application=application
        )
        if not own:
            services.evidence_viewed(application=application, user=request.user, request=request)
        rows = []
        evidence = selectors.evidence_rows(
            application=application, masked=not own, previews=applicant_side
        )
        for code, row in evidence.items():
            link, ev, kind = row["link"], row["evidence"], row["kind"]
            rows.append(
                {
                    "material": code,
                    "state": link.state,
                    "evidence_type": link.evidence_type,
                    "provider": kind.provider.name if kind else "",
                    "request_id": ev.request_id if ev else "",
                    "fetched_at": ev.fetched_at if ev else None,
                    "digest": ev.digest if ev else "",
                    "signature": ev.signature if ev else "",
                    "verified": bool(row.get("verified")),
                    "verified_by": row.get("verified_by", ""),
                    "purpose": link.purpose,
                    "failure": link.failure_message,
                    "data": dict(row.get("preview", [])),
                }
            )
        return Response(EvidenceOutSerializer(rows, many=True).data)


class MyDataUse(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: DataUseOutSerializer(many=True), 401: PROBLEM},
        tags=["exchange"],
        summary="谁使用了我的数据: every fetch and staff view of my data",
    )
    def get(self, request: Request) -> Response:
        uses = selectors.data_uses_for_user(user=request.user)[:500]
        return Response(DataUseOutSerializer(uses, many=True).data)
