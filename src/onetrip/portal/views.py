"""The public guide (办事指南): search, filters and the one-page item guide."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from onetrip.catalog import selectors
from onetrip.catalog.models import Department, Item

PAGE_SIZE = 20


def _flag(request: HttpRequest, name: str) -> bool:
    return request.GET.get(name, "") in {"1", "on", "true"}


def home(request: HttpRequest) -> HttpResponse:
    """Search and filter the published items."""
    q = request.GET.get("q", "").strip()[:100]
    department = request.GET.get("department", "")
    target = request.GET.get("target", "")
    filters = selectors.GuideFilters(
        q=q,
        department=department if Department.objects.filter(code=department).exists() else "",
        target=target if target in {"person", "enterprise"} else "",
        zero_visits=_flag(request, "zero_visits"),
        fully_online=_flag(request, "fully_online"),
        instant=_flag(request, "instant"),
    )
    ids = selectors.guide_search_ids(filters)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    results = selectors.versions_in_order(list(page.object_list))
    total = selectors.published_versions().count()
    params = request.GET.copy()
    params.pop("page", None)
    filtered = bool(
        q
        or filters.department
        or filters.target
        or filters.zero_visits
        or filters.fully_online
        or filters.instant
    )
    return render(
        request,
        "portal/home.html",
        {
            "nav": "guide",
            "filters": filters,
            "results": results,
            "page": page,
            "page_query": params.urlencode(),
            "matches": len(ids),
            "total": total,
            "filtered": filtered,
            "at_most_once": selectors.count_at_most_one_visit(ids),
            "departments": selectors.guide_departments(),
        },
    )


def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Everything about one item on one page, with the checklist for the chosen situation."""
    item = Item.objects.filter(code=code, current_version__isnull=False).first()
    if item is None:
        raise Http404("事项不存在或尚未发布")
    version = selectors.version_with_content(item.current_version_id)
    situations = list(version.situations.all())
    chosen = request.GET.get("situation", "")
    situation = next((s for s in situations if s.code == chosen), None)
    unknown_situation = bool(chosen) and situation is None
    materials = selectors.materials_for_situation(version, situation.code if situation else "")
    context = {
        "nav": "guide",
        "item": item,
        "version": version,
        "situations": situations,
        "situation": situation,
        "unknown_situation": unknown_situation,
        "materials": materials,
        "not_brought_count": sum(1 for m in materials if m.not_brought),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "portal/_checklist.html", context)
    return render(request, "portal/item_detail.html", context)
