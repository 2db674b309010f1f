"""Small template helpers for the staff pages."""

from django import template

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``mapping[key]`` or None (dicts only)."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


def in_context(context: str, text: str) -> str:
    """``text`` in the page's language as ``context`` reads it (a button, a stage, a step
    taken, where English tells them apart and Chinese does not), else as it reads alone."""
    from django.utils.translation import gettext, pgettext

    translated = pgettext(context, text)
    return translated if translated != text else gettext(text)


@register.filter
def step_label(value: str) -> str:
    """A history step's name (an action value or its label), as a step taken."""
    from onetrip.applications.workflow import Action

    if value in Action.values:
        value = Action(value).label
    return in_context("workbench history", value)


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
