"""Applicant sign-in over the API: a code by SMS, exchanged for a token; 实名 for the account."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onetrip.accounts import services
from onetrip.applications.api import PROBLEM, StrictSerializer, _valid
from onetrip.core.clientaddr import client_ip
from onetrip.core.parsers import JSONParser
from onetrip.core.problems import ProblemError
from onetrip.core.text import compact

TOO_OFTEN = {"too_soon", "too_many"}
NOT_SIGNED_IN = {"code_wrong", "code_expired", "code_locked"}  # the credentials failed
CONFLICTS = {"already_revoked"}
FORBIDDEN = {"staff_account"}
PHONE = r"^1[0-9]{10}$"
_PHONE_INVALID = gettext_lazy("请填写 11 位手机号码。")


def accounts_problem(exc: services.AccountsError, *, signed_in: bool = False) -> ProblemError:
    """An accounts refusal as a problem document: 429 when too often, 401 when sign-in
    credentials failed (a wrong code from someone already signed in is bad input), 403 for
    what the account may never do, 409 for a conflict, else 400; the field at fault named."""
    if exc.code in TOO_OFTEN:
        status = 429
    elif exc.code in FORBIDDEN:
        status = 403
    elif exc.code in NOT_SIGNED_IN and not signed_in:
        status = 401
    else:
        status = 409 if exc.code in CONFLICTS else 400
    return ProblemError(
        exc.code,
        exc.message,
        status_code=status,
        errors=[{"field": exc.field, "message": exc.message}] if exc.field else None,
        retry_after=exc.retry_after,
    )


class TypedDigitsField(serializers.RegexField):
    """Digits as a person types them: full-width digits and spaces are made plain (as on the
    pages) before the pattern is checked."""

    def to_internal_value(self, data):
        return super().to_internal_value(compact(data) if isinstance(data, str) else data)


class PhoneSerializer(StrictSerializer):
    phone = TypedDigitsField(
        PHONE, help_text="11 位手机号码", error_messages={"invalid": _PHONE_INVALID}
    )


class CodeSerializer(StrictSerializer):
    phone = TypedDigitsField(PHONE, error_messages={"invalid": _PHONE_INVALID})
    code = TypedDigitsField(r"^[0-9]{6}$", help_text="短信验证码（6 位数字）")


class EmailSerializer(StrictSerializer):
    email = serializers.CharField(max_length=300, help_text="接收通知的电子邮箱")


class EmailCodeSerializer(StrictSerializer):
    code = TypedDigitsField(r"^[0-9]{6}$", help_text="邮箱验证码（6 位数字）")


class IdentitySerializer(StrictSerializer):
    real_name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18, help_text="公民身份号码")


class LoginCode(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = [JSONParser]

    @extend_schema(
        request=PhoneSerializer,
        responses={
            202: inline_serializer("CodeSent", {"expires_at": serializers.DateTimeField()}),
            400: PROBLEM,
            429: OpenApiResponse(description="problem `too_soon` or `too_many`"),
        },
        tags=["sign-in"],
        summary="Send a one-time sign-in code by SMS (limited per phone and per address)",
    )
    def post(self, request: Request) -> Response:
        data = _valid(PhoneSerializer, request)
        try:
            sent = services.login_code_send(phone=data["phone"], source_ip=client_ip(request))
        except services.AccountsError as exc:
            raise accounts_problem(exc) from None
        return Response({"expires_at": sent.expires_at}, status=202)


class TokenIssue(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    parser_classes = [JSONParser]

    @extend_schema(
        request=CodeSerializer,
        responses={
            200: inline_serializer(
                "TokenIssued",
                {
                    "token": serializers.CharField(),
                    "expires_at": serializers.DateTimeField(
                        help_text="after this the token is refused (`token_expired`, 401): "
                        "sign in again"
                    ),
                    "identity_bound": serializers.BooleanField(),
                },
            ),
            400: PROBLEM,
            401: OpenApiResponse(
                description="problem `code_wrong`, `code_expired` or `code_locked`"
            ),
        },
        tags=["sign-in"],
        summary="Exchange the code for an API token (the code is single-use)",
    )
    def post(self, request: Request) -> Response:
        data = _valid(CodeSerializer, request)
        try:
            user = services.login_code_verify(phone=data["phone"], code=data["code"])
        except services.AccountsError as exc:
            raise accounts_problem(exc) from None
        token = services.token_issue(user=user)
        return Response(
            {
                "token": token.key,
                "expires_at": services.token_expires_at(token),
                "identity_bound": getattr(user, "person", None) is not None,
            }
        )


class TokenRevoke(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, tags=["sign-in"], summary="Sign out")
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=204)


class Identity(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        request=IdentitySerializer,
        responses={
            201: inline_serializer(
                "IdentityBound",
                {"real_name": serializers.CharField(), "id_number": serializers.CharField()},
            ),
            400: PROBLEM,
        },
        tags=["sign-in"],
        summary="实名: bind a real name and 公民身份号码 to this account (once)",
    )
    def post(self, request: Request) -> Response:
        data = _valid(IdentitySerializer, request)
        try:
            person = services.applicant_identity_bind(user=request.user, **data)
        except services.AccountsError as exc:
            raise accounts_problem(exc) from None
        return Response(
            {"real_name": person.real_name, "id_number": person.id_number_masked}, status=201
        )


EMAIL_OUT = inline_serializer(
    "NoticeEmail",
    {
        "email": serializers.CharField(help_text="the verified address, masked; empty if none"),
        "pending": serializers.CharField(help_text="an address waiting for its code, masked"),
    },
)


def _email_state(user) -> dict[str, str]:
    from onetrip.core.crypto import mask_email

    pending = services.email_pending(user=user)
    return {
        "email": mask_email(user.email),
        "pending": mask_email(pending.email) if pending else "",
    }


class NoticeEmail(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(responses={200: EMAIL_OUT, 401: PROBLEM}, tags=["sign-in"])
    def get(self, request: Request) -> Response:
        return Response(_email_state(request.user))

    @extend_schema(
        request=EmailSerializer,
        responses={
            202: inline_serializer("EmailCodeSent", {"expires_at": serializers.DateTimeField()}),
            400: PROBLEM,
            401: PROBLEM,
            429: OpenApiResponse(description="problem `too_soon` or `too_many`"),
        },
        tags=["sign-in"],
        summary="Send a code to the address to receive notices at (used once confirmed)",
    )
    def post(self, request: Request) -> Response:
        data = _valid(EmailSerializer, request)
        try:
            sent = services.email_code_send(
                user=request.user, email=data["email"], source_ip=client_ip(request)
            )
        except services.AccountsError as exc:
            raise accounts_problem(exc) from None
        return Response({"expires_at": sent.expires_at}, status=202)

    @extend_schema(
        request=None,
        responses={204: None, 401: PROBLEM},
        tags=["sign-in"],
        summary="Stop e-mail notices (the inbox and SMS go on)",
    )
    def delete(self, request: Request) -> Response:
        services.email_remove(user=request.user, request=request)
        return Response(status=204)


class NoticeEmailConfirm(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        request=EmailCodeSerializer,
        responses={
            200: EMAIL_OUT,
            400: OpenApiResponse(
                description="problem `code_wrong`, `code_expired` or `code_locked` (a new code "
                "is needed after 5 wrong tries or 30 minutes), or `code_superseded` (a code from "
                "an earlier mail; not counted as a try)"
            ),
            401: PROBLEM,
        },
        tags=["sign-in"],
        summary="Confirm the address with its code; notices then go there too",
    )
    def post(self, request: Request) -> Response:
        data = _valid(EmailCodeSerializer, request)
        try:
            services.email_code_confirm(user=request.user, code=data["code"], request=request)
        except services.AccountsError as exc:
            raise accounts_problem(exc, signed_in=True) from None
        return Response(_email_state(request.user))
