"""Files left behind by a rolled-back upload are pruned; referenced ones never are."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from onetrip.applications import services
from onetrip.applications.tests.factories import png, world

pytestmark = pytest.mark.django_db


def test_orphans_are_removed_and_referenced_files_kept():
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    kept = services.material_upload(
        application=app, user=w.user, code="photo", upload=png()
    ).file.storage_name
    orphan = default_storage.save("uploads/orphan.png", ContentFile(b"x"))
    old = (dt.datetime.now() - dt.timedelta(days=2)).timestamp()
    for name in (kept, orphan):
        os.utime(default_storage.path(name), (old, old))
    fresh = default_storage.save("uploads/fresh.png", ContentFile(b"y"))
    out = io.StringIO()
    call_command("prune_uploads", stdout=out)
    assert "已删除 1 个" in out.getvalue()
    assert default_storage.exists(kept) and default_storage.exists(fresh)
    assert not default_storage.exists(orphan)
