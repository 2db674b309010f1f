"""Per-item forms as data: the fields of a pinned version, validated on the server."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from onetrip.catalog.models import FormField, ItemVersion
from onetrip.catalog.selectors import pinned_content
from onetrip.core.identifiers import (
    credit_code_clean,
    credit_code_problem,
    id_number_clean,
    id_number_problem,
)
from onetrip.core.templatetags.onetrip import localized


def form_fields_for(version: ItemVersion, situation: str = "") -> list[FormField]:
    """Fields that apply to ``situation`` (all-situation fields plus its own)."""
    fields = pinned_content(version).form_fields
    return [f for f in fields if not f.situations or (situation and situation in f.situations)]


# Answers made of digits (ASCII digits only, once full-width ones are made plain).
_NUMERIC = (
    FormField.FieldType.INTEGER,
    FormField.FieldType.DECIMAL,
    FormField.FieldType.PHONE,
    FormField.FieldType.BANK_ACCOUNT,
    FormField.FieldType.DATE,
)

# Numbers whose check an officer may have overridden when registering their holder.
_IDENTIFIERS = (FormField.FieldType.CREDIT_CODE, FormField.FieldType.ID_NUMBER)

# Control characters (but tab and line breaks) and lone surrogates: nothing a person types.
_UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(_("格式不正确。"))
    if _UNREADABLE.search(value):
        raise ValueError(_("含有无法识别的字符，请重新输入。"))
    return value.strip()


def _clean_one(field: FormField, value: Any, *, bounded: bool = True) -> Any:
    kind = field.field_type
    if kind == FormField.FieldType.MULTICHOICE:
        values = value if isinstance(value, list) else [v for v in [value] if v not in (None, "")]
        allowed = {c["value"] for c in field.choices}
        if any(not isinstance(v, str) or v not in allowed for v in values):
            raise ValueError(_("请从给出的选项中选择。"))
        return values
    if kind == FormField.FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = _as_text(value).lower()
        if text in {"true", "1", "on", "yes", "是"}:
            return True
        if text in {"false", "0", "no", "否", ""}:
            return False
        raise ValueError(_("请选择“是”或“否”。"))
    text = _as_text(value)
    if kind in _NUMERIC:
        text = unicodedata.normalize("NFKC", text)  # full-width digits are digits
    if kind in (FormField.FieldType.TEXT, FormField.FieldType.TEXTAREA):
        limit = field.max_length or (2000 if kind == FormField.FieldType.TEXTAREA else 200)
        if len(text) > limit:
            raise ValueError(_("不能超过 {limit} 个字。").format(limit=limit))
        return text
    if kind in (FormField.FieldType.INTEGER, FormField.FieldType.DECIMAL):
        if not re.fullmatch(r"-?[0-9]{1,15}(\.[0-9]{1,4})?", text):
            raise ValueError(_("请填写数字（最多 15 位整数、4 位小数）。"))
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("请填写数字。")) from None
        if not number.is_finite():
            raise ValueError(_("请填写数字。"))
        if kind == FormField.FieldType.INTEGER and number != number.to_integral_value():
            raise ValueError(_("请填写整数。"))
        if field.min_value is not None and number < field.min_value:
            raise ValueError(
                _("不能小于 {minimum}。").format(minimum=f"{field.min_value.normalize():f}")
            )
        if field.max_value is not None and number > field.max_value:
            raise ValueError(
                _("不能大于 {maximum}。").format(maximum=f"{field.max_value.normalize():f}")
            )
        return int(number) if kind == FormField.FieldType.INTEGER else str(number)
    if kind == FormField.FieldType.DATE:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):  # 2026-02-30: no such day
                raise ValueError(_("没有 {day} 这一天，请核对日期。").format(day=text)) from None
            raise ValueError(_("请按 2026-01-31 的格式填写日期。")) from None
        if not dt.date(1900, 1, 1) <= day <= dt.date(2100, 12, 31):
            raise ValueError(_("日期超出合理范围。"))
        if not bounded:
            return day.isoformat()
        today = timezone.localdate()
        if field.date_bound == FormField.DateBound.PAST and day > today:
            raise ValueError(_("不能晚于今天（{today}）。").format(today=today.isoformat()))
        if field.date_bound == FormField.DateBound.FUTURE and day < today:
            raise ValueError(_("不能早于今天（{today}）。").format(today=today.isoformat()))
        return day.isoformat()
    if kind == FormField.FieldType.CHOICE:
        if text not in {c["value"] for c in field.choices}:
            raise ValueError(_("请从给出的选项中选择。"))
        return text
    if kind == FormField.FieldType.ID_NUMBER:
        text = id_number_clean(text)
        problem = id_number_problem(text)
        if problem:
            raise ValueError(problem)
        return text
    if kind == FormField.FieldType.CREDIT_CODE:
        text = credit_code_clean(text)
        problem = credit_code_problem(text)
        if problem:
            raise ValueError(problem)
        return text
    if kind == FormField.FieldType.PHONE:
        digits = re.sub(r"[\s-]", "", text)
        if not re.fullmatch(r"1[0-9]{10}|0[0-9]{2,3}[0-9]{7,8}", digits):
            raise ValueError(_("请填写 11 位手机号码或带区号的固定电话。"))
        return digits
    if kind == FormField.FieldType.EMAIL:
        try:
            validate_email(text)
        except ValidationError:
            raise ValueError(_("请填写有效的电子邮箱地址。")) from None
        return text
    if kind == FormField.FieldType.BANK_ACCOUNT:
        digits = re.sub(r"\s", "", text)
        if not re.fullmatch(r"[0-9]{12,30}", digits):
            raise ValueError(_("银行账号应为 12 到 30 位数字。"))
        return digits
    raise ValueError(_("不支持的字段类型。"))


def _empty(value: Any) -> bool:
    return (
        value is None
        or value == ""
        or value == []
        or (isinstance(value, str) and not value.strip())
    )


def form_validate(
    fields: list[FormField],
    raw: dict[str, Any],
    *,
    partial: bool = False,
    verified: dict[str, Any] | None = None,
    given_before: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean ``raw`` against ``fields``; return (values, errors by field code, in the active
    language).

    Unknown keys are errors (nothing can be smuggled in); with ``partial`` a missing required
    field is not an error yet (drafts). A field with ``required_if`` is required only while
    the field it names has one of the listed values. An identifier equal to its ``verified``
    value (the real-name record or a department's data) stands even when its check fails: a
    统一社会信用代码 an officer accepted despite its check digit, say. A date's bound (past or
    future) holds on the day it is answered: an answer equal to one ``given_before`` (the
    stored answers) is not held to it again, so an appointment day that has since come does
    not block a later step.
    """
    verified = verified or {}
    given_before = given_before or {}
    if not isinstance(raw, dict):
        return {}, {"": _("表单内容必须是对象。")}
    known = {f.code for f in fields}
    errors = {k: _("该事项没有这个字段。") for k in raw if k not in known}
    values: dict[str, Any] = {}
    missing: list[FormField] = []
    for field in fields:
        value = raw.get(field.code)
        # A yes/no question is unanswered only when nothing was sent (None); an empty string
        # is an unticked box, which means no.
        boolean = field.field_type == FormField.FieldType.BOOLEAN
        if value is None if boolean else _empty(value):
            missing.append(field)
            continue
        try:
            values[field.code] = _clean_one(
                field, value, bounded=given_before.get(field.code) != value
            )
        except ValueError as exc:
            if (
                field.field_type in _IDENTIFIERS
                and field.code in verified
                and value == verified[field.code]
            ):
                values[field.code] = value  # its check was overridden where it was registered
                continue
            errors[field.code] = _("{label}：{problem}").format(
                label=localized(field, "label"), problem=exc
            )
    for field in missing:
        if field.required and not partial and condition_met(field, values):
            errors[field.code] = (
                _("请选择“{label}”：是或否。").format(label=localized(field, "label"))
                if field.field_type == FormField.FieldType.BOOLEAN
                else _("请填写{label}。").format(label=localized(field, "label"))
            )
    return values, errors


