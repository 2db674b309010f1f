"""Data migrations keep what was recorded before them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from onetrip.applications.models import ApplicationEvent
from onetrip.applications.tests.factories import submitted, world

BEFORE = [("applications", "0009_online_form")]
AFTER = [("applications", "0010_event_opinion")]


@pytest.mark.django_db(transaction=True)
def test_opinions_written_into_notes_are_split_from_them_and_joined_back():
    w = world()
    app = submitted(w)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("applications", "ApplicationEvent")
    for action, note in [
        ("accept", "已受理。意见：材料齐全，予以受理"),
        ("pass_stage", "承办通过"),
        ("start", "先核对缴费记录。意见：无"),  # 开始办理's note was the opinion itself
        ("refuse", "不符合条件。意见：另见说明"),  # grounds, not an opinion step: kept whole
    ]:
        old.objects.create(application_id=app.pk, action=action, note=note)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    rows = set(ApplicationEvent.objects.filter(application=app).values_list("note", "opinion"))
    assert ("已受理", "材料齐全，予以受理") in rows
    assert ("承办通过", "") in rows and ("不符合条件。意见：另见说明", "") in rows
    assert ("", "先核对缴费记录。意见：无") in rows

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("applications", "ApplicationEvent")
    notes = set(old.objects.filter(application_id=app.pk).values_list("note", flat=True))
    assert "已受理。意见：材料齐全，予以受理" in notes and "先核对缴费记录。意见：无" in notes
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
