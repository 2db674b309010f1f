"""Delete stored upload files that no row refers to (left by a rolled-back transaction)."""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from onetrip.applications.models import StoredFile


class Command(BaseCommand):
    help = "删除没有记录引用的上传文件（事务回滚时留下的），默认只删 1 天以前的。"

    def add_arguments(self, parser):
        parser.add_argument("--older-than-hours", type=int, default=24)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, older_than_hours: int, dry_run: bool, **opts):
        cutoff = timezone.now() - dt.timedelta(hours=older_than_hours)
        try:
            _dirs, names = default_storage.listdir("uploads")
        except FileNotFoundError:
            names = []
        known = set(StoredFile.objects.values_list("storage_name", flat=True))
        removed = 0
        for name in names:
            path = f"uploads/{name}"
            if path in known:
                continue
            if default_storage.get_modified_time(path) > cutoff:
                continue  # may belong to a transaction still running
            if not dry_run:
                default_storage.delete(path)
            removed += 1
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(f"{verb} {removed} 个无引用的上传文件。")
