"""The applications API: the same rules as the pages, problem documents on every refusal."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from onetrip.applications import services
from onetrip.applications.models import Application
from onetrip.applications.tests.factories import complete_draft, png, world
from onetrip.applications.workflow import Status

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _problem(r, status, code):
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    assert r.json()["code"] == code
    return r.json()


def test_apply_over_the_api():
    w = world()
    api = api_for(w.user)
    r = api.post(
        "/api/v1/applications/", {"item": w.item.code, "situation": "first"}, format="json"
    )
    assert r.status_code == 201 and r.json()["status"] == "draft"
    pk = r.json()["id"]
    r = api.patch(
        f"/api/v1/applications/{pk}/fields/",
        {"data": {"name": "张三", "bank": "icbc"}},
        format="json",
    )
    assert r.status_code == 200 and r.json()["data"]["bank"] == "icbc"
    api.post(f"/api/v1/applications/{pk}/materials/id-card/", {"state": "shared"}, format="json")
    r = api.post(f"/api/v1/applications/{pk}/materials/photo/", {"file": png()}, format="multipart")
    assert r.status_code == 200
    r = api.post(
        f"/api/v1/applications/{pk}/submit/", {}, format="json", HTTP_IDEMPOTENCY_KEY="abc"
    )
    assert r.status_code == 201 and r.json()["national_code"] == 1
    again = api.post(
        f"/api/v1/applications/{pk}/submit/", {}, format="json", HTTP_IDEMPOTENCY_KEY="abc"
    )
    assert (
        again.status_code == 200 and again.json()["tracking_number"] == r.json()["tracking_number"]
    )
    staff = api_for(w.window)
    r = staff.post(f"/api/v1/applications/{pk}/actions/", {"action": "accept"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    track = APIClient().get(
        "/api/v1/track/",
        {"number": r.json()["tracking_number"], "code": Application.objects.get(pk=pk).query_code},
    )
    assert track.status_code == 200 and track.json()["national_code"] == 3


def test_mass_assigned_status_and_unknown_fields_are_refused():
    w = world()
    api = api_for(w.user)
    body = _problem(
        api.post(
            "/api/v1/applications/",
            {"item": w.item.code, "situation": "first", "status": "approved"},
            format="json",
        ),
        400,
        "validation_error",
    )
    assert "status" in {e["field"] for e in body["errors"]}
    assert not Application.objects.exists()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    _problem(
        api.patch(
            f"/api/v1/applications/{app.pk}/fields/",
            {"data": {"status": "approved"}},
            format="json",
        ),
        400,
        "invalid_fields",
    )
    _problem(
        api.post(
            f"/api/v1/applications/{app.pk}/actions/",
            {"action": "approve", "status": "approved"},
            format="json",
        ),
        400,
        "validation_error",
    )
    assert Application.objects.get(pk=app.pk).status == Status.DRAFT


def test_other_people_get_404_for_everything():
    w = world()
    app = services.application_submit(application=complete_draft(w), user=w.user).application
    for user in (w.other_user, w.outsider):
        api = api_for(user)
        _problem(api.get(f"/api/v1/applications/{app.pk}/"), 404, "not_found")
        _problem(
            api.post(
                f"/api/v1/applications/{app.pk}/actions/", {"action": "withdraw"}, format="json"
            ),
            404,
            "not_found",
        )
        assert app.pk not in [a["id"] for a in api.get("/api/v1/applications/").json()]


def test_forbidden_and_impossible_actions():
    w = world()
    app = services.application_submit(application=complete_draft(w), user=w.user).application
    _problem(
        api_for(w.user).post(
            f"/api/v1/applications/{app.pk}/actions/", {"action": "accept"}, format="json"
        ),
        403,
        "forbidden",
    )
    _problem(
        api_for(w.window).post(
            f"/api/v1/applications/{app.pk}/actions/", {"action": "approve"}, format="json"
        ),
        409,
        "transition_not_allowed",
    )


def test_incomplete_submission_lists_every_problem():
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    body = _problem(
        api_for(w.user).post(f"/api/v1/applications/{app.pk}/submit/", {}, format="json"),
        400,
        "incomplete",
    )
    assert {"bank", "photo"} <= {e["field"] for e in body["errors"]}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_create_one_application():
    w = world()
    app = complete_draft(w)
    results, errors = [], []

    def submit():
        try:
            results.append(
                services.application_submit(
                    application=app, user=w.user, idempotency_key="same"
                ).application.pk
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(results)) == 1
    assert Application.objects.exclude(status="draft").count() == 1
    assert Application.objects.get().events.filter(action="submit").count() == 1
