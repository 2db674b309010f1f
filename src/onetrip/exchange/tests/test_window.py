"""At the window: the officer takes a material from the department that holds it."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
import time_machine

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
    # Fetched before the transaction and used inside it: one use of the data, recorded once.
    assert list(uses.values_list("kind", "actor_role")) == [("fetch", "窗口受理人员")]


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


def test_changed_data_at_window_submission_is_kept_for_the_officer_to_show(
    client, counter, settings
):
    """Refreshed at submission and different from what was taken: not submitted, the new
    data waits (its fetch is kept in the log), and the officer takes it again to go on."""
    settings.ONETRIP_EXCHANGE_FRESHNESS_SECONDS = 3600
    _, app = counter
    client.post(f"/workbench/intake/{app.pk}/materials/", {"mat-id-card": "shared"})
    old = MaterialEvidence.objects.get(application=app).evidence
    old.data = {**old.data, "address": "甘肃省兰州市城关区旧地址1号"}
    old.save(update_fields=["data"])
    check = {
        "delivery_method": "pickup",
        "place": "市政务服务中心 3 号窗口",
        "over_promise_reason": "申请人不会使用网上办理，自愿到窗口",
    }
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
        r = client.post(f"/workbench/intake/{app.pk}/check/", check)
        assert r.status_code == 409 and "部门数据已更新" in r.content.decode()
        app.refresh_from_db()
        assert app.status == "draft"
        link = MaterialEvidence.objects.get(application=app)
        assert link.state == MaterialEvidence.State.PREVIEW and link.evidence != old
        fetches = DataUse.objects.filter(application=app, kind="fetch").count()
        assert fetches == 2  # the refresh's fetch is in the person's log
        r = client.post(f"/workbench/intake/{app.pk}/materials/", {"mat-id-card": "shared"})
        assert r.status_code == 302
        r = client.post(f"/workbench/intake/{app.pk}/check/", check)
    assert r.status_code == 302 and r["Location"] == f"/workbench/intake/{app.pk}/done/"
    assert MaterialEvidence.objects.get(application=app).evidence == link.evidence


def test_someone_else_using_the_same_evidence_is_recorded():
    from onetrip.applications.tests.factories import photo_asked_again, submitted
    from onetrip.exchange.services import evidence_obtain

    w = world()
    app = photo_asked_again(w, submitted(w))  # the applicant fetched the ID data for it
    evidence_obtain(application=app, user=w.window, codes=["id-card"])
    uses = DataUse.objects.filter(application=app).exclude(kind=DataUse.Kind.VIEW)
    assert sorted(uses.values_list("kind", "actor_role")) == [
        ("fetch", "申请人本人"),
        ("reuse", "窗口受理人员"),
    ]
