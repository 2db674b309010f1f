"""Personal data at rest: field encryption (Fernet) and lookup hashes (HMAC-SHA256).

Keys come from ``ONETRIP_FIELD_KEY`` (any string; keep it secret and identical on every node)
or, for the embedded default, from the secret key. Changing the key makes stored values
unreadable, so it is set once per installation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models


def _root_key() -> bytes:
    return (getattr(settings, "ONETRIP_FIELD_KEY", "") or settings.SECRET_KEY).encode()


@lru_cache(maxsize=4)
def _derive(root: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"onetrip", info=purpose).derive(root)


def _fernet() -> Fernet:
    return _fernet_for(_root_key())


@lru_cache(maxsize=4)
def _fernet_for(root: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(root, b"field-encryption")))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("无法解密：密钥不匹配或数据已损坏") from None


def change_digest(value: str) -> str:
    """Keyed hash of a value exactly as given: tells whether it changed without keeping it."""
    key = _derive(_root_key(), b"change-digest")
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def lookup_hash(value: str) -> str:
    """Keyed hash for finding a record by an encrypted value (ID number, phone)."""
    normalised = "".join(value.split()).upper()
    key = _derive(_root_key(), b"lookup-hash")
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """A string stored encrypted; read and written as plain text in Python."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def mask_id_number(value: str) -> str:
    """110101199003071234 → 1101**********1234."""
    if not value:
        return ""
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:]


def mask_phone(value: str) -> str:
    """13912345678 → 139****5678."""
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 7 else "****"


def mask_email(value: str) -> str:
    """zhangsan@example.com → z***@example.com (the length is not told either)."""
    if not value or "@" not in value:
        return ""
    local, domain = value.rsplit("@", 1)
    return local[:1] + "***@" + domain


class EncryptedJSONField(models.TextField):
    """A JSON value stored encrypted (form answers carry ID, phone and bank numbers)."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return {}
        return json.loads(decrypt(value))

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value) if value else {}
        return value

    def get_prep_value(self, value):
        if value is None:
            value = {}
        return encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)
