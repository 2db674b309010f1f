"""The message template registry: rendering, required variables, bad codes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from onetrip.notifications.messages import (
    ChannelText,
    MessageTemplate,
    MessageTemplateError,
    message_template_codes,
    message_template_get,
    message_template_register,
)


def test_shipped_templates_are_registered():
    assert {"login_code", "application_status", "correction_requested", "decision_made"} <= set(
        message_template_codes()
    )


def test_login_code_is_sms_only_and_renders_the_agreed_text():
    template = message_template_get("login_code")
    assert template.channels == ("sms",)
    assert template.sensitive
    text = template.render(channel="sms", context={"code": "482913", "minutes": 5})
    assert text.subject == ""
    assert text.body == "【兰州人社】您的登录验证码为482913，5分钟内有效。如非本人操作请忽略。"


def test_unknown_template_code_raises_a_clear_error():
    with pytest.raises(MessageTemplateError, match="未知的消息模板：'no_such_template'"):
        message_template_get("no_such_template")


def test_missing_required_variable_is_named():
    template = message_template_get("application_status")
    with pytest.raises(MessageTemplateError, match="item_name"):
        template.render(
            channel="inbox", context={"tracking_number": "X1", "status_label": "已受理"}
        )


def test_variables_inside_if_are_optional_and_text_is_not_html_escaped():
    template = message_template_get("application_status")
    context = {
        "tracking_number": "LZ202600001",
        "item_name": "失业保险金申领 <A&B>",
        "status_label": "已受理",
    }
    text = template.render(channel="inbox", context=context)
    assert "下一步" not in text.body
    assert "失业保险金申领 <A&B>" in text.body  # escaping happens where the text is shown
    assert text.subject == "办件进度：失业保险金申领 <A&B> 已受理"
    with_next = template.render(channel="sms", context={**context, "next_step": "请等待审核。"})
    assert with_next.body.endswith("请等待审核。")


def test_correction_lists_every_item_once():
    template = message_template_get("correction_requested")
    text = template.render(
        channel="inbox",
        context={
            "tracking_number": "LZ1",
            "item_name": "社会保障卡申领",
            "corrections": ["身份证复印件不清晰", "照片不符合要求"],
            "deadline": "2026年12月31日",
        },
    )
    assert "1. 身份证复印件不清晰\n2. 照片不符合要求" in text.body
    assert "请在2026年12月31日前登录平台补正" in text.body


def test_rendering_is_in_chinese_whatever_the_active_language():
    template = MessageTemplate(
        code="test_date",
        description="测试",
        texts={"sms": ChannelText(body="{{ day|date:'F' }}")},
    )
    with translation.override("en"):
        text = template.render(channel="sms", context={"day": datetime.date(2026, 3, 1)})
    assert text.body == "三月"


def test_register_rejects_duplicates_bad_channels_and_syntax_errors():
    with pytest.raises(MessageTemplateError, match="已存在"):
        message_template_register(
            MessageTemplate(code="login_code", description="x", texts={"sms": ChannelText("x")})
        )
    with pytest.raises(MessageTemplateError, match="未知渠道"):
        message_template_register(
            MessageTemplate(code="t_fax", description="x", texts={"fax": ChannelText("x")})
        )
    with pytest.raises(MessageTemplateError, match="需要标题"):
        message_template_register(
            MessageTemplate(code="t_nosubj", description="x", texts={"inbox": ChannelText("x")})
        )
    with pytest.raises(MessageTemplateError, match="语法错误"):
        message_template_register(
            MessageTemplate(
                code="t_syntax", description="x", texts={"sms": ChannelText("{% if %}")}
            )
        )
    assert not {"t_fax", "t_nosubj", "t_syntax"} & set(message_template_codes())


# What applications.services passes for every workflow event.
WORKFLOW_CONTEXT = {
    "tracking_number": "LZ2026000007",
    "item_name": "失业保险金申领",
    "status_label": "不予受理",
    "next_step": "",
    "note": "不符合申领条件",
}


@pytest.mark.parametrize("code", ["application_status", "correction_requested", "decision_made"])
def test_application_templates_render_with_the_workflow_context_on_every_channel(code):
    template = message_template_get(code)
    assert template.channels == ("inbox", "sms", "email")
    for channel in template.channels:
        text = template.render(channel=channel, context=WORKFLOW_CONTEXT)
        assert "LZ2026000007" in text.body
        assert "None" not in text.body + text.subject


def test_decision_shows_the_reason_or_else_the_note():
    template = message_template_get("decision_made")
    body = template.render(channel="inbox", context=WORKFLOW_CONTEXT).body
    assert "已作出决定：不予受理。" in body
    assert "说明：不符合申领条件" in body
    body = template.render(channel="inbox", context={**WORKFLOW_CONTEXT, "reason": "超龄"}).body
    assert "理由：超龄" in body
    assert "说明" not in body


def test_correction_items_may_be_the_workflows_dicts():
    template = message_template_get("correction_requested")
    items = [
        {"kind": "material", "code": "id", "name": "身份证", "reason": "复印件不清晰"},
        {"kind": "field", "code": "bank", "name": "银行账号", "reason": "请补正"},
    ]
    body = template.render(channel="email", context={**WORKFLOW_CONTEXT, "corrections": items}).body
    assert "1. 身份证：复印件不清晰\n2. 银行账号：请补正" in body
    without_items = template.render(channel="inbox", context=WORKFLOW_CONTEXT).body
    assert "不符合申领条件" in without_items
