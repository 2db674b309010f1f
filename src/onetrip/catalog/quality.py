"""Quality rules for a published guide (底清账明), as list auditors apply them.

``check`` takes an item document (see documents.py) and returns every violation at once;
publishing refuses a version with any.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Violation:
    code: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def working_days_equivalent(value: int, unit: str) -> float:
    """A limit in working days; calendar days count 5 working days a week."""
    return value if unit == "working" else value * 5 / 7


def calendar_days_equivalent(value: int, unit: str) -> float:
    return value if unit == "calendar" else math.ceil(value * 7 / 5)


def check(doc: dict[str, Any]) -> list[Violation]:
    """All quality-rule violations of one item document."""
    out: list[Violation] = []

    def add(code: str, field: str, message: str) -> None:
        out.append(Violation(code, field, message))

    if not str(doc.get("name") or "").strip():
        add("name_missing", "name", _("事项名称不能为空。"))
    if not doc.get("serves_persons") and not doc.get("serves_enterprises"):
        add("target_missing", "serves_persons", _("至少选择一种服务对象（自然人或法人）。"))

    promised = doc.get("promised_limit")
    handling_type = doc.get("handling_type")
    if promised == 0 and handling_type != "instant":
        add("instant_mismatch", "handling_type", _("承诺时限为即办，办件类型必须是即办件。"))
    if promised not in (None, 0) and handling_type != "promised":
        add("promised_mismatch", "handling_type", _("承诺时限不是即办，办件类型必须是承诺件。"))

    legal = doc.get("legal_limit")
    if legal is not None and promised is not None:
        p = calendar_days_equivalent(promised, doc.get("promised_limit_unit", "working"))
        lg = calendar_days_equivalent(legal, doc.get("legal_limit_unit", "working"))
        if doc.get("promised_limit_unit") == doc.get("legal_limit_unit"):
            p, lg = promised, legal
        if p > lg:
            add("promised_exceeds_legal", "promised_limit", _("承诺办结时限不能超过法定办结时限。"))

    visits = doc.get("visits_required") or 0
    if visits > 0 and not str(doc.get("visits_reason") or "").strip():
        add(
            "visits_reason_missing",
            "visits_reason",
            _("到办事现场次数不为 0 时，必须填写必须现场办理原因说明。"),
        )
    depth = doc.get("online_depth") or 0
    if depth == 4 and visits != 0:
        add(
            "full_online_with_visits",
            "visits_required",
            _("网上办理深度为Ⅳ级（全程网办）时，到办事现场次数必须为 0。"),
        )
    # Ⅰ级 only publishes information; an item is 网上可办 from Ⅱ级 (在线预审) on, and an
    # application can be submitted online from Ⅲ级 (在线受理) on.
    if depth >= 2 and not doc.get("online_available"):
        add(
            "depth_without_online",
            "online_available",
            _("网上办理深度为Ⅱ级及以上，应标记为可网办。"),
        )
    if doc.get("online_available") and depth < 2:
        add(
            "online_without_depth",
            "online_depth",
            _("可网办的事项网上办理深度至少为Ⅱ级（在线预审）。"),
        )
    if visits == 0 and depth < 3 and not doc.get("accepts_post_application"):
        add(
            "zero_visits_no_channel",
            "accepts_post_application",
            _("到办事现场次数为 0 且不能网办的事项，必须接受邮寄申请。"),
        )

    if doc.get("fee_charged"):
        fees = doc.get("fees") or []
        if not fees:
            add("fee_items_missing", "fees", _("收费事项必须列出收费项目。"))
        for i, fee in enumerate(fees):
            if not str(fee.get("basis") or "").strip():
                add("fee_basis_missing", f"fees[{i}].basis", _("收费项目必须写明收费依据。"))
            if not str(fee.get("standard") or "").strip():
                add("fee_standard_missing", f"fees[{i}].standard", _("收费项目必须写明收费标准。"))
    elif doc.get("fees"):
        add("fees_without_charge", "fee_charged", _("列出了收费项目，但“是否收费”为否。"))

    consult = _digits(doc.get("consult_phone"))
    complaint = _digits(doc.get("complaint_phone"))
    if not consult:
        add("consult_phone_missing", "consult_phone", _("咨询电话不能为空。"))
    if not complaint:
        add("complaint_phone_missing", "complaint_phone", _("监督投诉电话不能为空。"))
    if consult and consult == complaint:
        add("same_phones", "complaint_phone", _("咨询电话和监督投诉电话不能相同。"))

    if (
        str(doc.get("result_name") or "").strip()
        and not str(doc.get("result_sample") or "").strip()
    ):
        add("result_sample_missing", "result_sample", _("有审批结果名称的事项必须提供结果样本。"))
    if (
        doc.get("result_type") not in (None, "", "none")
        and not str(doc.get("result_name") or "").strip()
    ):
        add("result_name_missing", "result_name", _("选择了审批结果类型，必须填写审批结果名称。"))

    if not doc.get("materials"):
        add("materials_missing", "materials", _("至少列出一项申请材料（如居民身份证）。"))
    situation_codes = {s.get("code") for s in doc.get("situations") or []}
    for i, m in enumerate(doc.get("materials") or []):
        where = f"materials[{i}]"
        if m.get("deficiency_allowed") and m.get("is_key"):
            add(
                "key_material_deficiency",
                f"{where}.deficiency_allowed",
                _("“{name}”是关键材料，不能容缺。").format(name=m.get("name")),
            )
        if m.get("necessity") == "conditional" and not str(m.get("condition") or "").strip():
            add(
                "condition_missing",
                f"{where}.condition",
                _("“{name}”为容情形提交，必须写明提交条件。").format(name=m.get("name")),
            )
        if m.get("source") in {"shared", "elicence", "issued"} and not m.get("source_department"):
            add(
                "source_department_missing",
                f"{where}.source_department",
                _("“{name}”由其他部门出具或共享，必须写明部门。").format(name=m.get("name")),
            )
        if (
            m.get("source") in {"shared", "elicence"}
            and not str(m.get("evidence_type") or "").strip()
        ):
            add(
                "evidence_type_missing",
                f"{where}.evidence_type",
                _("“{name}”通过共享或电子证照获取，必须写明数据类型。").format(name=m.get("name")),
            )
        if m.get("source") == "online_form" and not doc.get("form_fields"):
            add(
                "online_form_without_fields",
                f"{where}.source",
                _("“{name}”标为在线填报，但事项没有申请表字段可填。").format(name=m.get("name")),
            )
        for code in m.get("situations") or []:
            if code not in situation_codes:
                add(
                    "unknown_situation",
                    f"{where}.situations",
                    _("“{name}”引用了不存在的情形“{code}”。").format(name=m.get("name"), code=code),
                )
    form_fields = doc.get("form_fields") or []
    by_code = {f.get("code"): f for f in form_fields}
    _fills_check(doc, form_fields, add)
    for i, f in enumerate(form_fields):
        _required_if_check(f, f"form_fields[{i}].required_if", by_code, add)
        if f.get("field_type") in {"choice", "multichoice"} and not f.get("choices"):
            add(
                "choices_missing",
                f"form_fields[{i}].choices",
                _("选择类字段“{label}”必须列出选项。").format(label=f.get("label")),
            )
        if f.get("date_bound") and f.get("field_type") != "date":
            add(
                "date_bound_invalid",
                f"form_fields[{i}].date_bound",
                _("只有日期字段可以限定日期范围：“{label}”不是日期字段。").format(
                    label=f.get("label")
                ),
            )
        lo, hi = f.get("min_value"), f.get("max_value")
        if lo is not None and hi is not None and lo > hi:
            add(
                "range_inverted",
                f"form_fields[{i}].min_value",
                _("字段“{label}”的最小值大于最大值。").format(label=f.get("label")),
            )
        for code in f.get("situations") or []:
            if code not in situation_codes:
                add(
                    "unknown_situation",
                    f"form_fields[{i}].situations",
                    _("字段“{label}”引用了不存在的情形“{code}”。").format(
                        label=f.get("label"), code=code
                    ),
                )
    stage_order = {"handle": 0, "check": 1, "approve": 2}
    codes = [s.get("code") for s in doc.get("stages") or []]
    if codes != sorted(codes, key=lambda c: stage_order.get(c, 9)):
        add("stage_order", "stages", _("审批环节必须按 承办 → 审核 → 批准 的顺序排列。"))
    return out


DELIVERY_METHODS = {"electronic", "post", "pickup"}


def _fills_check(doc: dict[str, Any], form_fields: list[dict], add) -> None:
    """A field that answers the delivery asks it properly: one such field, a choice among
    the platform's methods (post only where the item posts results); the address is text."""
    seen: set[str] = set()
    for i, f in enumerate(form_fields):
        fills, where, label = f.get("fills") or "", f"form_fields[{i}].fills", f.get("label")
        if not fills:
            continue
        if fills in seen:
            add(
                "fills_repeated",
                where,
                _("表单中只能有一个字段对应办件的“{fills}”。").format(fills=fills),
            )
        seen.add(fills)
        if fills == "delivery_method":
            values = {str(c.get("value")) for c in f.get("choices") or []}
            if f.get("field_type") != "choice" or not values or not values <= DELIVERY_METHODS:
                add(
                    "fills_invalid",
                    where,
                    _(
                        "字段“{label}”对应送达方式，须为单选，"
                        "选项值只能是 electronic、post、pickup。"
                    ).format(label=label),
                )
            elif "post" in values and not doc.get("supports_post_delivery"):
                add(
                    "fills_invalid",
                    where,
                    _("字段“{label}”提供邮寄，但本事项不支持邮寄送达。").format(label=label),
                )
        elif fills == "delivery_address" and f.get("field_type") not in ("text", "textarea"):
            add(
                "fills_invalid",
                where,
                _("字段“{label}”对应邮寄地址，须为文本字段。").format(label=label),
            )


