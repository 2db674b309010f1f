"""Small template helpers for the staff pages."""

from django import template

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``mapping[key]`` or None (dicts only)."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def status_label(value: str) -> str:
    """The label of an application status value, in the page's language."""
    from django.utils.translation import gettext

    from onetrip.applications.workflow import Status

    try:
        return gettext(Status(value).label)
    except ValueError:
        return value or ""


@register.filter
def holds_window_role(user) -> bool:
    """Whether the staff nav shows the window's own pages (窗口受理, 收取容缺材料)."""
    from onetrip.applications.services import holds_window_role as holds

    return holds(user)
