"""Holes found in review, each closed and kept closed."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from onetrip.accounts import services as accounts
from onetrip.accounts.models import User
from onetrip.applications import services
from onetrip.applications.tests.factories import complete_draft, submitted, world
from onetrip.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_window_registered_person_cannot_be_claimed_with_another_phone():
    w = world()
    person = accounts.person_register(
        real_name="赵六", id_number="620102198811230070", phone="13700000009", created_by=w.window
    )
    intruder = User(username="intruder")
    intruder.set_phone("13711111111")
    intruder.save()
    with pytest.raises(accounts.AccountsError) as caught:
        accounts.applicant_identity_bind(
            user=intruder, real_name="赵六", id_number="620102198811230070"
        )
    assert caught.value.code == "phone_mismatch"
    person.refresh_from_db()
    assert person.user is None
    owner = User(username="owner")
    owner.set_phone("13700000009")
    owner.save()
    accounts.applicant_identity_bind(user=owner, real_name="赵六", id_number="620102198811230070")
    assert AuditEvent.objects.filter(action="accounts.identity.bind").count() == 1


@pytest.mark.parametrize("value", ["1e1000000", "1e5000", "9" * 40, "0x10", "NaN"])
def test_numbers_are_bounded_before_they_are_parsed(value):
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    with pytest.raises(services.ApplicationError) as caught:
        services.draft_save_fields(application=app, user=w.user, data={"copies": value})
    assert "copies" in caught.value.errors


def test_identity_fields_cannot_be_typed_over():
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    with pytest.raises(services.ApplicationError) as caught:  # refused, not silently kept
        services.draft_save_fields(application=app, user=w.user, data={"name": "别人"})
    assert "不能修改" in caught.value.errors["name"]
    app.refresh_from_db()
    assert app.data["name"] == "张三"


def test_window_officers_reach_only_the_counter_steps():
    w = world()
    draft = services.draft_create(user=w.user, item=w.item, situation="first")
    assert not services.can_view(user=w.window, application=draft)  # someone's online draft
    app = submitted(w)
    assert services.can_view(user=w.window, application=app)  # waiting for intake
    other = submitted(w)
    for user, action in [(w.handler, "accept"), (w.handler, "start")]:
        other = services.application_act(application=other, user=user, action=action)
    assert not services.can_view(user=w.window, application=other)  # never at the counter
    app = services.application_act(application=app, user=w.window, action="accept")
    assert services.can_view(user=w.window, application=app)  # what they accepted


def test_a_revoked_authorisation_ends_the_agents_access():
    w = world()
    today = dt.date.today()
    grant = accounts.authorisation_grant(
        agent=w.person, principal_person=w.other_user.person, valid_from=today, valid_until=today
    )
    app = services.draft_create(
        user=w.user, item=w.item, situation="first", applicant_person=w.other_user.person
    )
    assert services.can_view(user=w.user, application=app)
    grant.revoked_at = dt.datetime.now(dt.UTC)
    grant.save()
    assert not services.can_view(user=w.user, application=app)
    assert services.can_view(user=w.other_user, application=app)


def test_tracking_survives_odd_codes_and_is_rate_limited(client):
    from django.core.cache import cache

    cache.clear()
    w = world()
    app = submitted(w)
    r = client.get("/track/", {"number": app.tracking_number, "code": "验证码"})
    assert r.status_code == 200 and "不正确" in r.content.decode()
    api = APIClient()
    assert (
        api.get("/api/v1/track/", {"number": app.tracking_number, "code": "é"}).status_code == 404
    )
    for _ in range(30):
        client.get("/track/", {"number": "x", "code": "y"})
    assert "过于频繁" in client.get("/track/", {"number": "x", "code": "y"}).content.decode()
    cache.clear()


def test_an_idempotency_key_over_80_characters_is_refused_not_cut_short():
    w = world()
    draft = complete_draft(w)
    api = APIClient()
    api.force_authenticate(w.user)
    r = api.post(
        f"/api/v1/applications/{draft.pk}/submit/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 81
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_idempotency_key"
    draft.refresh_from_db()
    assert draft.status == "draft"
    r = api.post(
        f"/api/v1/applications/{draft.pk}/submit/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 80
    )
    assert r.status_code == 201


def test_a_key_used_for_another_application_is_a_conflict_not_its_receipt():
    w = world()
    services.application_submit(application=complete_draft(w), user=w.user, idempotency_key="k1")
    incomplete = services.draft_create(user=w.user, item=w.item, situation="first")
    api = APIClient()
    api.force_authenticate(w.user)
    r = api.post(
        f"/api/v1/applications/{incomplete.pk}/submit/",
        {},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert r.status_code == 409 and r.json()["code"] == "idempotency_key_reused"
    assert "另一份申请" in r.json()["detail"]
    incomplete.refresh_from_db()
    assert incomplete.status == "draft"


def test_a_used_key_leaves_the_other_draft_alone(monkeypatch):
    from onetrip.exchange import services as exchange_services

    w = world()
    first = services.application_submit(
        application=complete_draft(w), user=w.user, idempotency_key="k1"
    )

    def refresh(**_):
        raise AssertionError("the other draft's evidence must not be fetched again")

    monkeypatch.setattr(exchange_services, "evidence_refresh_stale", refresh)
    other = complete_draft(w)
    with pytest.raises(services.ApplicationError) as refused:
        services.application_submit(application=other, user=w.user, idempotency_key="k1")
    assert refused.value.code == "idempotency_key_reused" and refused.value.status == 409
    other.refresh_from_db()
    assert other.status == "draft" and not other.events.exists()
    again = services.application_submit(
        application=first.application, user=w.user, idempotency_key="k1"
    )
    assert again.application.pk == first.application.pk and not again.created


def test_staff_api_reads_are_masked_and_audited():
    w = world()
    app = submitted(w)
    api = APIClient()
    api.force_authenticate(w.handler)
    before = AuditEvent.objects.filter(action="application.view").count()
    body = api.get(f"/api/v1/applications/{app.pk}/").json()
    assert AuditEvent.objects.filter(action="application.view").count() == before + 1
    listed = api.get("/api/v1/applications/").json()
    assert all(row["data"] == {} for row in listed)
    assert body["tracking_number"] == app.tracking_number


def test_getting_the_apply_page_creates_nothing(client):
    from onetrip.applications.models import Application
    from onetrip.catalog.tests.factories import item_doc

    doc = item_doc()
    materials = [{**m, "situations": []} for m in doc["materials"]]
    fields = [{**f, "situations": []} for f in doc["form_fields"]]
    w = world(situations=[], materials=materials, form_fields=fields)
    client.force_login(w.user)
    client.get(f"/apply/{w.item.code}/")
    client.get(f"/apply/{w.item.code}/")
    assert not Application.objects.exists()


def test_a_phone_field_starts_with_the_registered_phone_and_can_be_changed():
    from onetrip.catalog.tests.factories import item_doc

    fields = [
        *item_doc()["form_fields"],
        {
            "code": "phone",
            "label": "联系电话",
            "label_en": "",
            "field_type": "phone",
            "required": True,
            "choices": [],
            "situations": [],
            "help_text": "",
            "min_value": None,
            "max_value": None,
            "max_length": None,
            "prefill": "",
        },
    ]
    w = world(form_fields=fields)
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    assert app.data["phone"] == "13900000001"
    services.draft_save_fields(application=app, user=w.user, data={"phone": "13811112222"})
    app.refresh_from_db()
    assert app.data["phone"] == "13811112222" and app.data["name"] == "张三"
