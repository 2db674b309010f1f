from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "onetrip.portal"
    verbose_name = "办事指南"
