"""Failure never blocks and never lies: a registry that is down, slow, broken or answering
about someone else leaves the material to be uploaded, with a clear message, audited, and
nothing from it is kept as evidence."""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import threading
import time

import pytest
import time_machine

from onetrip.applications import services
from onetrip.applications.models import ApplicationMaterial
from onetrip.applications.tests.factories import applicant, png, world
from onetrip.applications.workflow import Status
from onetrip.audit.models import AuditEvent
from onetrip.exchange import signing
from onetrip.exchange.models import DataUse, Evidence, MaterialEvidence

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Fake:
    """A registry impostor on a real socket: slow, failing, or answering garbage."""

    def __init__(self, mode: str, server_key=None):
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if fake.mode == "slow":
                    time.sleep(1.5)
                if fake.mode == "error":
                    self.send_response(503)
                    self.end_headers()
                    self.wfile.write(b"Service Unavailable")
                    return
                body = b"<html>not what you asked for</html>"
                if fake.mode == "signed-deep":  # valid JSON, nested past any parser's depth
                    body = b'{"data":' * 5000 + b"{}" + b"}" * 5000
                headers = {}
                if fake.mode in ("signed-garbage", "signed-deep"):
                    headers = signing.signed_headers(
                        key=fake.server_key,
                        sender="lz-registry-sandbox",
                        request_id=self.headers.get(signing.H_REQUEST_ID, ""),
                        message_kind="response",
                        body=body,
                        status=200,
                    )
                self.send_response(200)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.mode, self.server_key = mode, server_key
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def share(w, app):
    return services.material_choose(application=app, user=w.user, code="id-card", state="shared")


def assert_nothing_kept(app, before_audit: int, code: str):
    assert Evidence.objects.count() == 0
    material = app.materials.get(code="id-card")
    assert material.state == ApplicationMaterial.State.MISSING
    link = MaterialEvidence.objects.get(application=app, material_code="id-card")
    assert link.state == MaterialEvidence.State.FAILED and link.evidence is None
    assert link.failure_code == code
    failed = AuditEvent.objects.filter(action="exchange.fetch_failed")
    assert failed.count() == before_audit + 1
    assert DataUse.objects.filter(kind=DataUse.Kind.FAILED, person=app.applicant_person).exists()


@pytest.mark.parametrize(
    ("mode", "code", "words"),
    [
        ("stopped", "unavailable", "无法连接"),
        ("slow", "timeout", "请求超时"),
        ("error", "server_error", "对方系统故障"),
        ("garbage", "bad_signature", "签名核验"),
        ("signed-garbage", "malformed", "格式不正确"),
        ("signed-deep", "malformed", "格式不正确"),
    ],
)
def test_registry_trouble_degrades_to_upload(settings, registry_sandbox, mode, code, words):
    fake = None
    if mode == "stopped":
        settings.ONETRIP_EXCHANGE_URL = f"http://127.0.0.1:{closed_port()}"
    else:
        key = signing.private_key_load(registry_sandbox.key_dir / "sandbox.key")
        fake = Fake(mode, key)
        settings.ONETRIP_EXCHANGE_URL = fake.url
    settings.ONETRIP_EXCHANGE_TIMEOUT = 0.5
    try:
        w = world()
        app = services.draft_create(user=w.user, item=w.item, situation="first")
        audits = AuditEvent.objects.filter(action="exchange.fetch_failed").count()
        started = time.monotonic()
        with pytest.raises(services.ApplicationError) as caught:
            share(w, app)
        assert time.monotonic() - started < 1.4  # the timeout holds, nobody waits for the slow
        assert words in caught.value.message and "上传" in caught.value.message
        assert caught.value.status == 422
        assert_nothing_kept(app, audits, code)
        # ... and the application still goes through by upload.
        services.draft_save_fields(
            application=app, user=w.user, data={"name": "张三", "bank": "icbc", "copies": 1}
        )
        services.material_upload(application=app, user=w.user, code="id-card", upload=png())
        services.material_upload(application=app, user=w.user, code="photo", upload=png())
        done = services.application_submit(application=app, user=w.user).application
        assert done.status == Status.SUBMITTED
    finally:
        if fake:
            fake.stop()


def test_a_record_for_someone_else_is_never_evidence(settings):
    """The registry answers for the ID number, but the name does not match it."""
    w = world()
    user, _ = applicant("13900000009", "62010219850312003X", "王五")  # 张三's number
    app = services.draft_create(user=user, item=w.item, situation="first")
    audits = AuditEvent.objects.filter(action="exchange.fetch_failed").count()
    with pytest.raises(services.ApplicationError) as caught:
        services.material_choose(application=app, user=user, code="id-card", state="shared")
    assert "不一致" in caught.value.message
    assert_nothing_kept(app, audits, "mismatch")
    assert app.data.get("name") == "王五"


def test_unknown_person_asks_for_upload(settings):
    w = world()
    user, _ = applicant("13900000010", "110101199001011237", "查无此人")
    app = services.draft_create(user=user, item=w.item, situation="first")
    with pytest.raises(services.ApplicationError) as caught:
        services.material_choose(application=app, user=user, code="id-card", state="shared")
    assert "没有查到" in caught.value.message
    assert Evidence.objects.count() == 0


