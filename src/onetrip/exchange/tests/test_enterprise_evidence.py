"""Evidence about an enterprise is shown to whoever may act for the enterprise on the
application that uses it (enterprise applications have no owner), and to nobody else."""

from __future__ import annotations

import datetime as dt

import pytest

from onetrip.accounts import services as accounts
from onetrip.applications import services
from onetrip.applications.tests.factories import world
from onetrip.exchange import connector
from onetrip.exchange.models import Evidence, MaterialEvidence
from onetrip.exchange.registry import evidence_type_get

pytestmark = pytest.mark.django_db


def enterprise_evidence(registry_sandbox):
    w = world(serves_enterprises=True)
    firm = next(iter(registry_sandbox.app.population.enterprises.values()))
    enterprise = accounts.enterprise_register(name=firm.name, credit_code=firm.credit_code)
    today = dt.date.today()
    grant = accounts.authorisation_grant(
        agent=w.person,
        principal_enterprise=enterprise,
        valid_from=today,
        valid_until=today + dt.timedelta(days=30),
    )
    app = services.draft_create(
        user=w.user, item=w.item, situation="first", applicant_enterprise=enterprise
    )
    assert app.owner_id is None and app.agent_id == w.person.pk
    kind = evidence_type_get("business_licence")
    got = connector.fetch(
        kind=kind, subject={"credit_code": firm.credit_code, "name": firm.name}, purpose="测试"
    )
    evidence = Evidence.objects.create(
        subject_hash="x",
        enterprise=enterprise,
        evidence_type=kind.code,
        provider=kind.provider.key,
        source=got.server_id,
        request_id=got.request_id,
        signed_at=got.timestamp,
        digest=got.digest,
        signature=got.signature,
        body=got.body,
        data=got.data,
        purpose="测试",
        application=app,
        fetched_by=w.user,
    )
    MaterialEvidence.objects.create(
        application=app,
        material_code="id-card",
        evidence_type=kind.code,
        evidence=evidence,
        state=MaterialEvidence.State.USED,
        purpose="测试",
    )
    return w, grant, evidence


def test_who_may_act_for_the_enterprise_sees_its_evidence(client, registry_sandbox):
    w, grant, evidence = enterprise_evidence(registry_sandbox)
    url = f"/me/evidence/{evidence.pk}/"
    client.force_login(w.user)
    page = client.get(url)
    assert page.status_code == 200 and "签名核验通过" in page.content.decode()
    client.force_login(w.other_user)
    assert client.get(url).status_code == 404
    # Once the 委托 is revoked, the agent no longer acts for the enterprise.
    grant.revoked_at = dt.datetime.now(dt.UTC)
    grant.save()
    client.force_login(w.user)
    assert client.get(url).status_code == 404
