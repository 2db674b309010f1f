"""The connector: one signed request to a department registry, checked answer or a failure.

It talks to the sandbox exactly as it would to a real registry: base URL, client id, client
private key and the registry's public key come from settings (ONETRIP_EXCHANGE_*). Every
failure — timeout, refused connection, 5xx, unsigned or tampered answer, garbage, a record for
someone else — becomes an ``ExchangeFailure`` with a stable code and a Chinese message; nothing
else leaves this module. A circuit breaker stops calling a registry that keeps failing.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from onetrip.exchange import signing
from onetrip.exchange.registry import ENTERPRISE, PERSON, EvidenceType

logger = logging.getLogger(__name__)


class ExchangeFailure(Exception):
    def __init__(self, code: str, message: str, *, request_id: str = ""):
        super().__init__(message)
        self.code, self.message, self.request_id = code, message, request_id


@dataclass
class Fetched:
    evidence_type: str
    provider: str
    server_id: str
    request_id: str
    timestamp: str
    digest: str
    signature: str
    status: int
    body: str  # the exact signed bytes, as text, so the signature can be checked again later
    data: dict[str, Any]


class CircuitBreaker:
    """Open after ``threshold`` consecutive failures; half-open again after ``cooldown``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.failures = 0
        self.opened_at: float | None = None

    def allow(self, cooldown: float) -> bool:
        with self.lock:
            if self.opened_at is None:
                return True
            if time.monotonic() - self.opened_at >= cooldown:
                self.opened_at = None  # half-open: one more try
                self.failures = max(self.failures - 1, 0)
                return True
            return False

    def record(self, ok: bool, threshold: int) -> None:
        with self.lock:
            if ok:
                self.failures, self.opened_at = 0, None
                return
            self.failures += 1
            if self.failures >= threshold:
                self.opened_at = time.monotonic()


