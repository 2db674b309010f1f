from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "onetrip.core"
    verbose_name = "基础"