CONDITION_TYPES = {"choice", "multichoice", "boolean"}


def _required_if_check(f: dict[str, Any], where: str, by_code: dict, add) -> None:
    """``required_if`` names another choice or yes/no field of the form, and its values."""
    from onetrip.catalog.models import parse_required_if

    text = (f.get("required_if") or "").strip()
    if not text:
        return
    label = f.get("label")
    condition = parse_required_if(text)
    ref = by_code.get(condition[0]) if condition and "=" in text else None
    if ref is None or ref is f or not condition[1]:
        add(
            "required_if_invalid",
            where,
            _(
                "字段“{label}”的条件必填应写成“另一字段代码=值”（如 delivery=post），"
                "且引用的字段必须在本表单中。"
            ).format(label=label),
        )
        return
    if ref.get("field_type") not in CONDITION_TYPES:
        add(
            "required_if_invalid",
            where,
            _("字段“{label}”的条件必填只能引用单选、多选或是否字段，“{other}”不是。").format(
                label=label, other=ref.get("label")
            ),
        )
        return
    if ref.get("field_type") == "boolean":
        allowed = {"true", "false"}
    else:
        allowed = {str(c.get("value")) for c in ref.get("choices") or []}
    unknown = sorted(condition[1] - allowed)
    if unknown:
        add(
            "required_if_invalid",
            where,
            _("字段“{label}”的条件必填引用了“{other}”没有的值：{values}。").format(
                label=label, other=ref.get("label"), values=_("、").join(unknown)
            ),
        )
    mine, theirs = set(f.get("situations") or []), set(ref.get("situations") or [])
    if theirs and (not mine or not mine <= theirs):
        add(
            "required_if_invalid",
            where,
            _("字段“{label}”的条件必填引用的“{other}”不是在它适用的每种情形下都要填写。").format(
                label=label, other=ref.get("label")
            ),
        )
    if not f.get("required"):
        add(
            "required_if_not_required",
            where,
            _("字段“{label}”设置了条件必填，须同时标为必填（条件不成立时可不填）。").format(
                label=label
            ),
        )


def _digits(value: Any) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())
