"""`onetrip sweep`: raise the 电子监察 cards due now, once (the scheduler does this every minute).

In the demo, ``--ahead N`` or ``--as-of DATE`` runs it as if it were that day, to show a card
appear for an application left untouched; cards are still raised exactly once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from onetrip.core.calendar import working_days_add
from onetrip.supervision.services import cards_sweep


class Command(BaseCommand):
    help = "Raise the 电子监察 cards due today (in the demo: as of a later day)."

    def add_arguments(self, parser):
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--ahead", type=int, metavar="N", help="N working days from today")
        when.add_argument("--as-of", metavar="YYYY-MM-DD", help="a later date")

    def handle(self, *args, ahead: int | None, as_of: str | None, **opts):
        today = timezone.localdate()
        day = today
        if ahead is not None or as_of:
            if not settings.ONETRIP_DEMO:
                raise CommandError("只有演示环境可以按将来的日期扫描（ONETRIP_DEMO=1）。")
            if ahead is not None:
                if ahead < 0:
                    raise CommandError("--ahead 不能为负数。")
                day = working_days_add(today, ahead)
            else:
                try:
                    day = dt.date.fromisoformat(as_of)
                except ValueError:
                    raise CommandError(f"日期“{as_of}”格式不对，应为 YYYY-MM-DD。") from None
                if day < today:
                    raise CommandError("只能按今天或以后的日期扫描。")
        raised = cards_sweep(today=day)
        self.stdout.write(
            f"按 {day:%Y-%m-%d} 扫描：新发黄牌 {raised['yellow']} 张，红牌 {raised['red']} 张。"
        )
