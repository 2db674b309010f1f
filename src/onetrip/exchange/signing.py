"""The signed exchange protocol shared by the connector and the registries (X-Road style).

Every request and every response carries the sender's identity, a request id, a timestamp,
the SHA-256 of the body and an Ed25519 signature over all of them. The receiver checks that
the sender's key is one it was configured to trust, that the timestamp is fresh, that the
digest matches the body and that the signature is valid; the client also checks that the
response answers its own request id. No Django here: the sandbox is a separate service.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

H_SENDER = "X-Exchange-Sender"
H_REQUEST_ID = "X-Exchange-Request-Id"
H_TIMESTAMP = "X-Exchange-Timestamp"
H_DIGEST = "X-Exchange-Content-SHA256"
H_SIGNATURE = "X-Exchange-Signature"
MAX_SKEW_SECONDS = 300


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def request_message(
    *, method: str, path: str, sender: str, request_id: str, timestamp: str, body_digest: str
) -> bytes:
    return "\n".join(
        [
            "onetrip-exchange-request/1",
            method.upper(),
            path,
            sender,
            request_id,
            timestamp,
            body_digest,
        ]
    ).encode()


def response_message(
    *, status: int, sender: str, request_id: str, timestamp: str, body_digest: str
) -> bytes:
    return "\n".join(
        ["onetrip-exchange-response/1", str(status), sender, request_id, timestamp, body_digest]
    ).encode()


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode()


def verify(key: Ed25519PublicKey, signature: str, message: bytes) -> bool:
    try:
        key.verify(base64.b64decode(signature.encode(), validate=True), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def fresh(timestamp: str, *, now: float | None = None, skew: int = MAX_SKEW_SECONDS) -> bool:
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    return abs((time.time() if now is None else now) - ts) <= skew


def signed_headers(
    *,
    key: Ed25519PrivateKey,
    sender: str,
    request_id: str,
    message_kind: str,
    body: bytes,
    method: str = "",
    path: str = "",
    status: int = 0,
) -> dict[str, str]:
    """The headers that sign ``body`` as a request (``message_kind='request'``) or response."""
    timestamp = str(int(time.time()))
    body_digest = digest(body)
    if message_kind == "request":
        message = request_message(
            method=method,
            path=path,
            sender=sender,
            request_id=request_id,
            timestamp=timestamp,
            body_digest=body_digest,
        )
    else:
        message = response_message(
            status=status,
            sender=sender,
            request_id=request_id,
            timestamp=timestamp,
            body_digest=body_digest,
        )
    return {
        H_SENDER: sender,
        H_REQUEST_ID: request_id,
        H_TIMESTAMP: timestamp,
        H_DIGEST: body_digest,
        H_SIGNATURE: sign(key, message),
    }


# ------------------------------------------------------------------ keys


def private_key_load(path: str | Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} 不是 Ed25519 私钥")
    return key


def public_key_load(path: str | Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(Path(path).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} 不是 Ed25519 公钥")
    return key


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def keypair_write(directory: Path, name: str) -> Ed25519PrivateKey:
    """Write ``name.key`` (private, 0600) and ``name.pub``; return the private key."""
    key = Ed25519PrivateKey.generate()
    directory.mkdir(parents=True, exist_ok=True)
    private = directory / f"{name}.key"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private.chmod(0o600)
    (directory / f"{name}.pub").write_bytes(public_key_pem(key.public_key()))
    return key


@dataclass(frozen=True)
class KeyFiles:
    """The embedded default's key files: onetrip's client pair, the sandbox's pair, and the
    sandbox's list of trusted clients (``clients/<client id>.pub``)."""

    directory: Path
    client_id: str

    @property
    def client_key(self) -> Path:
        return self.directory / "client.key"

    @property
    def server_key(self) -> Path:
        return self.directory / "sandbox.key"

    @property
    def server_public(self) -> Path:
        return self.directory / "sandbox.pub"

    @property
    def trusted_clients(self) -> Path:
        return self.directory / "clients"


def keys_ensure(directory: str | Path, client_id: str) -> KeyFiles:
    """Generate the embedded default's keys on first run (idempotent)."""
    files = KeyFiles(Path(directory), client_id)
    if not files.client_key.exists():
        keypair_write(files.directory, "client")
    if not files.server_key.exists():
        keypair_write(files.directory, "sandbox")
    trusted = files.trusted_clients / f"{client_id}.pub"
    if not trusted.exists():
        files.trusted_clients.mkdir(parents=True, exist_ok=True)
        trusted.write_bytes((files.directory / "client.pub").read_bytes())
    return files


def trusted_clients_load(directory: str | Path) -> dict[str, Ed25519PublicKey]:
    """Client id → public key, from ``<directory>/<client id>.pub``."""
    return {p.stem: public_key_load(p) for p in sorted(Path(directory).glob("*.pub"))}
