"""Per-item forms as data: how answers are checked against the pinned version's fields."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from onetrip.applications.formdata import form_validate
from onetrip.catalog.models import FormField


def _yes_no(required: bool = True) -> FormField:
    return FormField(code="seeking", label="是否正在求职", field_type="boolean", required=required)


def test_an_unanswered_required_yes_no_question_is_an_error_not_a_no():
    values, errors = form_validate([_yes_no()], {})
    assert values == {} and errors == {"seeking": "请选择“是否正在求职”：是或否。"}
    assert form_validate([_yes_no()], {"seeking": None})[1]
    # A draft may leave it for later; an optional question may stay unanswered.
    assert form_validate([_yes_no()], {}, partial=True) == ({}, {})
    assert form_validate([_yes_no(required=False)], {}) == ({}, {})


def test_yes_no_answers_including_an_unticked_box():
    for raw, value in [(True, True), (False, False), ("true", True), ("", False), ("否", False)]:
        assert form_validate([_yes_no()], {"seeking": raw}) == ({"seeking": value}, {})
    assert "是" in form_validate([_yes_no()], {"seeking": "maybe"})[1]["seeking"]


def _delivery_form() -> list[FormField]:
    return [
        FormField(
            code="delivery",
            label="领卡方式",
            field_type="choice",
            choices=[
                {"value": "post", "label": "邮寄到家"},
                {"value": "pickup", "label": "网点自取"},
            ],
        ),
        FormField(
            code="mail_address",
            label="邮寄地址",
            field_type="textarea",
            required=True,
            required_if="delivery=post",
        ),
    ]


def test_a_field_required_only_when_another_answer_asks_for_it():
    form = _delivery_form()
    assert form_validate(form, {"delivery": "post"})[1] == {"mail_address": "请填写邮寄地址。"}
    assert form_validate(form, {"delivery": "post", "mail_address": "  "})[1] == {
        "mail_address": "请填写邮寄地址。"
    }
    assert form_validate(form, {"delivery": "pickup"}) == ({"delivery": "pickup"}, {})
    # An address given anyway is kept; a draft may leave it for later.
    assert form_validate(form, {"delivery": "pickup", "mail_address": "兰州市城关区"})[0] == {
        "delivery": "pickup",
        "mail_address": "兰州市城关区",
    }
    assert form_validate(form, {"delivery": "post"}, partial=True) == ({"delivery": "post"}, {})
    # A wrong answer to the governing question is reported, not taken as "condition unmet".
    errors = form_validate(form, {"delivery": "drone"})[1]
    assert set(errors) == {"delivery"}


def test_conditions_on_yes_no_and_multiple_choice_answers():
    form = [
        _yes_no(),
        FormField(
            code="employer",
            label="求职意向单位",
            field_type="text",
            required=True,
            required_if="seeking=true",
        ),
        FormField(
            code="needs",
            label="需要的服务",
            field_type="multichoice",
            required=False,
            choices=[{"value": "training", "label": "培训"}, {"value": "loan", "label": "贷款"}],
        ),
        FormField(
            code="loan_amount",
            label="贷款金额",
            field_type="decimal",
            required=True,
            required_if="needs=loan",
        ),
    ]
    errors = form_validate(form, {"seeking": True, "needs": ["training", "loan"]})[1]
    assert errors == {"employer": "请填写求职意向单位。", "loan_amount": "请填写贷款金额。"}
    assert form_validate(form, {"seeking": False, "needs": ["training"]})[1] == {}
    assert form_validate(form, {"seeking": ""})[1] == {}  # an unticked box is "no"


def test_the_condition_is_said_in_words_on_the_form():
    from onetrip.applications.formdata import condition_texts

    texts = condition_texts([*_delivery_form(), _yes_no()])
    assert texts == {"mail_address": "选择“邮寄到家”时必填"}
    other = FormField(code="x", label="X", field_type="text", required_if="seeking=true")
    assert condition_texts([_yes_no(), other]) == {"x": "“是否正在求职”选“是”时必填"}


def test_characters_nobody_types_are_refused_with_a_reason():
    name = FormField(code="name", label="姓名", field_type="text", required=True)
    for raw in ("张\x00三", "张\ud800三", "张\x1b三"):
        assert form_validate([name], {"name": raw})[1] == {
            "name": "姓名：含有无法识别的字符，请重新输入。"
        }
    note = FormField(code="note", label="说明", field_type="textarea")
    assert form_validate([note], {"note": "第一行\n第二行\t完"}) == (
        {"note": "第一行\n第二行\t完"},
        {},
    )


def test_a_verified_value_skips_only_an_identifiers_check_digit():
    code = FormField(code="code", label="统一社会信用代码", field_type="credit_code")
    pilot = "91620100MA71234567"  # its check digit fails; an officer accepted it on record
    assert form_validate([code], {"code": pilot})[1]
    assert form_validate([code], {"code": pilot}, verified={"code": pilot}) == ({"code": pilot}, {})
    # Anything else is checked as ever, verified or not.
    name = FormField(code="name", label="姓名", field_type="text", max_length=4)
    for bad in ("张三李四王五", "张\x07三"):
        assert form_validate([name], {"name": bad}, verified={"name": bad})[1]


def test_full_width_digits_are_digits_and_other_scripts_digits_are_not():
    phone = FormField(code="phone", label="联系电话", field_type="phone")
    bank = FormField(code="bank", label="银行账号", field_type="bank_account")
    months = FormField(code="months", label="缴费月数", field_type="integer")
    values, errors = form_validate(
        [phone, bank, months],
        {
            "phone": "１３９１２３４５６７８",
            "bank": "６２２２ ０２０２ ００００ １２３４",
            "months": "１２",
        },
    )
    assert errors == {}
    assert values == {"phone": "13912345678", "bank": "6222020200001234", "months": 12}
    arabic = "\u0661\u0663\u0669" + "1" * 8  # ١٣٩…: not what a counter or bank reads
    assert "phone" in form_validate([phone], {"phone": arabic})[1]
    assert "months" in form_validate([months], {"months": "\u0661\u0662"})[1]


def test_a_date_that_must_have_happened_or_be_still_to_come():
    """离职日期 cannot be tomorrow; an appointment cannot be yesterday. Checked on the day of
    the answer, in the office's time zone."""
    left = FormField(code="end_date", label="离职日期", field_type="date", date_bound="past")
    visit = FormField(code="visit_date", label="预约日期", field_type="date", date_bound="future")
    anyday = FormField(code="retirement_date", label="申请退休日期", field_type="date")
    # 00:30 in Lanzhou is still the day before in UTC: the office's day counts.
    with time_machine.travel(dt.datetime(2026, 12, 5, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))):
        assert form_validate([left], {"end_date": "2026-12-05"}) == (
            {"end_date": "2026-12-05"},
            {},
        )
        assert form_validate([left], {"end_date": "2026-12-06"})[1] == {
            "end_date": "离职日期：不能晚于今天（2026-12-05）。"
        }
        assert form_validate([visit], {"visit_date": "2026-12-04"})[1] == {
            "visit_date": "预约日期：不能早于今天（2026-12-05）。"
        }
        assert not form_validate([visit], {"visit_date": "2026-12-05"})[1]
        assert not form_validate([anyday], {"retirement_date": "2030-01-01"})[1]
        assert not form_validate([anyday], {"retirement_date": "2001-01-01"})[1]


def test_a_date_bound_holds_on_the_day_of_the_answer_not_on_every_later_step():
    """An appointment answered for tomorrow is still the answer when a correction is sent
    after that day: only a new or changed answer is held to the bound."""
    visit = FormField(code="visit_date", label="预约日期", field_type="date", date_bound="future")
    stored = {"visit_date": "2026-12-02"}
    with time_machine.travel(dt.datetime(2026, 12, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))):
        assert form_validate([visit], stored, given_before=stored) == (stored, {})
        assert form_validate([visit], {"visit_date": "2026-12-01"}, given_before=stored)[1]


def test_a_day_that_does_not_exist_is_told_apart_from_a_wrong_format():
    day = FormField(code="left_on", label="离职日期", field_type="date")
    assert form_validate([day], {"left_on": "2026-02-30"})[1] == {
        "left_on": "离职日期：没有 2026-02-30 这一天，请核对日期。"
    }
    assert form_validate([day], {"left_on": "2026/02/28"})[1] == {
        "left_on": "离职日期：请按 2026-01-31 的格式填写日期。"
    }
