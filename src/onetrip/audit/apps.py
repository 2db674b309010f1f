from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "onetrip.audit"
    verbose_name = "审计"
