"""Template helpers of the 电子监察 pages."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def drill(name: str, base: dict, **params) -> str:
    """``supervision:<name>`` with the page's filters (``base``) and ``params`` as the query."""
    query = {**(base or {}), **params}
    query = {k: v for k, v in query.items() if v not in (None, "")}
    url = reverse(f"supervision:{name}")
    return f"{url}?{urlencode(query)}" if query else url


@register.filter
def is_supervisor(user) -> bool:
    """Whether the staff nav shows 电子监察 (a supervisor or administrator role anywhere)."""
    from onetrip.accounts.selectors import staff_department_ids

    if not getattr(user, "is_staff", False):
        return False
    ids = staff_department_ids(user=user, role="supervisor")
    return ids is None or bool(ids)


@register.filter
def urlencode_dict(params: dict) -> str:
    return urlencode({k: v for k, v in (params or {}).items() if v not in (None, "")})
