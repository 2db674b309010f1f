"""The sandbox department registries: a small signed WSGI service over the synthetic population.

``POST /v1/<provider>/<evidence type>`` with ``{"subject": {...}, "purpose": ..., "reference":
...}``. A request is answered only when it is signed by a client whose key the registry trusts,
with a fresh timestamp, a body matching its digest and a request id not seen before; every
answer (errors included) is signed with the registry's key. ``GET /health`` is unsigned.
Served by waitress, the same server onetrip uses, in its own thread or process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections import OrderedDict
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from onetrip.exchange import signing
from onetrip.exchange.registry import ENTERPRISE, EVIDENCE_TYPES, PERSON
from onetrip.exchange.sandbox.population import Population, answer

log = logging.getLogger("onetrip.exchange.sandbox")
MAX_BODY = 64 * 1024


class ReplayGuard:
    """Request ids seen within the freshness window; a repeat is refused."""

    def __init__(self, window: int = signing.MAX_SKEW_SECONDS * 2, size: int = 200_000):
        self.window, self.size = window, size
        self.seen: OrderedDict[str, float] = OrderedDict()
        self.lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        now = time.time()
        with self.lock:
            while self.seen and (
                next(iter(self.seen.values())) < now - self.window or len(self.seen) > self.size
            ):
                self.seen.popitem(last=False)
            if key in self.seen:
                return False
            self.seen[key] = now
            return True


class RegistryApp:
    def __init__(
        self,
        *,
        population: Population,
        server_key: Ed25519PrivateKey,
        trusted_clients: dict[str, Ed25519PublicKey],
        server_id: str = "lz-registry-sandbox",
        max_skew: int = signing.MAX_SKEW_SECONDS,
    ):
        self.population = population
        self.server_key = server_key
        self.trusted = trusted_clients
        self.server_id = server_id
        self.max_skew = max_skew
        self.replays = ReplayGuard(window=max_skew * 2)
        self.served = 0

    # -------------------------------------------------------------- WSGI

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/")
        if method == "GET" and path == "/health":
            body = json.dumps(
                {"status": "ok", "server": self.server_id, "people": len(self.population.people)}
            ).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        request_id = str(environ.get("HTTP_X_EXCHANGE_REQUEST_ID", ""))[:100]
        status, payload = self._handle(environ, method, path, request_id)
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        headers = signing.signed_headers(
            key=self.server_key,
            sender=self.server_id,
            request_id=request_id,
            message_kind="response",
            body=body,
            status=status,
        )
        reason = {
            200: "OK",
            400: "Bad Request",
            401: "Unauthorized",
            404: "Not Found",
            405: "Method Not Allowed",
            413: "Payload Too Large",
        }.get(status, "Error")
        start_response(
            f"{status} {reason}",
            [("Content-Type", "application/json; charset=utf-8"), *headers.items()],
        )
        return [body]

    def _handle(self, environ, method: str, path: str, request_id: str) -> tuple[int, dict]:
        if method != "POST":
            return 405, {"error": "method_not_allowed"}
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            return 413, {"error": "too_large"}
        body = environ["wsgi.input"].read(length) if length else b""
        refusal = self._authenticate(environ, method, path, request_id, body)
        if refusal:
            log.warning("refused %s %s: %s", path, request_id, refusal)
            return 401, {"error": refusal}
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "v1":
            return 404, {"error": "unknown_endpoint"}
        provider, type_code = parts[1], parts[2]
        kind = EVIDENCE_TYPES.get(type_code)
        if kind is None or kind.provider.key != provider:
            return 404, {"error": "unknown_evidence_type"}
        try:
            doc = json.loads(body)
            subject = doc["subject"]
            if not isinstance(subject, dict) or not str(doc.get("purpose", "")).strip():
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return 400, {"error": "bad_request"}
        wants = ENTERPRISE if "credit_code" in subject else PERSON
        if wants not in kind.subjects:
            return 400, {"error": "subject_kind"}
        record = answer(self.population, type_code, subject)
        self.served += 1
        if record is None:
            return 404, {"error": "no_record", "evidence_type": type_code}
        return 200, {
            "evidence_type": type_code,
            "provider": provider,
            "subject": {k: v for k, v in subject.items() if k in ("id_number", "credit_code")},
            "data": record,
            "as_of": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "purpose": str(doc.get("purpose", ""))[:200],
        }

    def _authenticate(self, environ, method, path, request_id, body) -> str:
        sender = str(environ.get("HTTP_X_EXCHANGE_SENDER", ""))
        timestamp = str(environ.get("HTTP_X_EXCHANGE_TIMESTAMP", ""))
        claimed = str(environ.get("HTTP_X_EXCHANGE_CONTENT_SHA256", ""))
        signature = str(environ.get("HTTP_X_EXCHANGE_SIGNATURE", ""))
        key = self.trusted.get(sender)
        if key is None:
            return "unknown_client"
        if not request_id:
            return "missing_request_id"
        if not signing.fresh(timestamp, skew=self.max_skew):
            return "stale_timestamp"
        if claimed != signing.digest(body):
            return "digest_mismatch"
        message = signing.request_message(
            method=method,
            path=path,
            sender=sender,
            request_id=request_id,
            timestamp=timestamp,
            body_digest=claimed,
        )
        if not signing.verify(key, signature, message):
            return "bad_signature"
        if not self.replays.first_time(f"{sender}:{request_id}"):
            return "replayed_request"
        return ""


class SandboxServer:
    """The registry app on a waitress server in a background thread (port 0 picks a free one)."""

    def __init__(
        self, app: RegistryApp, *, host: str = "127.0.0.1", port: int = 0, threads: int = 4
    ):
        from waitress.server import create_server

        self.app = app
        self.server = create_server(
            app, host=host, port=port, threads=threads, ident="onetrip-registry-sandbox"
        )
        self.port = self.server.effective_port
        self.host = host
        self.key_dir = None
        self.thread = threading.Thread(target=self._run, name="registry-sandbox", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # closed while stopping
            self.server.run()

    def start(self) -> SandboxServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.close()
        task_dispatcher = getattr(self.server, "task_dispatcher", None)
        if task_dispatcher is not None:
            task_dispatcher.shutdown(timeout=2)
        self.thread.join(timeout=5)


def sandbox_build(
    *,
    key_dir,
    client_id: str,
    people: int,
    enterprises: int,
    seed: int,
    extra_people: list[dict[str, Any]] | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    server_id: str = "lz-registry-sandbox",
) -> SandboxServer:
    """Keys (generated on first use), population and server, ready to ``start()``."""
    from onetrip.exchange.sandbox.population import generate

    files = signing.keys_ensure(key_dir, client_id)
    app = RegistryApp(
        population=generate(
            people=people, enterprises=enterprises, seed=seed, extra_people=extra_people
        ),
        server_key=signing.private_key_load(files.server_key),
        trusted_clients=signing.trusted_clients_load(files.trusted_clients),
        server_id=server_id,
    )
    server = SandboxServer(app, host=host, port=port)
    server.key_dir = files.directory
    return server
