from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "onetrip.supervision"
    verbose_name = "电子监察"
