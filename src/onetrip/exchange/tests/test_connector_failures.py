"""The connector's last line: answers that are not HTTP, bodies cut off mid-way, and errors
nobody foresaw all become an ``ExchangeFailure`` (counted by the circuit breaker), never a 500."""

from __future__ import annotations

import logging
import socket
import threading

import pytest

from onetrip.applications import services
from onetrip.applications.tests.factories import png, world
from onetrip.applications.workflow import Status
from onetrip.audit.models import AuditEvent
from onetrip.exchange import connector
from onetrip.exchange.registry import evidence_type_get
from onetrip.exchange.tests.test_degradation import assert_nothing_kept

SUBJECT = {"id_number": "62010219850312003X", "name": "张三"}
NOT_HTTP = b"garbage that is not http\r\n\r\n"
TRUNCATED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\nabc"


class RawServer:
    """A socket that reads the request and answers ``payload`` verbatim, then hangs up."""

    def __init__(self, payload: bytes):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.payload = payload
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(self.payload)

    def close(self):
        self.sock.close()


@pytest.fixture
def raw(settings):
    servers = []

    def start(payload: bytes) -> RawServer:
        server = RawServer(payload)
        servers.append(server)
        settings.ONETRIP_EXCHANGE_URL = server.url
        return server

    yield start
    for server in servers:
        server.close()


@pytest.mark.parametrize(
    ("payload", "words"), [(NOT_HTTP, "不是有效的应答"), (TRUNCATED, "返回数据不完整")]
)
def test_an_answer_that_is_not_http_or_is_cut_off_is_a_failure(raw, settings, payload, words):
    settings.ONETRIP_EXCHANGE_BREAKER_FAILURES = 2
    raw(payload)
    kind = evidence_type_get("identity")
    codes = []
    for _ in range(3):
        with pytest.raises(connector.ExchangeFailure) as caught:
            connector.fetch(kind=kind, subject=SUBJECT, purpose="测试")
        codes.append(caught.value.code)
    assert codes == ["malformed", "malformed", "breaker_open"]  # the breaker counted them
    with pytest.raises(connector.ExchangeFailure) as caught:
        connector.breakers_reset()
        connector.fetch(kind=kind, subject=SUBJECT, purpose="测试")
    assert words in caught.value.message and "上传" in caught.value.message


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [NOT_HTTP, TRUNCATED])
def test_a_broken_answer_degrades_to_upload_and_the_application_still_goes_through(raw, payload):
    raw(payload)
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    audits = AuditEvent.objects.filter(action="exchange.fetch_failed").count()
    with pytest.raises(services.ApplicationError) as caught:
        services.material_choose(application=app, user=w.user, code="id-card", state="shared")
    assert caught.value.status == 422 and "上传" in caught.value.message
    assert_nothing_kept(app, audits, "malformed")
    services.draft_save_fields(
        application=app, user=w.user, data={"name": "张三", "bank": "icbc", "copies": 1}
    )
    services.material_upload(application=app, user=w.user, code="id-card", upload=png())
    services.material_upload(application=app, user=w.user, code="photo", upload=png())
    assert services.application_submit(application=app, user=w.user).application.status == (
        Status.SUBMITTED
    )


def test_an_unforeseen_error_is_logged_and_becomes_a_failure(monkeypatch, settings, caplog):
    settings.ONETRIP_EXCHANGE_BREAKER_FAILURES = 1

    def boom(*args, **kwargs):
        raise RuntimeError("something nobody thought of")

    monkeypatch.setattr(connector, "Fetched", boom)  # after the registry has answered
    kind = evidence_type_get("identity")
    with (
        caplog.at_level(logging.ERROR, logger="onetrip.exchange.connector"),
        pytest.raises(connector.ExchangeFailure) as caught,
    ):
        connector.fetch(kind=kind, subject=SUBJECT, purpose="测试")
    assert caught.value.code == "internal_error" and "上传" in caught.value.message
    assert "something nobody thought of" in caplog.text
    with pytest.raises(connector.ExchangeFailure) as caught:
        connector.fetch(kind=kind, subject=SUBJECT, purpose="测试")
    assert caught.value.code == "breaker_open"
