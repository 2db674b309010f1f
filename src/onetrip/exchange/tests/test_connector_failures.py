"""The connector's last line: answers that are not HTTP, bodies cut off mid-way, and errors
nobody foresaw all become an ``ExchangeFailure`` (counted by the circuit breaker), never a 500;
and one failing registry does not stop the others."""

from __future__ import annotations

import http.server
import logging
import socket
import threading
import urllib.request

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
                self._read_request(conn)
                conn.sendall(self.payload)

    @staticmethod
    def _read_request(conn):
        # Read the whole request first: closing with unread bytes would reset the connection,
        # and the client would see a refused connection instead of the payload.
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return
            body += chunk

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


class OneDepartmentDown:
    """A gateway in front of the sandbox (one base URL for every department, as in
    production) where one department's registry answers 503 and the others pass through."""

    def __init__(self, upstream: str, failing: str):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith(f"/v1/{failing}/"):
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                req = urllib.request.Request(
                    upstream + self.path, data=body, method="POST", headers=dict(self.headers)
                )
                try:
                    with urllib.request.urlopen(req, timeout=5) as got:
                        status, headers, answer = got.status, got.headers, got.read()
                except urllib.error.HTTPError as error:
                    status, headers, answer = error.code, error.headers, error.read()
                self.send_response(status)
                for k, v in headers.items():
                    if k.lower() not in ("content-length", "connection", "date", "server"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_one_failing_registry_does_not_stop_calls_to_the_others(settings, registry_sandbox):
    settings.ONETRIP_EXCHANGE_BREAKER_FAILURES = 2
    gateway = OneDepartmentDown(registry_sandbox.url, failing="renshe")
    settings.ONETRIP_EXCHANGE_URL = gateway.url
    try:
        contributions = evidence_type_get("contribution_history")
        codes = []
        for _ in range(3):
            with pytest.raises(connector.ExchangeFailure) as caught:
                connector.fetch(kind=contributions, subject=SUBJECT, purpose="测试")
            codes.append(caught.value.code)
        assert codes == ["server_error", "server_error", "breaker_open"]
        # 公安 sits behind the same URL and still answers.
        got = connector.fetch(kind=evidence_type_get("identity"), subject=SUBJECT, purpose="测试")
        assert got.data["id_number"] == SUBJECT["id_number"]
    finally:
        gateway.stop()
