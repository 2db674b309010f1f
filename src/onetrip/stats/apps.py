from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "onetrip.stats"
    verbose_name = "统计"
