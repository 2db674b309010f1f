"""Message templates: a code → the subject and body for each channel, as Django template text.

Templates are rendered once, when a message is enqueued, in Chinese and without HTML escaping
(pages escape the stored text when they show it). A variable written at the top level of a text
(``{{ item_name }}``) is required: enqueueing without it is an error. A variable used only inside
``{% if %}`` or ``{% for %}`` is optional.

Other apps add their templates with ``message_template_register``::

    message_template_register(MessageTemplate(
        code="visit_booked",
        description="预约到窗口办理",
        texts={
            "inbox": ChannelText(subject="预约成功", body="您已预约{{ when }}到{{ place }}办理。"),
            "sms": ChannelText(body="【兰州人社】您已预约{{ when }}到{{ place }}办理。"),
        },
    ))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import VariableNode
from django.utils import translation

CHANNELS = ("inbox", "sms", "email")

# One engine for plain text: no autoescaping, the built-in tags and filters only.
_engine = Engine(autoescape=False, string_if_invalid="")


class MessageTemplateError(ValueError):
    """A template code that does not exist, or a context that does not fit it."""


@dataclass(frozen=True)
class ChannelText:
    """The text of one template for one channel (SMS has no subject)."""

    body: str
    subject: str = ""


@dataclass(frozen=True)
class RenderedText:
    subject: str
    body: str


@dataclass(frozen=True)
class MessageTemplate:
    code: str
    description: str
    texts: Mapping[str, ChannelText]
    # Sensitive messages (one-time codes) are hidden in the admin and their stored text is
    # blanked once delivered.
    sensitive: bool = False
    _compiled: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(c for c in CHANNELS if c in self.texts)

    @cached_property
    def required_variables(self) -> frozenset[str]:
        names: set[str] = set()
        for channel in self.channels:
            for template in self._templates(channel):
                for node in template.nodelist:  # top level only: {% if %} makes a name optional
                    if isinstance(node, VariableNode):
                        var = node.filter_expression.var
                        lookups = getattr(var, "lookups", None)
                        if lookups:
                            names.add(lookups[0])
        return frozenset(names)

    def _templates(self, channel: str) -> tuple[Template, Template]:
        if channel not in self._compiled:
            text = self.texts[channel]
            self._compiled[channel] = (
                _engine.from_string(text.subject),
                _engine.from_string(text.body),
            )
        return self._compiled[channel]

    def render(self, *, channel: str, context: Mapping[str, Any]) -> RenderedText:
        if channel not in self.texts:
            raise MessageTemplateError(
                f"消息模板 {self.code} 没有“{channel}”渠道的内容，"
                f"可用渠道：{'、'.join(self.channels)}"
            )
        missing = sorted(self.required_variables - set(context))
        if missing:
            raise MessageTemplateError(f"消息模板 {self.code} 缺少变量：{'、'.join(missing)}")
        subject_t, body_t = self._templates(channel)
        with translation.override("zh-hans"):
            ctx = Context(dict(context), autoescape=False)
            subject = " ".join(subject_t.render(ctx).split())
            body = body_t.render(ctx).strip()
        return RenderedText(subject=subject, body=body)


_registry: dict[str, MessageTemplate] = {}


def message_template_register(template: MessageTemplate, *, replace: bool = False) -> None:
    """Add a template; its texts are compiled now so a syntax error shows at import time."""
    if template.code in _registry and not replace:
        raise MessageTemplateError(f"消息模板 {template.code} 已存在")
    unknown = set(template.texts) - set(CHANNELS)
    if unknown:
        raise MessageTemplateError(
            f"消息模板 {template.code} 含未知渠道：{'、'.join(sorted(unknown))}"
        )
    for channel in ("inbox", "email"):
        if channel in template.texts and not template.texts[channel].subject.strip():
            raise MessageTemplateError(f"消息模板 {template.code} 的{channel}内容需要标题")
    try:
        for channel in template.channels:
            template._templates(channel)
    except TemplateSyntaxError as exc:
        raise MessageTemplateError(f"消息模板 {template.code} 语法错误：{exc}") from exc
    _registry[template.code] = template


def message_template_get(code: str) -> MessageTemplate:
    try:
        return _registry[code]
    except KeyError:
        raise MessageTemplateError(f"未知的消息模板：{code!r}") from None


def message_template_codes() -> list[str]:
    return sorted(_registry)


# --- the shipped templates ------------------------------------------------------------------
# The application templates take what applications.services passes for every workflow event:
#   tracking_number, item_name, status_label (required by application_status and decision_made),
#   next_step, note (optional).
# correction_requested also takes corrections (strings, or dicts with name and reason) and
# deadline; decision_made takes reason (else note is shown) and appeal_rights.

SMS_SIGNATURE = "【兰州人社】"

_APPLICATION_HEAD = "您申请的“{{ item_name }}”（申办流水号：{{ tracking_number }}）"

message_template_register(
    MessageTemplate(
        code="login_code",
        description="登录验证码",
        sensitive=True,
        texts={
            "sms": ChannelText(
                body=SMS_SIGNATURE
                + "您的登录验证码为{{ code }}，{{ minutes }}分钟内有效。如非本人操作请忽略。"
            ),
        },
    )
)

message_template_register(
    MessageTemplate(
        code="email_verify",
        description="邮箱验证码",
        sensitive=True,
        texts={
            "email": ChannelText(
                subject="【兰州人社】请验证您接收通知的邮箱",
                body="您好：\n\n您正在把本邮箱设为接收办件通知的邮箱，验证码为 {{ code }}，"
                "{{ minutes }} 分钟内有效。\n如非本人操作，请忽略本邮件，邮箱不会被使用。\n\n"
                "此邮件由系统自动发送，请勿直接回复。",
            ),
        },
    )
)

message_template_register(
    MessageTemplate(
        code="application_status",
        description="办件状态变化",
        texts={
            "inbox": ChannelText(
                subject="办件进度：{{ item_name }} {{ status_label }}",
                body=_APPLICATION_HEAD + "当前状态：{{ status_label }}。\n"
                "{% if note %}说明：{{ note }}\n{% endif %}"
                "{% if next_step %}下一步：{{ next_step }}\n{% endif %}"
                "您可以登录平台，在“我的办件”中查看办理进度。",
            ),
            "sms": ChannelText(
                body=SMS_SIGNATURE + "您申请的{{ item_name }}（{{ tracking_number }}）"
                "当前状态：{{ status_label }}"
                "{% if note %}（{{ note|truncatechars:60 }}）{% endif %}。"
                "{% if next_step %}{{ next_step }}{% endif %}"
            ),
            "email": ChannelText(
                subject="【办件进度】{{ item_name }}（{{ tracking_number }}）{{ status_label }}",
                body="您好：\n\n" + _APPLICATION_HEAD + "当前状态：{{ status_label }}。\n"
                "{% if note %}说明：{{ note }}\n{% endif %}"
                "{% if next_step %}下一步：{{ next_step }}\n{% endif %}"
                "\n您可以登录平台，在“我的办件”中查看办理进度。\n\n"
                "此邮件由系统自动发送，请勿直接回复。",
            ),
        },
    )
)

# ``corrections``: strings, or dicts with ``name`` and ``reason``; without it, ``note`` is shown.
_CORRECTION_LIST = (
    "{% for entry in corrections %}{{ forloop.counter }}. "
    "{% if entry.name %}{{ entry.name }}：{{ entry.reason }}{% else %}{{ entry }}{% endif %}\n"
    "{% empty %}{% if note %}{{ note }}\n{% endif %}{% endfor %}"
)
# ``reason`` (or the workflow's ``note``) explains a decision.
_REASON = "{% if reason %}理由：{{ reason }}\n{% elif note %}说明：{{ note }}\n{% endif %}"

message_template_register(
    MessageTemplate(
        code="correction_requested",
        description="一次性补正告知",
        texts={
            "inbox": ChannelText(
                subject="需要补正：{{ item_name }}（{{ tracking_number }}）",
                body=_APPLICATION_HEAD
                + "需要补正材料。以下为一次性告知的全部补正内容：\n"
                + _CORRECTION_LIST
                + "{% if deadline %}请在{{ deadline }}前登录平台补正，{% else %}请登录平台补正，"
                "{% endif %}补正后将继续办理，无需再次到窗口。",
            ),
            "sms": ChannelText(
                body=SMS_SIGNATURE
                + "您申请的{{ item_name }}（{{ tracking_number }}）需要补正材料，"
                "{% if deadline %}请在{{ deadline }}前{% else %}请{% endif %}"
                "{% if sms_only %}带齐以下内容到任一服务窗口补正："
                "{% for entry in corrections %}{% if entry.name %}{{ entry.name }}{% else %}"
                "{{ entry }}{% endif %}{% if not forloop.last %}、{% endif %}{% endfor %}。"
                "{% else %}登录平台查看一次性补正告知。{% endif %}"
            ),
            "email": ChannelText(
                subject="【补正告知】{{ item_name }}（{{ tracking_number }}）",
                body="您好：\n\n"
                + _APPLICATION_HEAD
                + "需要补正材料。以下为一次性告知的全部补正内容：\n"
                + _CORRECTION_LIST
                + "\n{% if deadline %}请在{{ deadline }}前登录平台补正。{% else %}请登录平台补正。"
                "{% endif %}\n\n此邮件由系统自动发送，请勿直接回复。",
            ),
        },
    )
)

message_template_register(
    MessageTemplate(
        code="decision_made",
        description="办理决定",
        texts={
            "inbox": ChannelText(
                subject="办理结果：{{ item_name }} {{ status_label }}",
                body=_APPLICATION_HEAD
                + "已作出决定：{{ status_label }}。\n"
                + _REASON
                + "{% if next_step %}下一步：{{ next_step }}\n{% endif %}"
                "{% if appeal_rights %}{{ appeal_rights }}{% endif %}",
            ),
            "sms": ChannelText(
                body=SMS_SIGNATURE + "您申请的{{ item_name }}（{{ tracking_number }}）"
                "已作出决定：{{ status_label }}"
                "{% if appeal_rights and note %}（理由：{{ note|truncatechars:60 }}）{% endif %}。"
                "{% if appeal_rights %}{{ appeal_rights }}{% endif %}"
                "{% if sms_only %}决定书按您选择的方式送达，可凭申办流水号和查询码查询办理进度。"
                "{% else %}请登录平台查看。{% endif %}"
            ),
            "email": ChannelText(
                subject="【办理结果】{{ item_name }}（{{ tracking_number }}）{{ status_label }}",
                body="您好：\n\n"
                + _APPLICATION_HEAD
                + "已作出决定：{{ status_label }}。\n"
                + _REASON
                + "{% if next_step %}下一步：{{ next_step }}\n{% endif %}"
                "{% if appeal_rights %}{{ appeal_rights }}\n{% endif %}"
                "\n请登录平台查看。\n\n此邮件由系统自动发送，请勿直接回复。",
            ),
        },
    )
)

message_template_register(
    MessageTemplate(
        code="card_raised",
        description="电子监察预警（一次扫描中新发出的黄牌、红牌）",
        texts={
            "inbox": ChannelText(
                subject="{% if count == 1 %}{{ colour }}：{{ item_name }}（{{ tracking_number }}）"
                "{% else %}新发出 {{ count }} 张电子监察牌{% endif %}",
                body="{% for c in cards %}{{ c.colour }}：办件 {{ c.tracking_number }}"
                "（{{ c.item_name }}）{{ c.reason }}。\n{% endfor %}"
                "{% if more %}另有 {{ more }} 张，请在监察看板查看。\n{% endif %}"
                "请在工作台打开办件及时办理；监察人员可在“电子监察”中查看和处理这些监察牌。",
            ),
        },
    )
)
