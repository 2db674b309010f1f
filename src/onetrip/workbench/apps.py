from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "onetrip.workbench"
    verbose_name = "工作台"
