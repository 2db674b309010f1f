"""After the registry rotates its key, evidence it signed before stays verifiable through the
retired public keys onetrip keeps (ONETRIP_EXCHANGE_SERVER_KEYS_RETIRED) — for stored
evidence only: a new answer signed with a retired key is still refused."""

from __future__ import annotations

import shutil

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rest_framework.test import APIClient

from onetrip.applications import services
from onetrip.applications.tests.factories import world
from onetrip.exchange import connector, signing
from onetrip.exchange.models import MaterialEvidence
from onetrip.exchange.registry import evidence_type_get

pytestmark = pytest.mark.django_db


def rotate(settings, tmp_path):
    """The registry now signs with a new key; its old public key is kept as retired."""
    retired = tmp_path / "retired"
    retired.mkdir()
    shutil.copy(settings.ONETRIP_EXCHANGE_SERVER_KEY, retired / "registry-2026.pub")
    new = Ed25519PrivateKey.generate()
    (tmp_path / "registry-2027.pub").write_bytes(signing.public_key_pem(new.public_key()))
    settings.ONETRIP_EXCHANGE_SERVER_KEY = str(tmp_path / "registry-2027.pub")
    return retired


def stored_evidence(w):
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    services.material_choose(application=app, user=w.user, code="id-card", state="shared")
    return app, MaterialEvidence.objects.get(application=app, material_code="id-card").evidence


def check(evidence):
    return connector.verified_by(
        server_id=evidence.source,
        request_id=evidence.request_id,
        timestamp=evidence.signed_at,
        digest=evidence.digest,
        signature=evidence.signature,
        body=evidence.body,
    )


@pytest.mark.parametrize("as_directory", [True, False])
def test_stored_evidence_verifies_with_a_retired_key_after_rotation(
    settings, tmp_path, as_directory
):
    w = world()
    _, evidence = stored_evidence(w)
    assert check(evidence) == connector.CURRENT_KEY
    retired = rotate(settings, tmp_path)
    assert check(evidence) == ""  # without the retired key: shown as failed verification
    settings.ONETRIP_EXCHANGE_SERVER_KEYS_RETIRED = [
        str(retired if as_directory else retired / "registry-2026.pub")
    ]
    assert check(evidence) == "registry-2026.pub"
    # A tampered body still fails, whichever key is tried.
    evidence.body = evidence.body.replace("张三", "张四")
    assert check(evidence) == ""


def test_pages_and_api_say_which_key_verified(settings, tmp_path, client):
    w = world()
    app, evidence = stored_evidence(w)
    settings.ONETRIP_EXCHANGE_SERVER_KEYS_RETIRED = [str(rotate(settings, tmp_path))]
    client.force_login(w.user)
    page = client.get(f"/me/evidence/{evidence.pk}/").content.decode()
    assert "签名核验通过" in page and 'id="retired-key"' in page and "registry-2026.pub" in page
    api = APIClient()
    api.force_authenticate(w.user)
    rows = api.get(f"/api/v1/applications/{app.pk}/evidence/").json()
    row = next(r for r in rows if r["material"] == "id-card")
    assert row["verified"] is True and row["verified_by"] == "registry-2026.pub"


def test_a_new_answer_signed_with_a_retired_key_is_refused(settings, tmp_path):
    retired = rotate(settings, tmp_path)  # the sandbox still signs with the old key
    settings.ONETRIP_EXCHANGE_SERVER_KEYS_RETIRED = [str(retired)]
    with pytest.raises(connector.ExchangeFailure) as caught:
        connector.fetch(
            kind=evidence_type_get("identity"),
            subject={"id_number": "62010219850312003X", "name": "张三"},
            purpose="测试",
        )
    assert caught.value.code == "bad_signature"


def test_an_unreadable_retired_key_is_skipped(settings, tmp_path):
    w = world()
    _, evidence = stored_evidence(w)
    (tmp_path / "broken.pub").write_text("not a key")
    settings.ONETRIP_EXCHANGE_SERVER_KEYS_RETIRED = [
        str(tmp_path / "broken.pub"),
        str(tmp_path / "missing-dir"),
    ]
    assert check(evidence) == connector.CURRENT_KEY
