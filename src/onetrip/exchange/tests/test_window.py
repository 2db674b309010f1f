"""At the window: the officer takes a material from the department that holds it."""

from __future__ import annotations

import socket

import pytest

from onetrip.applications.models import Application, ApplicationMaterial
from onetrip.applications.tests.factories import ID_B, world
from onetrip.catalog.tests.factories import item_doc, item_publish
from onetrip.exchange.models import DataUse, Evidence, MaterialEvidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter(client):
    w = world()
    client.force_login(w.window)
    doc = item_doc()
    item = item_publish(
        visits_required=1,
        visits_reason="须现场采集指纹",
        online_depth=3,
        department="insurance",
        situations=[],
        materials=doc["materials"][:1],
        form_fields=doc["form_fields"][:1],
    )
    client.post("/workbench/intake/", {"form": "find_person", "id_number": ID_B})
    client.post("/workbench/intake/start/", {"item": item.code})
    app = Application.objects.get(item=item)
    client.post(f"/workbench/intake/{app.pk}/fields/", {"name": "李四"})
    return w, app


def test_the_window_fetches_before_saving_and_logs_its_role(client, counter):
    _, app = counter
    r = client.post(f"/workbench/intake/{app.pk}/materials/", {"mat-id-card": "shared"})
    assert r.status_code == 302
    assert app.materials.get(code="id-card").state == ApplicationMaterial.State.SHARED
    assert Evidence.objects.count() == 1
    uses = DataUse.objects.filter(person=app.applicant_person)
    assert set(uses.values_list("kind", flat=True)) == {"fetch", "reuse"}
    assert set(uses.values_list("actor_role", flat=True)) == {"窗口受理人员"}


def test_the_window_is_told_and_nothing_is_half_written_when_the_registry_is_down(
    client, counter, settings
):
    _, app = counter
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    settings.ONETRIP_EXCHANGE_URL = f"http://127.0.0.1:{s.getsockname()[1]}"
    s.close()
    r = client.post(f"/workbench/intake/{app.pk}/materials/", {"mat-id-card": "shared"})
    assert r.status_code == 400 and "无法连接" in r.content.decode()
    assert app.materials.get(code="id-card").state == ApplicationMaterial.State.MISSING
    assert Evidence.objects.count() == 0
    # The failure itself is kept (outside the intake's transaction).
    assert MaterialEvidence.objects.get(application=app).failure_code == "unavailable"
