"""Turning an item version's form fields (data in the catalogue) into inputs and back.

Validation stays in ``applications.formdata``; this module only shapes what the template
needs and reads what the browser sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from onetrip.applications.formdata import condition_texts
from onetrip.catalog.models import FormField
from onetrip.core.crypto import mask_id_number, mask_phone

T = FormField.FieldType

# input type and inputmode per field type (GOV.UK: numbers as text with a numeric keyboard)
INPUTS: dict[str, tuple[str, str]] = {
    T.TEXT: ("text", ""),
    T.INTEGER: ("text", "numeric"),
    T.DECIMAL: ("text", "decimal"),
    T.DATE: ("date", ""),
    T.ID_NUMBER: ("text", ""),
    T.CREDIT_CODE: ("text", ""),
    T.PHONE: ("tel", "tel"),
    T.EMAIL: ("email", "email"),
    T.BANK_ACCOUNT: ("text", "numeric"),
}
AUTOCOMPLETE = {T.PHONE: "tel", T.EMAIL: "email"}


@dataclass
class Choice:
    value: str
    label: str
    selected: bool


@dataclass
class Widget:
    """One input as the template renders it."""

    field: FormField
    id: str
    kind: str  # input | textarea | radios | checkboxes | boolean
    input_type: str = "text"
    inputmode: str = ""
    autocomplete: str = "off"
    value: str = ""
    checked: bool = False
    choices: list[Choice] = field(default_factory=list)
    error: str = ""
    condition: str = ""  # when a conditionally required field is required

    @property
    def code(self) -> str:
        return self.field.code


def field_id(code: str) -> str:
    return f"field-{code}"


def widgets(
    fields: list[FormField], values: dict[str, Any], errors: dict[str, str]
) -> list[Widget]:
    out = []
    conditions = condition_texts(fields)
    for f in fields:
        value = values.get(f.code)
        w = Widget(
            field=f,
            id=field_id(f.code),
            kind="input",
            error=errors.get(f.code, ""),
            condition=conditions.get(f.code, ""),
        )
        if f.field_type == T.TEXTAREA:
            w.kind = "textarea"
        elif f.field_type in (T.CHOICE, T.MULTICHOICE):
            chosen = {str(v) for v in (value if isinstance(value, list) else [value]) if v}
            w.kind = "radios" if f.field_type == T.CHOICE else "checkboxes"
            w.choices = [
                Choice(
                    str(c.get("value", "")), str(c.get("label", "")), str(c.get("value")) in chosen
                )
                for c in f.choices
            ]
        elif f.field_type == T.BOOLEAN:
            w.kind = "boolean"
            w.checked = value is True or str(value).lower() in {"1", "true", "on", "yes", "是"}
        else:
            w.input_type, w.inputmode = INPUTS.get(f.field_type, ("text", ""))
            w.autocomplete = AUTOCOMPLETE.get(f.field_type, "off")
        if w.kind in ("input", "textarea"):
            w.value = "" if value is None else str(value)
        out.append(w)
    return out


def posted_values(fields: list[FormField], post: QueryDict) -> dict[str, Any]:
    """What the browser sent, keyed by field code (only the version's own fields)."""
    data: dict[str, Any] = {}
    for f in fields:
        if f.field_type == T.MULTICHOICE:
            data[f.code] = [v for v in post.getlist(f.code) if v]
        elif f.field_type == T.BOOLEAN:
            data[f.code] = "1" if post.get(f.code) else ""
        else:
            data[f.code] = post.get(f.code, "")
    return data


def _mask_account(value: str) -> str:
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:] if len(value) > 8 else value


def display(fields: list[FormField], data: dict[str, Any]) -> list[tuple[FormField, str]]:
    """(field, text) pairs for reading: choices by label, personal numbers masked."""
    rows = []
    for f in fields:
        value = data.get(f.code)
        labels = {str(c.get("value")): str(c.get("label", "")) for c in f.choices}
        if value in (None, "", []):
            text = "—"
        elif f.field_type == T.CHOICE:
            text = labels.get(str(value), str(value))
        elif f.field_type == T.MULTICHOICE:
            text = "、".join(labels.get(str(v), str(v)) for v in value)
        elif f.field_type == T.BOOLEAN:
            text = "是" if value is True else "否"
        elif f.field_type == T.ID_NUMBER:
            text = mask_id_number(str(value))
        elif f.field_type == T.PHONE:
            text = mask_phone(str(value))
        elif f.field_type == T.BANK_ACCOUNT:
            text = _mask_account(str(value))
        else:
            text = str(value)
        rows.append((f, text))
    return rows
