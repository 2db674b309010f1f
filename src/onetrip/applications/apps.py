from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "onetrip.applications"
    verbose_name = "办件"
