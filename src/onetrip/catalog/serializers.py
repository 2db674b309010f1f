"""Validation of item and department documents (API, import and shipped data alike)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from onetrip.catalog.models import (
    Department,
    FormField,
    ItemVersion,
    Kind,
    LimitUnit,
    Material,
    ReviewStage,
)
from onetrip.core.identifiers import credit_code_clean, credit_code_problem

ITEM_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


def _link(value: str) -> str:
    """Only web addresses or paths on this site may become links on public pages."""
    value = (value or "").strip()
    if value and not (
        value.startswith(("https://", "http://"))
        or (value.startswith("/") and not value.startswith("//"))
    ):
        raise serializers.ValidationError(_("请填写以 http://、https:// 或 / 开头的地址。"))
    return value


class DepartmentDocumentSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    short_name = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    parent = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    role = serializers.ChoiceField(choices=Department.Role.choices, default="service")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    office_hours = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    reconsideration_body = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    litigation_court = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    order = serializers.IntegerField(min_value=0, required=False, default=100)

    def validate_credit_code(self, value: str) -> str:
        value = credit_code_clean(value)
        if value:
            problem = credit_code_problem(value)
            if problem:
                raise serializers.ValidationError(problem)
        return value

    def validate_parent(self, value: str | None) -> str:
        return value or ""


class SituationDocumentSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class MaterialDocumentSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    name = serializers.CharField(max_length=200)
    material_type = serializers.ChoiceField(
        choices=Material.MaterialType.choices, default="original"
    )
    material_form = serializers.ChoiceField(choices=Material.Form.choices, default="both")
    copies = serializers.IntegerField(min_value=1, max_value=99, default=1)
    necessity = serializers.ChoiceField(choices=Material.Necessity.choices, default="required")
    condition = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    is_key = serializers.BooleanField(default=True)
    deficiency_allowed = serializers.BooleanField(default=False)
    source = serializers.ChoiceField(choices=Material.Source.choices, default="applicant")
    source_department = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, default=""
    )
    evidence_type = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )
    situations = serializers.ListField(
        child=serializers.SlugField(max_length=40), required=False, default=list
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    legal_basis = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    blank_form = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    sample = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate_source_department(self, value: str | None) -> str:
        return value or ""

    def validate_blank_form(self, value: str) -> str:
        return _link(value)

    def validate_sample(self, value: str) -> str:
        return _link(value)


class FeeDocumentSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    standard = serializers.CharField(max_length=300, allow_blank=True)
    basis = serializers.CharField(max_length=300, allow_blank=True)
    reduction = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class FaqDocumentSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=300)
    answer = serializers.CharField()


class ChoiceDocumentSerializer(serializers.Serializer):
    value = serializers.CharField(max_length=40)
    label = serializers.CharField(max_length=100)


class FormFieldDocumentSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    label = serializers.CharField(max_length=100)
    label_en = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    field_type = serializers.ChoiceField(choices=FormField.FieldType.choices)
    required = serializers.BooleanField(default=True)
    choices = ChoiceDocumentSerializer(many=True, required=False, default=list)
    situations = serializers.ListField(
        child=serializers.SlugField(max_length=40), required=False, default=list
    )
    help_text = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    min_value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        coerce_to_string=False,
    )
    max_value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        coerce_to_string=False,
    )
    max_length = serializers.IntegerField(
        min_value=1, max_value=10000, required=False, allow_null=True, default=None
    )
    date_bound = serializers.ChoiceField(
        choices=[("", ""), *FormField.DateBound.choices],
        required=False,
        allow_blank=True,
        default="",
        help_text="for a date: `past` (not after the day it is answered) or `future` (not before)",
    )
    prefill = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    required_if = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="required only when another field has one of these values: `code=v1,v2`",
    )
    fills = serializers.ChoiceField(
        choices=[("", ""), *FormField.Fills.choices],
        required=False,
        allow_blank=True,
        default="",
        help_text="the answer is the application's delivery method or postal address",
    )

    def validate(self, attrs):
        for key in ("min_value", "max_value"):
            value = attrs.get(key)
            if value is not None:
                attrs[key] = int(value) if value == value.to_integral_value() else float(value)
        return attrs


class StageDocumentSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ReviewStage.Code.choices)
    name = serializers.CharField(max_length=60)
    limit = serializers.IntegerField(
        min_value=0, max_value=3650, required=False, allow_null=True, default=None
    )


def _text(max_length: int | None = None) -> serializers.CharField:
    if max_length:
        return serializers.CharField(
            max_length=max_length, required=False, allow_blank=True, default=""
        )
    return serializers.CharField(required=False, allow_blank=True, default="")


class VersionContentSerializer(serializers.Serializer):
    """The content of one item version (everything but the item's identity)."""

    name = serializers.CharField(max_length=200)
    name_en = _text(300)
    summary = _text()
    handling_item = _text(200)
    kind = serializers.ChoiceField(choices=Kind.choices)
    keywords = _text(300)
    serves_persons = serializers.BooleanField(default=True)
    serves_enterprises = serializers.BooleanField(default=False)
    co_departments = serializers.ListField(
        child=serializers.SlugField(max_length=40), required=False, default=list
    )
    handling_type = serializers.ChoiceField(choices=ItemVersion.HandlingType.choices)
    legal_limit = serializers.IntegerField(
        min_value=0, max_value=3650, allow_null=True, required=False, default=None
    )
    legal_limit_unit = serializers.ChoiceField(choices=LimitUnit.choices, default="working")
    legal_limit_note = _text(300)
    promised_limit = serializers.IntegerField(min_value=0, max_value=3650)
    promised_limit_unit = serializers.ChoiceField(choices=LimitUnit.choices, default="working")
    promised_limit_note = _text(300)
    visits_required = serializers.IntegerField(min_value=0, max_value=20, default=0)
    visits_reason = _text(300)
    online_available = serializers.BooleanField(default=False)
    online_depth = serializers.IntegerField(min_value=0, max_value=4, default=0)
    supports_post_delivery = serializers.BooleanField(default=False)
    accepts_post_application = serializers.BooleanField(default=False)
    supports_appointment = serializers.BooleanField(default=False)
    supports_online_payment = serializers.BooleanField(default=False)
    conditions = _text()
    legal_basis = _text()
    remedy = _text(1000)
    process_steps = _text()
    handling_place = _text(300)
    handling_hours = _text(300)
    consult_phone = _text(60)
    complaint_phone = _text(60)
    fee_charged = serializers.BooleanField(default=False)
    fee_note = _text(300)
    result_type = serializers.ChoiceField(choices=ItemVersion.ResultType.choices, default="none")
    result_name = _text(200)
    result_sample = _text()
    situations = SituationDocumentSerializer(many=True, required=False, default=list)
    materials = MaterialDocumentSerializer(many=True, required=False, default=list)
    fees = FeeDocumentSerializer(many=True, required=False, default=list)
    faqs = FaqDocumentSerializer(many=True, required=False, default=list)
    form_fields = FormFieldDocumentSerializer(many=True, required=False, default=list)
    stages = StageDocumentSerializer(many=True, required=False, default=list)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        known = self.context.get("department_codes")
        if known is None:
            known = set(Department.objects.values_list("code", flat=True))
        unknown = [c for c in attrs.get("co_departments", []) if c not in known]
        if unknown:
            errors["co_departments"] = [
                _("部门代码不存在：{codes}").format(codes=_("、").join(unknown))
            ]
        for key, k in (
            ("situations", "code"),
            ("materials", "code"),
            ("form_fields", "code"),
            ("stages", "code"),
            ("fees", "name"),
            ("faqs", "question"),
        ):
            codes = [row[k] for row in attrs.get(key, [])]
            dupes = sorted({c for c in codes if codes.count(c) > 1})
            if dupes:
                errors[key] = [_("重复：{values}").format(values=_("、").join(dupes))]
        situation_codes = {s["code"] for s in attrs.get("situations", [])}
        material_errors: list[Any] = []
        for m in attrs.get("materials", []):
            problems: dict[str, list[str]] = {}
            if m["source_department"] and m["source_department"] not in known:
                problems["source_department"] = [
                    _("部门代码不存在：{code}").format(code=m["source_department"])
                ]
            missing = [c for c in m["situations"] if c not in situation_codes]
            if missing:
                problems["situations"] = [
                    _("情形代码不存在：{codes}").format(codes=_("、").join(missing))
                ]
            material_errors.append(problems)
        if any(material_errors):
            errors["materials"] = material_errors
        field_errors: list[Any] = []
        for f in attrs.get("form_fields", []):
            missing = [c for c in f["situations"] if c not in situation_codes]
            field_errors.append(
                {"situations": [_("情形代码不存在：{codes}").format(codes=_("、").join(missing))]}
                if missing
                else {}
            )
        if any(field_errors):
            errors["form_fields"] = field_errors
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ItemDocumentSerializer(VersionContentSerializer):
    """An item's identity plus one version's content."""

    code = serializers.RegexField(
        ITEM_CODE_PATTERN,
        max_length=64,
        error_messages={
            "invalid": gettext_lazy("实施编码只能由字母、数字、点、连字符和下划线组成。")
        },
    )
    catalog_code = _text(64)
    department = serializers.SlugField(max_length=40)
    order = serializers.IntegerField(min_value=0, required=False, default=100)

    def validate_department(self, value: str) -> str:
        known = self.context.get("department_codes")
        if known is None:
            known = set(Department.objects.values_list("code", flat=True))
        if value not in known:
            raise serializers.ValidationError(_("部门代码不存在：{code}").format(code=value))
        return value
