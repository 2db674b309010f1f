"""Review fixes: evidence refreshed at submission is never used unseen, every refusal there is
a proper error, and an agent (代办人) is named as such, sees masked data and is logged."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from onetrip.accounts import services as accounts
from onetrip.applications import services
from onetrip.applications.models import ApplicationMaterial
from onetrip.applications.tests.factories import ID_A, png, world
from onetrip.applications.workflow import Status
from onetrip.audit.models import AuditEvent
from onetrip.exchange.models import DataUse, Evidence, MaterialEvidence

pytestmark = pytest.mark.django_db

LATER = dt.timedelta(hours=2)


def ready_draft(w, user=None, **kwargs):
    """A complete draft whose 身份证 comes from 公安 (accepted by the applicant)."""
    user = user or w.user
    app = services.draft_create(user=user, item=w.item, situation="first", **kwargs)
    services.material_choose(application=app, user=user, code="id-card", state="shared")
    services.draft_save_fields(
        application=app, user=user, data={"name": "张三", "bank": "icbc", "copies": 1}
    )
    services.material_upload(application=app, user=user, code="photo", upload=png())
    return app


def registry_record_changes(app):
    """What the applicant accepted differs from what the registry says now."""
    evidence = MaterialEvidence.objects.get(application=app, material_code="id-card").evidence
    evidence.data = {**evidence.data, "address": "甘肃省兰州市城关区旧地址1号"}
    evidence.save(update_fields=["data"])
    return evidence


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# ------------------------------------------------------------------ refresh at submission


def test_changed_registry_data_is_not_used_unseen(settings):
    settings.ONETRIP_EXCHANGE_FRESHNESS_SECONDS = 3600
    w = world()
    app = ready_draft(w)
    old = registry_record_changes(app)
    with time_machine.travel(dt.datetime.now(dt.UTC) + LATER):
        with pytest.raises(services.ApplicationError) as caught:
            services.application_submit(application=app, user=w.user)
        error = caught.value
        assert error.code == "evidence_changed" and error.status == 409
        assert "已更新" in error.message and "“居民身份证”" in error.message
        assert set(error.errors) == {"id-card"}
        app.refresh_from_db()
        assert app.status == Status.DRAFT  # not submitted
        link = MaterialEvidence.objects.get(application=app, material_code="id-card")
        assert link.state == MaterialEvidence.State.PREVIEW and link.evidence != old
        assert app.materials.get(code="id-card").state == ApplicationMaterial.State.MISSING
        assert AuditEvent.objects.filter(action="exchange.changed").count() == 1
        # The applicant looks at the new data and uses it: now the submission goes through.
        services.material_choose(application=app, user=w.user, code="id-card", state="shared")
        done = services.application_submit(application=app, user=w.user).application
    assert done.status == Status.SUBMITTED
    assert MaterialEvidence.objects.get(application=app, material_code="id-card").evidence == (
        link.evidence
    )


def test_unchanged_registry_data_is_used_and_the_submission_carries_on(settings):
    settings.ONETRIP_EXCHANGE_FRESHNESS_SECONDS = 3600
    w = world()
    app = ready_draft(w)
    with time_machine.travel(dt.datetime.now(dt.UTC) + LATER):
        done = services.application_submit(application=app, user=w.user).application
    assert done.status == Status.SUBMITTED
    assert Evidence.objects.count() == 2  # fetched again, identical, used


def test_the_page_sends_the_applicant_back_to_the_preview(client, settings):
    settings.ONETRIP_EXCHANGE_FRESHNESS_SECONDS = 3600
    w = world()
    app = ready_draft(w)
    registry_record_changes(app)
    client.force_login(w.user)
    with time_machine.travel(dt.datetime.now(dt.UTC) + LATER):
        r = client.post(f"/drafts/{app.pk}/check/", {"token": f"draft-{app.pk}"})
        assert r.status_code == 302 and r.url == f"/drafts/{app.pk}/sharing/?changed=1"
        page = client.get(r.url).content.decode()
        assert 'id="evidence-changed"' in page and "部门数据已更新" in page
        assert 'id="preview-id-card"' in page
        client.post(f"/drafts/{app.pk}/sharing/", {"action": "use"})
        r = client.post(f"/drafts/{app.pk}/check/", {"token": f"draft-{app.pk}"})
    assert r.status_code == 302 and "submitted=1" in r.url


def test_the_api_answers_a_problem_document(settings):
    settings.ONETRIP_EXCHANGE_FRESHNESS_SECONDS = 3600
    w = world()
    app = ready_draft(w)
    registry_record_changes(app)
    api = api_for(w.user)
    with time_machine.travel(dt.datetime.now(dt.UTC) + LATER):
        r = api.post(f"/api/v1/applications/{app.pk}/submit/", {}, format="json")
        assert r.status_code == 409 and r["Content-Type"].startswith("application/problem+json")
        assert r.json()["code"] == "evidence_changed"
        # The new data is there to preview through the API, then chosen again.
        rows = api.get(f"/api/v1/applications/{app.pk}/evidence/").json()
        row = next(x for x in rows if x["material"] == "id-card")
        assert row["state"] == "preview" and row["data"]["公民身份号码"] == ID_A
        api.post(
            f"/api/v1/applications/{app.pk}/materials/id-card/",
            {"state": "shared"},
            format="json",
        )
        r = api.post(f"/api/v1/applications/{app.pk}/submit/", {}, format="json")
    assert r.status_code == 201, r.content


def test_staff_who_may_not_edit_get_a_proper_refusal_not_a_500(settings):
    """A handler of the department may not submit someone's draft (nor see it before it is
    submitted): submitting with stale evidence used to raise an uncaught ExchangeError."""
    settings.ONETRIP_EXCHANGE_FRESHNESS_SECONDS = 3600
    w = world()
    app = ready_draft(w)
    assert not services.can_view(user=w.handler, application=app)
    with time_machine.travel(dt.datetime.now(dt.UTC) + LATER):
        with pytest.raises(services.ApplicationError) as caught:
            services.application_submit(application=app, user=w.handler)
        assert caught.value.status == 404
        r = api_for(w.handler).post(f"/api/v1/applications/{app.pk}/submit/", {}, format="json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert Evidence.objects.count() == 1  # nothing fetched on their behalf


# ------------------------------------------------------------------ agents (代办)


def agent_world():
    w = world()
    today = dt.date.today()
    accounts.authorisation_grant(
        agent=w.other_user.person,
        principal_person=w.person,
        valid_from=today,
        valid_until=today + dt.timedelta(days=30),
    )
    return w


def test_an_agents_fetch_is_logged_as_the_agent():
    w = agent_world()
    app = ready_draft(w, user=w.other_user, applicant_person=w.person)
    fetch = DataUse.objects.get(kind=DataUse.Kind.FETCH, application=app)
    assert fetch.actor == w.other_user and fetch.actor_role == "代办人"
    assert fetch.person == w.person
    own = ready_draft(w)
    assert DataUse.objects.filter(application=own).first().actor_role == "申请人本人"


def test_an_agent_sees_the_principals_evidence_masked_and_the_view_is_logged():
    w = agent_world()
    app = ready_draft(w, user=w.other_user, applicant_person=w.person)
    rows = api_for(w.other_user).get(f"/api/v1/applications/{app.pk}/evidence/").json()
    shown = next(x for x in rows if x["material"] == "id-card")["data"]["公民身份号码"]
    assert shown != ID_A and shown.endswith(ID_A[-4:]) and "*" in shown
    view = DataUse.objects.get(kind=DataUse.Kind.VIEW, application=app)
    assert view.actor == w.other_user and view.actor_role == "代办人"
    assert view.kind_label == "代办人查看" and view.person == w.person
    # The person's log says so, on the page and through the API.
    mine = api_for(w.user).get("/api/v1/me/data-use/").json()
    assert any(u["kind_label"] == "代办人查看" and u["actor_role"] == "代办人" for u in mine)
    # The person themself sees their own data unmasked, and that is not logged as a view.
    rows = api_for(w.user).get(f"/api/v1/applications/{app.pk}/evidence/").json()
    assert next(x for x in rows if x["material"] == "id-card")["data"]["公民身份号码"] == ID_A
    assert DataUse.objects.filter(kind=DataUse.Kind.VIEW).count() == 1


def test_an_agent_previews_the_principals_data_masked(client):
    w = agent_world()
    app = services.draft_create(
        user=w.other_user, item=w.item, situation="first", applicant_person=w.person
    )
    client.force_login(w.other_user)
    client.post(f"/drafts/{app.pk}/sharing/", {"action": "obtain", "codes": ["id-card"]})
    page = client.get(f"/drafts/{app.pk}/sharing/").content.decode()
    assert 'id="preview-id-card"' in page and ID_A not in page and ID_A[-4:] in page
