from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from onetrip.stats.selectors import catalogue_kpis


class CatalogueStats(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        tags=["stats"],
        summary="最多跑一次 catalogue KPIs, overall and per department",
    )
    def get(self, request):
        data = catalogue_kpis()
        return Response(
            {
                "overall": data["overall"].as_dict(),
                "departments": [d.as_dict() for d in data["departments"]],
            }
        )