def _condition_value(value: Any) -> set[str]:
    if isinstance(value, bool):
        return {"true" if value else "false"}
    if isinstance(value, list):
        return {str(v) for v in value}
    return {str(value)}


def condition_met(field: FormField, values: dict[str, Any]) -> bool:
    """Whether ``field``'s ``required_if`` holds for the cleaned ``values`` (no condition:
    always)."""
    condition = field.required_condition
    if condition is None:
        return True
    code, wanted = condition
    return code in values and bool(_condition_value(values[code]) & wanted)


def condition_texts(fields: list[FormField]) -> dict[str, str]:
    """For each conditionally required field, when it is required, as the applicant reads it:
    选择“邮寄到家”时必填."""
    by_code = {f.code: f for f in fields}
    out = {}
    for field in fields:
        condition = field.required_condition
        ref = by_code.get(condition[0]) if condition else None
        if ref is None:
            continue
        if ref.field_type == FormField.FieldType.BOOLEAN:
            answer = "、".join(
                {"true": _("是"), "false": _("否")}.get(v, v) for v in sorted(condition[1])
            )
            out[field.code] = _("“%(field)s”选“%(answer)s”时必填") % {
                "field": localized(ref, "label"),
                "answer": answer,
            }
        else:
            labels = {str(c.get("value")): str(c.get("label", "")) for c in ref.choices}
            chosen = "”或“".join(labels.get(v, v) for v in sorted(condition[1]))
            out[field.code] = _("选择“%(choice)s”时必填") % {"choice": chosen}
    return out


