from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.core.calendar import calendar_gap
from onetrip.exchange.selectors import materials_exempt_measured
from onetrip.stats.selectors import (
    KPI_LABELS,
    SERVICE_KPI_LABELS,
    catalogue_kpis,
    service_kpis_cached,
)


def scoreboard(request):
    """Public 最多跑一次 scoreboard."""
    data = catalogue_kpis()
    chart = {
        "labels": [_(label) for _key, label in KPI_LABELS],
        "values": [
            round((getattr(data["overall"], key) or 0) * 100, 1) for key, _label in KPI_LABELS
        ],
        "departments": [
            d.department["short_name"] or d.department["name"] for d in data["departments"]
        ],
        "dept_at_most_once": [
            round((d.at_most_once_rate or 0) * 100, 1) for d in data["departments"]
        ],
        "dept_zero": [round((d.zero_visit_rate or 0) * 100, 1) for d in data["departments"]],
        "series": [_("最多跑一次实现率"), _("跑零次率")],
    }
    rows = [
        {"label": label, "key": key, "value": getattr(data["overall"], key)}
        for key, label in KPI_LABELS
    ]
    return render(
        request,
        "stats/scoreboard.html",
        {
            "nav": "stats",
            "calendar_gap": calendar_gap(today=timezone.localdate()),
            "overall": data["overall"],
            "departments": data["departments"],
            "rows": rows,
            "labels": KPI_LABELS,
            "chart": chart,
            "exempt_measured": materials_exempt_measured(),
            "service": service_kpis_cached(),
            "service_labels": SERVICE_KPI_LABELS,
        },
    )
