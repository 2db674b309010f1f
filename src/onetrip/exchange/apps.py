from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "onetrip.exchange"
    verbose_name = "数据共享"
    default_auto_field = "django.db.models.BigAutoField"
