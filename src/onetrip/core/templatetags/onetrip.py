"""Template helpers shared by the public and staff pages."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.8765 → '87.7%'; None → '—'."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


@register.filter
def localized(obj, field: str) -> str:
    """``obj.<field>_en`` when the page is in English and it is filled, else ``obj.<field>``."""
    if (get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "")


@register.filter
def getattribute(obj, name: str):
    return getattr(obj, name, None)


@register.simple_tag
def date_bound_attrs(field) -> str:
    """` max="<today>"` for a date that must have happened, ` min="<today>"` for one still to
    come (the server checks it as well)."""
    bound = getattr(field, "date_bound", "")
    if not bound:
        return ""
    return format_html(' {}="{}"', "max" if bound == "past" else "min", timezone.localdate())
