from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "onetrip.notifications"
    verbose_name = "消息通知"
