"""The signed exchange over a real socket: the connector against the sandbox registries, and
the registries refusing what is not signed by a key they trust."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from onetrip.exchange import connector, signing
from onetrip.exchange.registry import EVIDENCE_TYPES
from onetrip.exchange.sandbox.population import DEMO_PEOPLE, answer, generate

ZHANG = {"id_number": "62010219850312003X", "name": "张三"}


def raw_call(
    server,
    *,
    key,
    sender="onetrip-test",
    body=None,
    path="/v1/gongan/identity",
    timestamp=None,
    request_id=None,
    tamper_body=False,
):
    body = body or json.dumps({"subject": ZHANG, "purpose": "测试"}, ensure_ascii=False).encode()
    request_id = request_id or uuid.uuid4().hex
    ts = str(int(time.time()) if timestamp is None else timestamp)
    d = signing.digest(body)
    message = signing.request_message(
        method="POST",
        path=path,
        sender=sender,
        request_id=request_id,
        timestamp=ts,
        body_digest=d,
    )
    headers = {
        signing.H_SENDER: sender,
        signing.H_REQUEST_ID: request_id,
        signing.H_TIMESTAMP: ts,
        signing.H_DIGEST: d,
        signing.H_SIGNATURE: signing.sign(key, message),
        "Content-Type": "application/json",
    }
    if tamper_body:
        body = body.replace("张三".encode(), "李四".encode())
    req = urllib.request.Request(server.url + path, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.loads(r.read()), r.headers
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), e.headers


def client_key(server):
    return signing.private_key_load(server.key_dir / "client.key")


def test_connector_fetches_verified_evidence_over_http(registry_sandbox, settings):
    got = connector.fetch(
        kind=EVIDENCE_TYPES["labour_termination"], subject=ZHANG, purpose="办理失业保险金申领"
    )
    assert got.data["name"] == "张三" and got.data["end_date"] == "2026-09-30"
    assert got.data["employer_name"] == "兰州恒达机械制造有限公司"
    assert got.digest == signing.digest(got.body.encode())
    assert connector.verify_stored(
        server_id=got.server_id,
        request_id=got.request_id,
        timestamp=got.timestamp,
        digest=got.digest,
        signature=got.signature,
        body=got.body,
    )
    # A changed stored body no longer verifies.
    assert not connector.verify_stored(
        server_id=got.server_id,
        request_id=got.request_id,
        timestamp=got.timestamp,
        digest=got.digest,
        signature=got.signature,
        body=got.body.replace("张三", "张四"),
    )


def test_signed_request_is_answered_and_the_answer_is_signed(registry_sandbox):
    status, doc, headers = raw_call(registry_sandbox, key=client_key(registry_sandbox))
    assert status == 200 and doc["data"]["name"] == "张三"
    server_pub = signing.public_key_load(registry_sandbox.key_dir / "sandbox.pub")
    message = signing.response_message(
        status=200,
        sender=headers[signing.H_SENDER],
        request_id=headers[signing.H_REQUEST_ID],
        timestamp=headers[signing.H_TIMESTAMP],
        body_digest=headers[signing.H_DIGEST],
    )
    assert signing.verify(server_pub, headers[signing.H_SIGNATURE], message)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"sender": "intruder"}, "unknown_client"),
        ({"tamper_body": True}, "digest_mismatch"),
        ({"timestamp": int(time.time()) - 3600}, "stale_timestamp"),
    ],
)
def test_registry_refuses_unknown_clients_tampering_and_stale_requests(
    registry_sandbox, kwargs, error
):
    status, doc, _ = raw_call(registry_sandbox, key=client_key(registry_sandbox), **kwargs)
    assert status == 401 and doc == {"error": error}


def test_registry_refuses_a_known_client_id_signed_with_another_key(registry_sandbox):
    status, doc, _ = raw_call(registry_sandbox, key=Ed25519PrivateKey.generate())
    assert status == 401 and doc == {"error": "bad_signature"}


def test_registry_refuses_a_replayed_request(registry_sandbox):
    rid = uuid.uuid4().hex
    key = client_key(registry_sandbox)
    assert raw_call(registry_sandbox, key=key, request_id=rid)[0] == 200
    status, doc, _ = raw_call(registry_sandbox, key=key, request_id=rid)
    assert status == 401 and doc == {"error": "replayed_request"}


def test_connector_refuses_an_answer_not_signed_by_the_configured_registry(
    registry_sandbox, settings, tmp_path
):
    other = Ed25519PrivateKey.generate()
    (tmp_path / "other.pub").write_bytes(signing.public_key_pem(other.public_key()))
    settings.ONETRIP_EXCHANGE_SERVER_KEY = str(tmp_path / "other.pub")
    connector.keys_reload()
    with pytest.raises(connector.ExchangeFailure) as caught:
        connector.fetch(kind=EVIDENCE_TYPES["identity"], subject=ZHANG, purpose="测试")
    assert caught.value.code == "bad_signature" and "签名核验" in caught.value.message


def test_unknown_person_is_no_record(registry_sandbox):
    with pytest.raises(connector.ExchangeFailure) as caught:
        connector.fetch(
            kind=EVIDENCE_TYPES["identity"],
            subject={"id_number": "110101199001011237", "name": "查无此人"},
            purpose="测试",
        )
    assert caught.value.code == "no_record" and "没有查到" in caught.value.message


def test_population_is_reproducible_valid_and_consistent():
    a = generate(people=800, enterprises=80, seed=11)
    b = generate(people=800, enterprises=80, seed=11)
    assert list(a.people) == list(b.people) and list(a.enterprises) == list(b.enterprises)
    assert list(generate(people=800, enterprises=80, seed=12).people) != list(a.people)
    assert all(ric.is_valid(n) for n in a.people)
    assert all(uscc.is_valid(c) for c in a.enterprises)
    for p in a.people.values():
        if p.marriage:  # recorded on both sides
            spouse = a.people[p.marriage["spouse_id_number"]]
            assert spouse.marriage["spouse_id_number"] == p.id_number
        if p.termination:  # the job ends when the termination says, at a real employer
            assert p.employment[-1]["to"] == p.termination["end_date"]
            assert p.termination["credit_code"] in a.enterprises
        for e in p.employment:
            assert e["credit_code"] in a.enterprises
    # The demo applicant 张三: employer, contributions and a termination, consistently.
    zhang = a.people[DEMO_PEOPLE[0]["id_number"]]
    history = answer(a, "contribution_history", {"id_number": zhang.id_number})
    termination = answer(a, "labour_termination", {"id_number": zhang.id_number})
    assert history["periods"][-1]["employer_name"] == termination["employer_name"]
    assert history["months_total"] >= 12
    firm = a.enterprises[termination["credit_code"]]
    assert firm.name == "兰州恒达机械制造有限公司"


def test_every_evidence_type_is_served_by_its_department(registry_sandbox):
    """Each type of the registry has records in the population, under its own department."""
    pop = registry_sandbox.app.population
    people, firms = list(pop.people)[:600], list(pop.enterprises)
    for code, kind in EVIDENCE_TYPES.items():
        subjects = [{"id_number": n} for n in people] if "person" in kind.subjects else []
        subjects += [{"credit_code": c} for c in firms] if "enterprise" in kind.subjects else []
        found = next((a for s in subjects if (a := answer(pop, code, s))), None)
        assert found is not None, code
        shown = {key for key, _label in kind.items}
        assert shown & set(found), code


def test_enterprise_evidence_over_http(registry_sandbox):
    firm = next(iter(registry_sandbox.app.population.enterprises.values()))
    got = connector.fetch(
        kind=EVIDENCE_TYPES["business_licence"],
        subject={"credit_code": firm.credit_code, "name": firm.name},
        purpose="测试",
    )
    assert got.data["credit_code"] == firm.credit_code and uscc.is_valid(firm.credit_code)


@examples(max_examples=60, deadline=None)
@given(body=st.binary(max_size=300), flip=st.integers(min_value=0))
def test_any_changed_byte_breaks_the_response_signature(body, flip):
    key = Ed25519PrivateKey.generate()
    headers = signing.signed_headers(
        key=key, sender="r", request_id="q", message_kind="response", body=body, status=200
    )

    def ok(data: bytes) -> bool:
        digest = signing.digest(data)
        message = signing.response_message(
            status=200,
            sender="r",
            request_id="q",
            timestamp=headers[signing.H_TIMESTAMP],
            body_digest=digest,
        )
        return digest == headers[signing.H_DIGEST] and signing.verify(
            key.public_key(), headers[signing.H_SIGNATURE], message
        )

    assert ok(body)
    if body:
        i = flip % len(body)
        changed = body[:i] + bytes([body[i] ^ 1]) + body[i + 1 :]
        assert not ok(changed)
