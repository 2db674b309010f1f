"""The floor for submission benchmarks; mounted only when ONETRIP_BENCH_FLOOR is set."""

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from onetrip.core.models import FloorProbe


@csrf_exempt
@require_POST
def floor(request: HttpRequest) -> JsonResponse:
    """Insert three rows in one transaction: the least a submission could cost."""
    with transaction.atomic():
        rows = FloorProbe.objects.bulk_create([FloorProbe(payload=f"floor-{i}") for i in range(3)])
    return JsonResponse({"rows": len(rows)})


class ApiFloor(APIView):
    """The same floor behind the API's stack (token authentication, DRF, JSON)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(exclude=True)
    def post(self, request):
        with transaction.atomic():
            rows = FloorProbe.objects.bulk_create(
                [FloorProbe(payload=f"api-floor-{i}") for i in range(3)]
            )
        return Response({"rows": len(rows)})
