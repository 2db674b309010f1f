"""REST API for the site inbox (站内信): the same reads and read marks as the pages."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onetrip.applications.api import PROBLEM
from onetrip.core.problems import ProblemError, flag, paging
from onetrip.notifications import selectors, services
from onetrip.notifications.models import InboxMessage

_COUNT_HEADERS = [
    OpenApiParameter(
        "X-Total-Count",
        int,
        OpenApiParameter.HEADER,
        response=[200],
        description="messages matching the filter",
    ),
    OpenApiParameter(
        "X-Unread-Count",
        int,
        OpenApiParameter.HEADER,
        response=[200],
        description="unread messages in the whole inbox",
    ),
]


class InboxMessageSerializer(serializers.ModelSerializer):
    # Integers declared explicitly so the schema does not vary with the database's ranges.
    id = serializers.IntegerField(read_only=True)
    read = serializers.BooleanField(source="is_read", read_only=True)

    class Meta:
        model = InboxMessage
        fields = ["id", "subject", "body", "reference", "created_at", "read_at", "read"]
        read_only_fields = fields


class MessageList(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", bool, description="only unread messages (`1`)"),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
            *_COUNT_HEADERS,
        ],
        responses={200: InboxMessageSerializer(many=True), 400: PROBLEM, 401: PROBLEM},
        tags=["inbox"],
        summary="My site messages (站内信), newest first",
    )
    def get(self, request: Request) -> Response:
        limit, offset = paging(request.query_params)
        qs = selectors.inbox_for(user=request.user)
        if flag(request.query_params, "unread"):
            qs = qs.filter(read_at__isnull=True)
        response = Response(InboxMessageSerializer(qs[offset : offset + limit], many=True).data)
        response["X-Total-Count"] = str(qs.count())
        response["X-Unread-Count"] = str(selectors.inbox_unread_count(user=request.user))
        return response


class MessageDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: InboxMessageSerializer, 401: PROBLEM, 404: PROBLEM},
        tags=["inbox"],
        summary="One of my messages; reading it marks it read",
    )
    def get(self, request: Request, pk: int) -> Response:
        try:
            message = services.inbox_mark_read(user=request.user, message_id=pk)
        except Http404:
            raise ProblemError("not_found", _("找不到该消息。"), status_code=404) from None
        return Response(InboxMessageSerializer(message).data)


class MessagesReadAll(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("MessagesMarkedRead", {"changed": serializers.IntegerField()}),
            401: PROBLEM,
        },
        tags=["inbox"],
        summary="Mark all my messages read",
    )
    def post(self, request: Request) -> Response:
        return Response({"changed": services.inbox_mark_all_read(user=request.user)})
