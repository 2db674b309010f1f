from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from onetrip.stats.selectors import catalogue_kpis, service_kpis_cached


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


class DepartmentRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField(allow_blank=True)


class ItemRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ServiceKpisSerializer(serializers.Serializer):
    """Measured service KPIs; rates are fractions in [0, 1], days are working days."""

    closed = serializers.IntegerField(help_text="办结件数（有承诺时限、已作出决定）")
    met = serializers.IntegerField(help_text="按期办结件数")
    missed = serializers.IntegerField(help_text="超期办结件数")
    open_overdue = serializers.IntegerField(help_text="已过承诺期限仍未办结的件数")
    overdue = serializers.IntegerField(help_text="超期件数 = open_overdue + missed")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="按期办结率 = met ÷ closed")
    used_days = serializers.FloatField(help_text="办理用时之和（工作日，扣除暂停）")
    promised_days = serializers.FloatField(help_text="承诺时限之和（工作日）")
    average_used_days = serializers.FloatField(allow_null=True)
    average_promised_days = serializers.FloatField(allow_null=True)
    decided = serializers.IntegerField(help_text="已作出决定的办件数")
    visits = serializers.IntegerField(help_text="这些办件的到场记录数")
    promised_visits = serializers.IntegerField(help_text="这些办件承诺的到场次数之和")
    average_visits = serializers.FloatField(allow_null=True, help_text="平均跑动次数（实测）")
    average_promised_visits = serializers.FloatField(
        allow_null=True, help_text="平均跑动次数（承诺）"
    )


class ServiceKpisDepartmentSerializer(ServiceKpisSerializer):
    department = DepartmentRefSerializer()


class ServiceKpisItemSerializer(ServiceKpisSerializer):
    department = DepartmentRefSerializer()
    item = ItemRefSerializer()


class ServiceStatsSerializer(serializers.Serializer):
    overall = ServiceKpisSerializer()
    departments = ServiceKpisDepartmentSerializer(many=True)
    items = ServiceKpisItemSerializer(many=True)


class ServiceStats(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: ServiceStatsSerializer},
        tags=["stats"],
        summary="Measured service KPIs: on-time rate, handling time, overdue, visits",
    )
    def get(self, request):
        data = service_kpis_cached()
        return Response(
            ServiceStatsSerializer(
                {
                    "overall": data["overall"].as_dict(),
                    "departments": [d.as_dict() for d in data["departments"]],
                    "items": [d.as_dict() for d in data["items"]],
                }
            ).data
        )
