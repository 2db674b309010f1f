"""Admin: the outbox (read-only, with "retry now"), the site inbox and the sandbox, read-only.

Addresses are shown masked and the text of sensitive messages (login codes) is hidden.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext as _

from onetrip.core.crypto import mask_phone
from onetrip.notifications import services
from onetrip.notifications.messages import MessageTemplateError, message_template_get
from onetrip.notifications.models import InboxMessage, OutboxMessage, SandboxDelivery

HIDDEN = "（敏感内容，不予显示）"


def _mask_address(channel: str, address: str) -> str:
    if not address:
        return "—"
    if channel == "email" and "@" in address:
        name, domain = address.split("@", 1)
        return f"{name[:1]}***@{domain}"
    return mask_phone(address)


def _sensitive(template: str) -> bool:
    try:
        return message_template_get(template).sensitive
    except MessageTemplateError:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "created_at",
        "channel",
        "template",
        "recipient",
        "masked_address",
        "reference",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "template")
    search_fields = ("reference", "dedupe_key", "recipient__username")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    actions = ("retry_now",)
    fields = (
        "created_at",
        "recipient",
        "channel",
        "masked_address",
        "template",
        "subject",
        "shown_body",
        "reference",
        "dedupe_key",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_until",
        "sent_at",
        "last_error",
        "provider_message_id",
    )
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        # The list needs "change" for the retry action; a single row is never editable.
        if obj is not None:
            return False
        return request.user.has_perm("notifications.change_outboxmessage")

    @admin.display(description="发送地址")
    def masked_address(self, obj: OutboxMessage) -> str:
        return _mask_address(obj.channel, obj.address)

    @admin.display(description="内容")
    def shown_body(self, obj: OutboxMessage) -> str:
        return HIDDEN if _sensitive(obj.template) else obj.body

    @admin.action(description="立即重试", permissions=["change"])
    def retry_now(self, request, queryset):
        count = services.outbox_retry(message_ids=queryset.values_list("pk", flat=True))
        skipped = queryset.count() - count
        self.message_user(
            request,
            _("已将 {count} 条发送失败的消息重新排队。").format(count=count),
            messages.SUCCESS,
        )
        if skipped > 0:
            self.message_user(
                request,
                _("{skipped} 条消息不是“发送失败”状态，未作处理。").format(skipped=skipped),
                messages.WARNING,
            )


@admin.register(InboxMessage)
class InboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "recipient", "subject", "reference", "read_at")
    list_filter = (("read_at", admin.EmptyFieldListFilter),)
    search_fields = ("reference", "subject", "recipient__username")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    fields = ("created_at", "recipient", "subject", "body", "reference", "read_at", "outbox")
    readonly_fields = fields


@admin.register(SandboxDelivery)
class SandboxDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "channel", "masked_address", "subject", "short_body")
    list_filter = ("channel",)
    date_hierarchy = "created_at"
    fields = ("created_at", "channel", "masked_address", "subject", "body", "outbox")
    readonly_fields = fields

    @admin.display(description="发送地址")
    def masked_address(self, obj: SandboxDelivery) -> str:
        return _mask_address(obj.channel, obj.address)

    @admin.display(description="内容")
    def short_body(self, obj: SandboxDelivery) -> str:
        return obj.body if len(obj.body) <= 60 else obj.body[:60] + "…"