_breakers: dict[tuple[str, str], CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(url: str, provider: str) -> CircuitBreaker:
    """One breaker per registry: the base URL *and* the providing department, since every
    department may sit behind the same gateway URL and one failing registry must not stop the
    others."""
    with _breakers_lock:
        return _breakers.setdefault((url, provider), CircuitBreaker())


def breakers_reset() -> None:
    with _breakers_lock:
        _breakers.clear()


@lru_cache(maxsize=8)
def _private(path: str):
    return signing.private_key_load(path)


@lru_cache(maxsize=64)
def _public(path: str):
    return signing.public_key_load(path)


def server_key():
    return _public(settings.ONETRIP_EXCHANGE_SERVER_KEY)


def keys_reload() -> None:
    _private.cache_clear()
    _public.cache_clear()


UNAVAILABLE = "{dept}暂时无法提供数据（{why}），请上传该材料，不影响您继续办理。"


def fetch(
    *, kind: EvidenceType, subject: dict[str, str], purpose: str, reference: str = ""
) -> Fetched:
    """Ask ``kind``'s registry for ``subject``'s record; the answer is verified before return."""
    base = settings.ONETRIP_EXCHANGE_URL.rstrip("/")
    breaker = breaker_for(base, kind.provider.key)
    dept = kind.provider.name
    request_id = uuid.uuid4().hex
    if not breaker.allow(settings.ONETRIP_EXCHANGE_BREAKER_SECONDS):
        raise ExchangeFailure(
            "breaker_open",
            UNAVAILABLE.format(dept=dept, why="连续失败，已暂停调用"),
            request_id=request_id,
        )
    try:
        try:
            result = _call(kind, subject, purpose, reference, base, request_id)
        except ExchangeFailure:
            raise
        except Exception:
            # Last resort: whatever else goes wrong talking to a registry is a failure of the
            # exchange, never an error page — logged for the operators, upload for the user.
            logger.exception(
                "exchange: unexpected error calling %s for %s (request %s)",
                base,
                kind.code,
                request_id,
            )
            raise ExchangeFailure(
                "internal_error",
                UNAVAILABLE.format(dept=dept, why="数据共享通道出错"),
                request_id=request_id,
            ) from None
    except ExchangeFailure as failure:
        counts = failure.code not in ("no_record", "mismatch", "rejected_request")
        breaker.record(not counts, settings.ONETRIP_EXCHANGE_BREAKER_FAILURES)
        raise
    breaker.record(True, settings.ONETRIP_EXCHANGE_BREAKER_FAILURES)
    return result


def _call(kind, subject, purpose, reference, base, request_id) -> Fetched:
    dept = kind.provider.name
    path = f"/v1/{kind.provider.key}/{kind.code}"
    body = json.dumps(
        {"subject": subject, "purpose": purpose, "reference": reference},
        ensure_ascii=False,
        sort_keys=True,
    ).encode()
    try:
        key = _private(settings.ONETRIP_EXCHANGE_CLIENT_KEY)
        trusted = server_key()
    except (OSError, ValueError):
        raise ExchangeFailure(
            "not_configured",
            UNAVAILABLE.format(dept=dept, why="数据共享通道未配置"),
            request_id=request_id,
        ) from None
    headers = signing.signed_headers(
        key=key,
        sender=settings.ONETRIP_EXCHANGE_CLIENT_ID,
        request_id=request_id,
        message_kind="request",
        body=body,
        method="POST",
        path=path,
    )
    req = urllib.request.Request(
        base + path,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    timeout = settings.ONETRIP_EXCHANGE_TIMEOUT
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            status, raw, got = response.status, response.read(256 * 1024), response.headers
    except urllib.error.HTTPError as error:
        status, got = error.code, error.headers
        try:
            raw = error.read(256 * 1024)
        except (TimeoutError, OSError, http.client.HTTPException):
            raw = b""
    except TimeoutError:
        raise ExchangeFailure(
            "timeout", UNAVAILABLE.format(dept=dept, why="请求超时"), request_id=request_id
        ) from None
    except http.client.IncompleteRead:
        # The answer was cut off mid-body: what arrived is not the registry's whole answer.
        raise ExchangeFailure(
            "malformed", UNAVAILABLE.format(dept=dept, why="返回数据不完整"), request_id=request_id
        ) from None
    except (urllib.error.URLError, OSError, ValueError):
        raise ExchangeFailure(
            "unavailable", UNAVAILABLE.format(dept=dept, why="无法连接"), request_id=request_id
        ) from None
    except http.client.HTTPException:
        # Not HTTP at all (a bad status line, over-long headers …): neither OSError nor
        # URLError, so it is caught on its own.
        raise ExchangeFailure(
            "malformed",
            UNAVAILABLE.format(dept=dept, why="返回的不是有效的应答"),
            request_id=request_id,
        ) from None
    if time.monotonic() > deadline:
        raise ExchangeFailure(
            "timeout", UNAVAILABLE.format(dept=dept, why="请求超时"), request_id=request_id
        )
    if status >= 500:
        raise ExchangeFailure(
            "server_error",
            UNAVAILABLE.format(dept=dept, why="对方系统故障"),
            request_id=request_id,
        )
    # Nothing from the answer is believed until its signature is checked.
    sender = got.get(signing.H_SENDER, "")
    timestamp = got.get(signing.H_TIMESTAMP, "")
    claimed = got.get(signing.H_DIGEST, "")
    signature = got.get(signing.H_SIGNATURE, "")
    echoed = got.get(signing.H_REQUEST_ID, "")
    message = signing.response_message(
        status=status, sender=sender, request_id=echoed, timestamp=timestamp, body_digest=claimed
    )
    if (
        sender != settings.ONETRIP_EXCHANGE_SERVER_ID
        or echoed != request_id
        or claimed != signing.digest(raw)
        or not signing.fresh(timestamp, skew=settings.ONETRIP_EXCHANGE_MAX_SKEW)
        or not signing.verify(trusted, signature, message)
    ):
        raise ExchangeFailure(
            "bad_signature",
            UNAVAILABLE.format(dept=dept, why="返回数据未通过签名核验"),
            request_id=request_id,
        )
    if status == 404:
        raise ExchangeFailure(
            "no_record", f"{dept}没有查到您的{kind.name}，请上传该材料。", request_id=request_id
        )
    if status != 200:
        raise ExchangeFailure(
            "rejected_request",
            UNAVAILABLE.format(dept=dept, why=f"请求被拒绝（{status}）"),
            request_id=request_id,
        )
    try:
        doc = json.loads(raw.decode())
        data = doc["data"]
        if not isinstance(data, dict) or doc.get("evidence_type") != kind.code:
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
        raise ExchangeFailure(
            "malformed",
            UNAVAILABLE.format(dept=dept, why="返回数据格式不正确"),
            request_id=request_id,
        ) from None
    return Fetched(
        evidence_type=kind.code,
        provider=kind.provider.key,
        server_id=sender,
        request_id=request_id,
        timestamp=timestamp,
        digest=claimed,
        signature=signature,
        status=status,
        body=raw.decode(),
        data=data,
    )


def subject_for(kind: EvidenceType, *, person=None, enterprise=None) -> dict[str, str] | None:
    """What the registry is asked about: the enterprise's credit code or the person's ID."""
    if enterprise is not None and ENTERPRISE in kind.subjects:
        return {"credit_code": enterprise.credit_code, "name": enterprise.name}
    if person is not None and PERSON in kind.subjects:
        return {"id_number": person.id_number, "name": person.real_name}
    return None


CURRENT_KEY = "current"


def retired_server_keys() -> list[tuple[str, Any]]:
    """The registry's retired public keys (ONETRIP_EXCHANGE_SERVER_KEYS_RETIRED: files, or
    directories of ``*.pub``/``*.pem``), as (file name, key). Unreadable ones are skipped and
    logged: a broken retired key must not break the pages."""
    out = []
    for entry in settings.ONETRIP_EXCHANGE_SERVER_KEYS_RETIRED:
        path = Path(entry)
        try:
            files = (
                sorted(p for p in path.iterdir() if p.suffix in (".pub", ".pem"))
                if path.is_dir()
                else [path]
            )
        except OSError:
            logger.warning("exchange: retired registry key directory %s is unreadable", path)
            continue
        for file in files:
            try:
                out.append((file.name, _public(str(file))))
            except (OSError, ValueError):
                logger.warning("exchange: retired registry key %s is unreadable", file)
    return out


def verify_stored(
    *,
    server_id: str,
    request_id: str,
    timestamp: str,
    digest: str,
    signature: str,
    body: str,
    status: int = 200,
) -> bool:
    """Check a stored answer again: its body still matches the digest the registry signed."""
    return bool(
        verified_by(
            server_id=server_id,
            request_id=request_id,
            timestamp=timestamp,
            digest=digest,
            signature=signature,
            body=body,
            status=status,
        )
    )


def verified_by(
    *,
    server_id: str,
    request_id: str,
    timestamp: str,
    digest: str,
    signature: str,
    body: str,
    status: int = 200,
) -> str:
    """Which registry key still verifies a stored answer: ``"current"``, the file name of a
    retired key (after a key rotation), or ``""`` when none does.

    Retired keys are tried for stored evidence only; a new answer must be signed with the
    current key (``fetch`` never looks at them)."""
    if signing.digest(body.encode()) != digest:
        return ""
    message = signing.response_message(
        status=status,
        sender=server_id,
        request_id=request_id,
        timestamp=timestamp,
        body_digest=digest,
    )
    candidates: list[tuple[str, Any]] = []
    with contextlib.suppress(OSError, ValueError):  # no current key: the retired may still do
        candidates.append((CURRENT_KEY, server_key()))
    candidates.extend(retired_server_keys())
    for name, key in candidates:
        if signing.verify(key, signature, message):
            return name
    return ""