def test_circuit_breaker_stops_calling_a_failing_registry(settings):
    settings.ONETRIP_EXCHANGE_URL = f"http://127.0.0.1:{closed_port()}"
    settings.ONETRIP_EXCHANGE_BREAKER_FAILURES = 2
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    codes = []
    for _ in range(3):
        with pytest.raises(services.ApplicationError):
            share(w, app)
        codes.append(MaterialEvidence.objects.get(application=app).failure_code)
    assert codes == ["unavailable", "unavailable", "breaker_open"]


def test_fresh_evidence_is_reused_and_stale_evidence_fetched_again(settings):
    settings.ONETRIP_EXCHANGE_FRESHNESS_SECONDS = 3600
    w = world()
    first = services.draft_create(user=w.user, item=w.item, situation="first")
    share(w, first)
    second = services.draft_create(user=w.user, item=w.item, situation="first")
    share(w, second)
    assert Evidence.objects.count() == 1  # reused within the freshness period
    assert DataUse.objects.filter(kind=DataUse.Kind.REUSE).count() == 1
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
        # Stale at submission: fetched again before it is relied on.
        services.draft_save_fields(
            application=second, user=w.user, data={"name": "张三", "bank": "icbc", "copies": 1}
        )
        services.material_upload(application=second, user=w.user, code="photo", upload=png())
        services.application_submit(application=second, user=w.user)
    assert Evidence.objects.count() == 2
    link = MaterialEvidence.objects.get(application=second, material_code="id-card")
    assert link.state == MaterialEvidence.State.USED
    assert link.evidence == Evidence.objects.order_by("-fetched_at").first()


def test_an_upload_replaces_shared_data_and_unlocks_nothing_it_did_not_lock(settings):
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    share(w, app)
    assert app.materials.get(code="id-card").state == ApplicationMaterial.State.SHARED
    services.material_upload(application=app, user=w.user, code="id-card", upload=png())
    link = MaterialEvidence.objects.get(application=app, material_code="id-card")
    assert link.state == MaterialEvidence.State.DECLINED
    assert app.materials.get(code="id-card").state == ApplicationMaterial.State.UPLOADED


def test_a_shared_state_without_evidence_does_not_pass_submission(settings):
    """Even if a row says "shared", submission wants the evidence behind it."""
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    services.draft_save_fields(
        application=app, user=w.user, data={"name": "张三", "bank": "icbc", "copies": 1}
    )
    services.material_upload(application=app, user=w.user, code="photo", upload=png())
    app.materials.filter(code="id-card").update(state=ApplicationMaterial.State.SHARED)
    with pytest.raises(services.ApplicationError) as caught:
        services.application_submit(application=app, user=w.user)
    assert "id-card" in caught.value.errors


def test_the_applicant_can_try_again_once_the_registry_is_back(client, settings):
    w = world()
    client.force_login(w.user)
    good = settings.ONETRIP_EXCHANGE_URL
    settings.ONETRIP_EXCHANGE_URL = f"http://127.0.0.1:{closed_port()}"
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    url = f"/drafts/{app.pk}/sharing/"
    client.post(url, {"action": "obtain", "codes": ["id-card"]})
    page = client.get(url).content.decode()
    assert "无法连接" in page and "可以再试" in page
    settings.ONETRIP_EXCHANGE_URL = good
    client.post(url, {"action": "obtain", "codes": ["id-card"]})
    assert 'id="preview-id-card"' in client.get(url).content.decode()
    client.post(url, {"action": "use"})
    assert app.materials.get(code="id-card").state == ApplicationMaterial.State.SHARED


def test_another_persons_draft_sharing_page_is_not_found(client):
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    client.force_login(w.other_user)
    assert client.get(f"/drafts/{app.pk}/sharing/").status_code == 404
    r = client.post(f"/drafts/{app.pk}/sharing/", {"action": "obtain", "codes": ["id-card"]})
    assert r.status_code == 404 and Evidence.objects.count() == 0


def test_the_materials_page_says_what_happened_to_a_fetch_without_contradicting_itself(client):
    w = world()
    user, _ = applicant("13900000011", "110101199001011237", "查无此人")
    app = services.draft_create(user=user, item=w.item, situation="first")
    with pytest.raises(services.ApplicationError):
        services.material_choose(application=app, user=user, code="id-card", state="shared")
    client.force_login(user)
    panel = (
        client.get(f"/drafts/{app.pk}/materials/")
        .content.decode()
        .split('id="m-id-card"')[1]
        .split("</section>")[0]
    )
    assert "没有查到" in panel and "稍后再次尝试" in panel and "可以先预览再使用" not in panel
    services.material_upload(application=app, user=user, code="id-card", upload=png())
    panel = (
        client.get(f"/drafts/{app.pk}/materials/")
        .content.decode()
        .split('id="m-id-card"')[1]
        .split("</section>")[0]
    )
    assert "您已自行上传" in panel and "没有查到" not in panel
