"""REST API for the window (一窗受理, 登记委托): the same operations as the workbench pages.

Find or register the applicant, start a window draft on their behalf (then fields and
materials go through the applications endpoints), submit it with the visit recorded, and
record, find and revoke 委托. Only staff holding the window role may call these.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onetrip.accounts import services as accounts
from onetrip.accounts.api import accounts_problem
from onetrip.accounts.models import Authorisation, Enterprise, Person
from onetrip.accounts.services import AccountsError
from onetrip.applications import services
from onetrip.applications.api import (
    PROBLEM,
    ApplicationOutSerializer,
    StrictSerializer,
    SubmittedSerializer,
    _out,
    _problem,
    _valid,
    published_item,
)
from onetrip.applications.models import Application
from onetrip.core.parsers import JSONParser
from onetrip.core.problems import ProblemError
from onetrip.workbench import selectors
from onetrip.workbench.authorisations import grant_record, grants_listed
from onetrip.workbench.intake import audit_lookup, window_submit

TAGS = ["window"]
ERRORS = {400: PROBLEM, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM}


class WindowOfficer(BasePermission):
    """Staff holding the window (窗口受理) role; anyone else signed in → 403 ``forbidden``."""

    message = gettext_lazy("只有窗口工作人员可以办理窗口受理。")
    code = "forbidden"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return services.holds_window_role(request.user)


class WindowView(APIView):
    permission_classes = [IsAuthenticated, WindowOfficer]
    parser_classes = [JSONParser]


def _param(request: Request, name: str) -> str:
    return str(request.query_params.get(name, ""))[:40]


# ------------------------------------------------------------------ serializers


class PersonInSerializer(StrictSerializer):
    real_name = serializers.CharField(max_length=50, allow_blank=True, help_text="姓名")
    id_number = serializers.CharField(max_length=40, allow_blank=True, help_text="公民身份号码")
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="手机号码"
    )


class PersonOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    real_name = serializers.CharField()
    id_number = serializers.CharField(source="id_number_masked", help_text="masked")
    phone = serializers.CharField(source="phone_masked", help_text="masked")


class EnterpriseInSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, allow_blank=True, help_text="单位名称")
    credit_code = serializers.CharField(
        max_length=40, allow_blank=True, help_text="统一社会信用代码"
    )
    legal_representative = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    override_reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="an officer's check of a legal early pilot code failing the check digit",
    )


class EnterpriseOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()
    legal_representative = serializers.CharField()
    credit_code_override = serializers.BooleanField()


class IntakeCreateSerializer(StrictSerializer):
    item = serializers.CharField(max_length=64, help_text="事项实施编码")
    situation = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    person = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="a person's id"
    )
    enterprise = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text="an enterprise's id"
    )


class WindowSubmitSerializer(StrictSerializer):
    place = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="受理窗口; the officer's own window when left out",
    )
    over_promise_reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    delivery_method = serializers.ChoiceField(
        choices=Application.Delivery.choices, required=False, allow_blank=True, default=""
    )
    delivery_address = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class WindowSubmittedSerializer(SubmittedSerializer):
    """收件回执: the reference numbers to hand over, and the visits on record."""

    channel = serializers.CharField()
    visits = serializers.SerializerMethodField()

    class Meta(SubmittedSerializer.Meta):
        fields = [*SubmittedSerializer.Meta.fields, "channel", "visits"]

    def get_visits(self, obj) -> dict[str, int]:
        return {"count": obj.visits.count(), "promised": obj.version.visits_required}


class GrantInSerializer(StrictSerializer):
    agent_id_number = serializers.CharField(
        max_length=40, allow_blank=True, help_text="受托人公民身份号码"
    )
    principal_kind = serializers.ChoiceField(
        choices=["person", "enterprise"], required=False, default="person"
    )
    principal_id_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    principal_credit_code = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    item_codes = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        max_length=200,
        help_text="事项实施编码; empty means every item",
    )
    valid_from = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default="", help_text="today if left out"
    )
    valid_until = serializers.CharField(max_length=10, allow_blank=True, help_text="2026-01-31")
    document_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="委托书编号"
    )


class RevokeSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class GrantOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agent = PersonOutSerializer()
    principal_person = PersonOutSerializer(allow_null=True)
    principal_enterprise = EnterpriseOutSerializer(allow_null=True)
    item_codes = serializers.ListField(child=serializers.CharField())
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    document_reference = serializers.CharField()
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    in_force = serializers.SerializerMethodField(help_text="not revoked, and today in its period")

    def get_in_force(self, obj) -> bool:
        return obj.in_force(timezone.localdate())


# ------------------------------------------------------------------ applicants


class PersonLookup(WindowView):
    @extend_schema(
        parameters=[OpenApiParameter("id_number", str, required=True, description="公民身份号码")],
        responses={200: PersonOutSerializer, **ERRORS},
        tags=TAGS,
        summary="Find a registered person by 公民身份号码 (the lookup is audited)",
        description="404 problem `person_not_found` when nobody is registered under the number; "
        "a malformed number is a 400 problem (`id_number_missing`, `id_number_invalid`).",
    )
    def get(self, request: Request) -> Response:
        try:
            person = accounts.person_find(id_number=_param(request, "id_number"))
        except AccountsError as exc:
            raise accounts_problem(exc) from None
        if person is None:
            raise ProblemError(
                "person_not_found", _("没有找到该公民身份号码登记的自然人。"), status_code=404
            )
        audit_lookup(request, person, "窗口按公民身份号码查找自然人")
        return Response(PersonOutSerializer(person).data)

    @extend_schema(
        request=PersonInSerializer,
        responses={201: PersonOutSerializer, **ERRORS},
        tags=TAGS,
        summary="Register a person (the ID number's check digit and birth date are checked)",
    )
    def post(self, request: Request) -> Response:
        data = _valid(PersonInSerializer, request)
        try:
            person = accounts.person_register(**data, created_by=request.user)
        except AccountsError as exc:
            raise accounts_problem(exc) from None
        return Response(PersonOutSerializer(person).data, status=status.HTTP_201_CREATED)


class EnterpriseLookup(WindowView):
    @extend_schema(
        parameters=[
            OpenApiParameter("credit_code", str, required=True, description="统一社会信用代码")
        ],
        responses={200: EnterpriseOutSerializer, **ERRORS},
        tags=TAGS,
        summary="Find a registered enterprise by 统一社会信用代码 (the lookup is audited)",
        description="404 problem `enterprise_not_found`; no code: 400 `credit_code_missing`.",
    )
    def get(self, request: Request) -> Response:
        try:
            enterprise = accounts.enterprise_find(credit_code=_param(request, "credit_code"))
        except AccountsError as exc:
            raise accounts_problem(exc) from None
        if enterprise is None:
            raise ProblemError(
                "enterprise_not_found", _("没有找到该统一社会信用代码登记的单位。"), status_code=404
            )
        audit_lookup(request, enterprise, "窗口按统一社会信用代码查找单位")
        return Response(EnterpriseOutSerializer(enterprise).data)

    @extend_schema(
        request=EnterpriseInSerializer,
        responses={201: EnterpriseOutSerializer, **ERRORS},
        tags=TAGS,
        summary="Register an enterprise; a legal code failing the check needs override_reason",
    )
    def post(self, request: Request) -> Response:
        data = _valid(EnterpriseInSerializer, request)
        try:
            enterprise = accounts.enterprise_register(**data, officer=request.user)
        except AccountsError as exc:
            raise accounts_problem(exc) from None
        return Response(EnterpriseOutSerializer(enterprise).data, status=status.HTTP_201_CREATED)


# ------------------------------------------------------------------ window drafts


class IntakeCreate(WindowView):
    @extend_schema(
        request=IntakeCreateSerializer,
        responses={201: ApplicationOutSerializer, **ERRORS},
        tags=TAGS,
        summary="Start a window draft on any published item for a person or an enterprise",
        description="Exactly one of `person` and `enterprise` (400 `applicant_required`). Then "
        "`PATCH applications/{id}/fields/`, `POST applications/{id}/materials/{code}/` "
        "(`original_checked` at the window) and `POST intake/applications/{id}/submit/`.",
    )
    def post(self, request: Request) -> Response:
        data = _valid(IntakeCreateSerializer, request)
        if (data["person"] is None) == (data["enterprise"] is None):
            message = _("请指定一个申请人：自然人（person）或单位（enterprise），二选一。")
            raise ProblemError(
                "applicant_required", message, errors=[{"field": "person", "message": message}]
            )
        whom: dict[str, Any] = {}
        if data["person"] is not None:
            whom["applicant_person"] = Person.objects.filter(pk=data["person"]).first()
            if whom["applicant_person"] is None:
                raise ProblemError("person_not_found", _("没有找到该自然人。"), status_code=404)
        else:
            whom["applicant_enterprise"] = Enterprise.objects.filter(pk=data["enterprise"]).first()
            if whom["applicant_enterprise"] is None:
                raise ProblemError("enterprise_not_found", _("没有找到该单位。"), status_code=404)
        item = published_item(data["item"])
        try:
            draft = services.draft_create(
                user=request.user,
                item=item,
                situation=data["situation"],
                channel=Application.Channel.WINDOW,
                **whom,
            )
        except services.ApplicationError as exc:
            raise _problem(exc) from None
        return _out(draft, request, status.HTTP_201_CREATED)


class IntakeSubmit(WindowView):
    @extend_schema(
        request=WindowSubmitSerializer,
        responses={
            201: WindowSubmittedSerializer,
            200: WindowSubmittedSerializer,
            **ERRORS,
            409: OpenApiResponse(
                description="problem `over_promise_reason_required`: this visit goes over the "
                "item's promised number of visits; say why in `over_promise_reason`"
            ),
        },
        tags=TAGS,
        summary="Submit a window draft and record the applicant's visit, in one go or neither",
        description="What the page's last step does. A repeat answers 200 with the same "
        "receipt and records no second visit. (`POST applications/{id}/submit/` refuses a "
        "window draft: `window_submit_required`.)",
    )
    def post(self, request: Request, pk: int) -> Response:
        application = (
            Application.objects.select_related("item", "version", "applicant_person")
            .filter(pk=pk, channel=Application.Channel.WINDOW)
            .first()
        )
        if application is None or not services.can_view(user=request.user, application=application):
            raise ProblemError("not_found", _("找不到该窗口受理申请。"), status_code=404)
        data = _valid(WindowSubmitSerializer, request)
        data["place"] = data["place"] or selectors.window_place(user=request.user)
        try:
            result = window_submit(request=request, application=application, **data)
        except services.ApplicationError as exc:
            raise _problem(exc) from None
        return Response(
            WindowSubmittedSerializer(result.application).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


# ------------------------------------------------------------------ 委托


class GrantList(WindowView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "id_number",
                str,
                description="公民身份号码: grants not revoked where that person is agent or "
                "principal (the lookup is audited); left out: the last ones I recorded",
            )
        ],
        responses={200: GrantOutSerializer(many=True), **ERRORS},
        tags=TAGS,
        summary="Find 委托 by either person's 公民身份号码",
    )
    def get(self, request: Request) -> Response:
        number = _param(request, "id_number")
        if not number:
            return Response(GrantOutSerializer(grants_listed(officer=request.user), many=True).data)
        try:
            person = accounts.person_find(id_number=number)
        except AccountsError as exc:
            raise accounts_problem(exc) from None
        if person is None:
            raise ProblemError(
                "person_not_found", _("没有找到该公民身份号码登记的自然人。"), status_code=404
            )
        audit_lookup(request, person, "窗口按公民身份号码查找委托")
        return Response(GrantOutSerializer(grants_listed(person=person), many=True).data)

    @extend_schema(
        request=GrantInSerializer,
        responses={201: GrantOutSerializer, **ERRORS},
        tags=TAGS,
        summary="登记委托: who may act for whom, for which items, until when (audited)",
        description="The agent and the principal must be registered first (400 "
        "`agent_unknown`, `principal_unknown`); dates as 2026-01-31 (`date_invalid`).",
    )
    def post(self, request: Request) -> Response:
        data = _valid(GrantInSerializer, request)
        data["valid_from"] = data["valid_from"] or timezone.localdate().isoformat()
        try:
            grant = grant_record(officer=request.user, **data)
        except AccountsError as exc:
            raise accounts_problem(exc) from None
        return Response(GrantOutSerializer(grant).data, status=status.HTTP_201_CREATED)


class GrantRevoke(WindowView):
    @extend_schema(
        request=RevokeSerializer,
        responses={200: GrantOutSerializer, **ERRORS, 409: PROBLEM},
        tags=TAGS,
        summary="Revoke a 委托 now, with the reason (audited)",
        description="400 `reason_required`; 409 `already_revoked`; 404 `authorisation_not_found`.",
    )
    def post(self, request: Request, pk: int) -> Response:
        grant = Authorisation.objects.filter(pk=pk).first()
        if grant is None:
            raise ProblemError("authorisation_not_found", _("找不到该委托。"), status_code=404)
        data = _valid(RevokeSerializer, request)
        try:
            grant = accounts.authorisation_revoke(
                grant=grant, officer=request.user, reason=data["reason"]
            )
        except AccountsError as exc:
            raise accounts_problem(exc) from None
        return Response(GrantOutSerializer(grant).data)
