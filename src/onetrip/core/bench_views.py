"""The floor for submission benchmarks; mounted only when ONETRIP_BENCH_FLOOR is set."""

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from onetrip.core.models import FloorProbe


@csrf_exempt
@require_POST
def floor(request: HttpRequest) -> JsonResponse:
    """Insert three rows in one transaction: the least a submission could cost."""
    with transaction.atomic():
        rows = FloorProbe.objects.bulk_create([FloorProbe(payload=f"floor-{i}") for i in range(3)])
    return JsonResponse({"rows": len(rows)})