def delivery_from_form(fields: list[FormField]) -> tuple[FormField | None, FormField | None]:
    """The fields whose answers are the application's delivery method and postal address
    (``fills``), when the form asks them itself."""
    method = next((f for f in fields if f.fills == FormField.Fills.DELIVERY_METHOD), None)
    address = next((f for f in fields if f.fills == FormField.Fills.DELIVERY_ADDRESS), None)
    return method, address


def form_delivery(fields: list[FormField], data: dict[str, Any]) -> dict[str, str] | None:
    """How the form itself answered the delivery, for the check pages (which then do not
    ask): the question's label, the answer as read and its value; None when the form does
    not ask it."""
    method = delivery_from_form(fields)[0]
    if method is None:
        return None
    value = data.get(method.code)
    return {
        "label": localized(method, "label"),
        "text": field_value_text(method, value),
        "value": value or "",
    }


def field_value_text(field: FormField, value: Any) -> str:
    """A stored value as the applicant reads it: choices by label, yes/no, lists joined."""
    if value in (None, "", []):
        return "—"
    labels = {str(c.get("value")): str(c.get("label", "")) for c in field.choices}
    if field.field_type == FormField.FieldType.CHOICE:
        return labels.get(str(value), str(value))
    if field.field_type == FormField.FieldType.MULTICHOICE:
        return "、".join(labels.get(str(v), str(v)) for v in value)
    if field.field_type == FormField.FieldType.BOOLEAN:
        return "是" if value is True else "否"
    return str(value)


IDENTITY_SOURCES = ("identity.", "business_licence.")


def is_identity_field(field: FormField) -> bool:
    """Answered by the real-name record (or the enterprise's): shown, never typed over."""
    return field.prefill.startswith(IDENTITY_SOURCES)


def mask_values(fields: list[FormField], data: dict[str, Any]) -> dict[str, Any]:
    """Form values with personal numbers masked, for staff reads over the API."""
    from onetrip.core.crypto import mask_id_number, mask_phone

    kinds = {f.code: f.field_type for f in fields}
    out = {}
    for code, value in data.items():
        kind = kinds.get(code)
        if kind == FormField.FieldType.ID_NUMBER and isinstance(value, str):
            value = mask_id_number(value)
        elif kind == FormField.FieldType.PHONE and isinstance(value, str):
            value = mask_phone(value)
        elif kind == FormField.FieldType.BANK_ACCOUNT and isinstance(value, str):
            value = "*" * max(len(value) - 4, 0) + value[-4:]
        out[code] = value
    return out
