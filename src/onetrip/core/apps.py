from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed_calendar(sender, **kwargs):
    """A new database gets the working-day calendar chinese-calendar knows."""
    from onetrip.core.calendar import calendar_seed
    from onetrip.core.models import CalendarDay

    if not CalendarDay.objects.using(kwargs.get("using", "default")).exists():
        calendar_seed()


class CoreConfig(AppConfig):
    name = "onetrip.core"
    verbose_name = "基础"

    def ready(self) -> None:
        post_migrate.connect(_seed_calendar, sender=self, dispatch_uid="onetrip-calendar")
