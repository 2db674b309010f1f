"""Quality rules of DOMAIN.md §2, over many combinations of the fields they look at."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from onetrip.catalog.quality import check
from onetrip.catalog.tests.factories import item_doc, online_form_material

BASE = item_doc()

combos = st.fixed_dictionaries(
    {
        "handling_type": st.sampled_from(["instant", "promised"]),
        "promised_limit": st.integers(0, 40),
        "promised_limit_unit": st.sampled_from(["working", "calendar"]),
        "legal_limit": st.one_of(st.none(), st.integers(0, 60)),
        "legal_limit_unit": st.sampled_from(["working", "calendar"]),
        "visits_required": st.integers(0, 3),
        "visits_reason": st.sampled_from(["", "  ", "需现场采集人像"]),
        "online_available": st.booleans(),
        "online_depth": st.integers(0, 4),
        "accepts_post_application": st.booleans(),
        "fee_charged": st.booleans(),
        "fees": st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.just("工本费"),
                    "standard": st.sampled_from(["", "20元/张"]),
                    "basis": st.sampled_from(["", "甘发改收费〔2019〕1号"]),
                    "reduction": st.just(""),
                }
            ),
            max_size=2,
        ),
        "consult_phone": st.sampled_from(["", "0931-12333", "0931-12345"]),
        "complaint_phone": st.sampled_from(["", "0931 12345", "12345"]),
        "result_name": st.sampled_from(["", "社会保障卡"]),
        "result_sample": st.sampled_from(["", "样本说明"]),
        "result_type": st.sampled_from(["none", "certificate"]),
    }
)


def expected(doc: dict) -> set[str]:
    """An independent statement of each rule: which codes the doc must be refused for."""
    out = set()
    if doc["promised_limit"] == 0 and doc["handling_type"] != "instant":
        out.add("instant_mismatch")
    if doc["promised_limit"] != 0 and doc["handling_type"] != "promised":
        out.add("promised_mismatch")
    if doc["legal_limit"] is not None:
        days = {"working": 7 / 5, "calendar": 1}
        if doc["promised_limit_unit"] == doc["legal_limit_unit"]:
            over = doc["promised_limit"] > doc["legal_limit"]
        else:
            import math

            p = doc["promised_limit"] * days[doc["promised_limit_unit"]]
            lg = doc["legal_limit"] * days[doc["legal_limit_unit"]]
            over = math.ceil(p - 1e-9) > math.ceil(lg - 1e-9)
        if over:
            out.add("promised_exceeds_legal")
    if doc["visits_required"] > 0 and not doc["visits_reason"].strip():
        out.add("visits_reason_missing")
    if doc["online_depth"] == 4 and doc["visits_required"] != 0:
        out.add("full_online_with_visits")
    if doc["online_depth"] >= 2 and not doc["online_available"]:
        out.add("depth_without_online")
    if doc["online_available"] and doc["online_depth"] < 2:
        out.add("online_without_depth")
    if (
        doc["visits_required"] == 0
        and doc["online_depth"] < 3
        and not doc["accepts_post_application"]
    ):
        out.add("zero_visits_no_channel")
    if doc["fee_charged"]:
        if not doc["fees"]:
            out.add("fee_items_missing")
        if any(not f["basis"] for f in doc["fees"]):
            out.add("fee_basis_missing")
        if any(not f["standard"] for f in doc["fees"]):
            out.add("fee_standard_missing")
    elif doc["fees"]:
        out.add("fees_without_charge")
    digits = lambda s: "".join(c for c in s if c.isdigit())  # noqa: E731
    if not doc["consult_phone"]:
        out.add("consult_phone_missing")
    if not doc["complaint_phone"]:
        out.add("complaint_phone_missing")
    if doc["consult_phone"] and digits(doc["consult_phone"]) == digits(doc["complaint_phone"]):
        out.add("same_phones")
    if doc["result_name"] and not doc["result_sample"]:
        out.add("result_sample_missing")
    if doc["result_type"] != "none" and not doc["result_name"]:
        out.add("result_name_missing")
    return out


@settings(max_examples=400, deadline=None)
@given(combos)
def test_each_rule_fires_exactly_when_broken(fields):
    doc = {**BASE, **fields}
    assert {v.code for v in check(doc)} == expected(doc)


@given(combos)
def test_every_violation_names_a_field_and_speaks_chinese(fields):
    for v in check({**BASE, **fields}):
        assert v.field
        assert any("\u4e00" <= ch <= "\u9fff" for ch in v.message)


def test_valid_document_passes():
    assert check(item_doc()) == []


def test_material_rules():
    doc = item_doc()
    doc["materials"][0].update(is_key=True, deficiency_allowed=True)
    doc["materials"][1].update(necessity="conditional", condition="")
    doc["materials"][2].update(source="shared", source_department="", evidence_type="")
    doc["materials"][2]["situations"] = ["nowhere"]
    codes = [v.code for v in check(doc)]
    assert codes.count("key_material_deficiency") == 1
    assert "condition_missing" in codes
    assert "source_department_missing" in codes
    assert "evidence_type_missing" in codes
    assert "unknown_situation" in codes


def test_no_materials_is_refused():
    assert "materials_missing" in {v.code for v in check(item_doc(materials=[]))}


def test_conditionally_required_fields_name_a_real_choice_and_its_values():
    def codes_for(required_if: str, required: bool = True, situations=("first",)) -> list[str]:
        doc = item_doc()  # "bank" is a choice asked in situation "first" only
        doc["form_fields"].append(
            {
                **doc["form_fields"][0],
                "code": "address",
                "label": "邮寄地址",
                "prefill": "",
                "required": required,
                "required_if": required_if,
                "situations": list(situations),
            }
        )
        return [v.code for v in check(doc) if v.field.endswith("required_if")]

    assert codes_for("bank=icbc") == []
    assert codes_for("bank=icbc,boc") == []
    assert codes_for("bank=abc") == ["required_if_invalid"]  # not one of the choices
    assert codes_for("name=张三") == ["required_if_invalid"]  # a text field decides nothing
    assert codes_for("nosuch=1") == ["required_if_invalid"]
    assert codes_for("address=x") == ["required_if_invalid"]  # itself
    assert codes_for("bank") == ["required_if_invalid"]  # no value
    assert codes_for("bank=icbc", required=False) == ["required_if_not_required"]
    # Asked in every situation, but decided by a question asked only in one.
    assert codes_for("bank=icbc", situations=()) == ["required_if_invalid"]
    messages = [v.message for v in check(item_doc()) if v.code.startswith("required_if")]
    assert messages == []


def test_a_field_that_answers_the_delivery_asks_it_properly():
    def codes_for(choices, fills="delivery_method", field_type="choice", post=True, twice=False):
        doc = item_doc(supports_post_delivery=post)
        field = {
            **doc["form_fields"][0],
            "code": "delivery",
            "label": "领取方式",
            "prefill": "",
            "field_type": field_type,
            "choices": [{"value": v, "label": v} for v in choices],
            "fills": fills,
        }
        doc["form_fields"] += [field, {**field, "code": "delivery2"}] if twice else [field]
        return [v.code for v in check(doc) if v.field.endswith(".fills")]

    assert codes_for(["post", "pickup", "electronic"]) == []
    assert codes_for(["post", "drone"]) == ["fills_invalid"]
    assert codes_for(["post", "pickup"], post=False) == ["fills_invalid"]
    assert codes_for(["pickup"], twice=True) == ["fills_repeated"]
    assert codes_for([], fills="delivery_address", field_type="date") == ["fills_invalid"]
    assert codes_for([], fills="delivery_address", field_type="textarea") == []


def test_an_online_form_needs_fields_to_fill_in():
    doc = item_doc()
    doc["materials"].append(online_form_material())
    assert check(doc) == []
    doc["form_fields"] = []
    problems = [v for v in check(doc) if v.code == "online_form_without_fields"]
    assert [v.field for v in problems] == ["materials[3].source"]


def test_only_a_date_field_takes_a_date_range():
    def codes_for(field_type: str, bound: str) -> list[str]:
        doc = item_doc()
        doc["form_fields"].append(
            {
                "code": "left_on",
                "label": "离职日期",
                "field_type": field_type,
                "required": False,
                "date_bound": bound,
            }
        )
        return [v.code for v in check(doc)]

    assert codes_for("date", "past") == [] and codes_for("date", "future") == []
    assert codes_for("date", "") == []
    assert codes_for("text", "past") == ["date_bound_invalid"]
