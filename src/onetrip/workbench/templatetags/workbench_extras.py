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
def step_label(value: str) -> str:
    """A history step's name in the page's language (an action value or its label), as a
    step taken: where the same Chinese is a button elsewhere, English differs."""
    from django.utils.translation import gettext, pgettext

    from onetrip.applications.workflow import Action

    if value in Action.values:
        value = Action(value).label
    taken = pgettext("workbench history", value)
    return taken if taken != value else gettext(value)


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
