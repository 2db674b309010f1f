"""Refusals at start-up for settings that would damage a shared installation."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured


def require_shared_keys() -> None:
    """On a shared database (ONETRIP_DATABASE_URL), every process must be given the same
    secret and field keys: a key generated for one node's data directory would encrypt
    personal numbers that no other node can read, and sign sessions no other node accepts.
    The embedded default (SQLite in one data directory) keeps its generated key."""
    if not os.environ.get("ONETRIP_DATABASE_URL"):
        return
    missing = [
        name for name in ("ONETRIP_SECRET_KEY", "ONETRIP_FIELD_KEY") if not os.environ.get(name)
    ]
    if missing:
        raise ImproperlyConfigured(
            f"使用共享数据库（ONETRIP_DATABASE_URL）时必须设置 {'、'.join(missing)}，"
            "且每个节点相同；否则各节点会用不同的密钥加密个人信息。见 docs/operations.md。"
            f" / With a shared database, set {', '.join(missing)}, identical on every node."
        )


def require_channels() -> None:
    """Every message channel resolves to an implementation (call after Django is set up): a
    misspelt gateway would otherwise accept login-code requests and fail every delivery. On a
    shared database outside the demo, a sandbox SMS channel is said out loud: codes would be
    stored, not sent."""
    import logging

    from django.conf import settings

    from onetrip.notifications.channels import channel_for, channel_implementation_name

    for code in ("inbox", "sms", "email"):
        channel_for(code)
    if (
        os.environ.get("ONETRIP_DATABASE_URL")
        and not settings.ONETRIP_DEMO
        and channel_implementation_name("sms") == "sandbox"
    ):
        logging.getLogger("onetrip").warning(
            "短信使用沙箱渠道（ONETRIP_SMS_CHANNEL=sandbox）：登录验证码和通知只存入数据库，"
            "不会真正发出。生产环境请配置短信网关。"
        )
