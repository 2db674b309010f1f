"""一窗受理 and 委托 over the REST API: the pages' rules, problem documents on every refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from onetrip.accounts.models import Authorisation, Enterprise, Person
from onetrip.applications import services
from onetrip.applications.models import Application, Visit
from onetrip.applications.selectors import principals_for_agent
from onetrip.applications.tests.factories import ID_A, ID_B, complete_draft, png, staff, world
from onetrip.applications.workflow import Status
from onetrip.audit.models import AuditEvent
from onetrip.catalog.models import Department
from onetrip.catalog.tests.factories import item_publish

pytestmark = pytest.mark.django_db

API = "/api/v1/"
NEW_ID = "620102199001010038"  # valid check digit and birth date
WRONG_CHECK_DIGIT = "620102199001010039"
FEB_30_GOOD_CHECK = "110101199002301236"  # impossible birth date behind a valid check digit
UNREGISTERED_ID = "110101199003070011"
PILOT_CODE = "91620100MA71234567"  # fails the check digit (a legal early pilot code, say)
VALID_CODE = "91620100MA7ABCDE3Y"


@pytest.fixture
def w():
    return world()


@pytest.fixture
def officer(w) -> APIClient:
    return api_for(w.window)


def api_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _problem(r, status, code):
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    assert r.json()["code"] == code
    return r.json()


def _one_visit_item():
    return item_publish(visits_required=1, visits_reason="须现场采集指纹", online_depth=3)


def _lookups(pk) -> int:
    return AuditEvent.objects.filter(action="accounts.applicant.lookup", object_id=str(pk)).count()


# ------------------------------------------------------------------ the whole intake


def test_window_intake_end_to_end_over_the_api(w, officer):
    item = _one_visit_item()
    # find: nobody yet; register; found (and the lookup is on record)
    _problem(officer.get(f"{API}persons/", {"id_number": NEW_ID}), 404, "person_not_found")
    r = officer.post(
        f"{API}persons/",
        {"real_name": "王五", "id_number": NEW_ID, "phone": "13900000009"},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["id_number"] == "6201**********0038" and NEW_ID not in r.content.decode()
    assert r.json()["phone"] == "139****0009"
    person = Person.objects.get(pk=r.json()["id"])
    assert person.created_by == w.window and person.real_name == "王五"
    assert AuditEvent.objects.filter(
        action="accounts.person.register", object_id=str(person.pk)
    ).exists()
    r = officer.get(f"{API}persons/", {"id_number": f" {NEW_ID[:6]} {NEW_ID[6:]} "})
    assert r.status_code == 200 and r.json()["id"] == person.pk
    assert NEW_ID not in r.content.decode() and _lookups(person.pk) == 1

    # start a window draft on the applicant's behalf: the same body as GET applications/{id}/
    r = officer.post(
        f"{API}intake/applications/",
        {"item": item.code, "situation": "first", "person": person.pk},
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    pk = body["id"]
    assert body["channel"] == "window" and body["status"] == "draft"
    assert body["item"] == item.code and body["visits"] == {"count": 0, "promised": 1}
    assert set(body) == set(officer.get(f"{API}applications/{pk}/").json())
    app = Application.objects.get(pk=pk)
    assert app.applicant_person == person and app.created_by == w.window

    # fields and materials through the applications endpoints
    r = officer.patch(
        f"{API}applications/{pk}/fields/",
        {"data": {"name": "王五", "bank": "icbc", "copies": 1}},
        format="json",
    )
    assert r.status_code == 200, r.content
    r = officer.post(
        f"{API}applications/{pk}/materials/id-card/", {"state": "original_checked"}, format="json"
    )
    assert r.status_code == 200, r.content
    r = officer.post(
        f"{API}applications/{pk}/materials/photo/", {"file": png()}, format="multipart"
    )
    assert r.status_code == 200, r.content
    assert {m["code"]: m["state"] for m in r.json()["materials"]} == {
        "id-card": "original_checked",
        "photo": "uploaded",
    }

    # the applicants' submit would leave the visit out: it points to the window's own step
    r = officer.post(f"{API}applications/{pk}/submit/", {}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "window_submit_required"
    assert Application.objects.get(pk=pk).status == "draft"

    # submit with the visit recorded, as the page's last step does
    r = officer.post(
        f"{API}intake/applications/{pk}/submit/", {"delivery_method": "pickup"}, format="json"
    )
    assert r.status_code == 201, r.content
    receipt = r.json()
    assert receipt["status"] == "submitted" and receipt["tracking_number"]
    assert len(receipt["query_code"]) == 6 and receipt["next_step"]
    assert receipt["channel"] == "window" and receipt["visits"] == {"count": 1, "promised": 1}
    visit = Visit.objects.get(application_id=pk)
    assert visit.reason == "窗口提交申请" and visit.officer == w.window
    assert visit.place == f"{Department.objects.get(code='bureau').name}窗口"
    assert not visit.over_promise

    shown = officer.get(f"{API}applications/{pk}/").json()
    assert shown["visits"] == {"count": 1, "promised": 1} and shown["channel"] == "window"
    assert shown["status"] == "submitted" and shown["delivery_method"] == "pickup"

    # a repeat (retry, double click) answers with the same receipt and no second visit
    again = officer.post(f"{API}intake/applications/{pk}/submit/", {}, format="json")
    assert (
        again.status_code == 200 and again.json()["tracking_number"] == receipt["tracking_number"]
    )
    assert Visit.objects.filter(application_id=pk).count() == 1
    # and the page agrees: it lands on the receipt
    from django.test import Client

    page = Client()
    page.force_login(w.window)
    landed = page.post(f"/workbench/intake/{pk}/check/", {"place": "x"})
    assert landed["Location"] == f"/workbench/intake/{pk}/done/"
    assert Visit.objects.filter(application_id=pk).count() == 1


def test_over_the_promise_and_incomplete_drafts_submit_nothing(w, officer):
    # world()'s item promises zero visits: this one is over, and needs a reason first
    r = officer.post(
        f"{API}intake/applications/",
        {"item": w.item.code, "situation": "first", "person": w.other_user.person.pk},
        format="json",
    )
    pk = r.json()["id"]
    body = _problem(
        officer.post(f"{API}intake/applications/{pk}/submit/", {}, format="json"),
        409,
        "over_promise_reason_required",
    )
    assert "超出承诺的原因" in body["detail"]
    assert [e["field"] for e in body["errors"]] == ["over_promise_reason"]
    # with the reason, still incomplete: the errors say what is missing, nothing is written
    reason = {"over_promise_reason": "申请人不会使用网上办理", "place": "3 号窗口"}
    body = _problem(
        officer.post(f"{API}intake/applications/{pk}/submit/", reason, format="json"),
        400,
        "incomplete",
    )
    assert {"bank", "photo", "id-card"} <= {e["field"] for e in body["errors"]}
    app = Application.objects.get(pk=pk)
    assert app.status == Status.DRAFT and not app.tracking_number
    assert not Visit.objects.filter(application=app).exists()
    _problem(
        officer.post(
            f"{API}intake/applications/{pk}/submit/", {**reason, "status": "x"}, format="json"
        ),
        400,
        "validation_error",
    )

    officer.patch(f"{API}applications/{pk}/fields/", {"data": {"bank": "icbc"}}, format="json")
    officer.post(
        f"{API}applications/{pk}/materials/id-card/", {"state": "original_checked"}, format="json"
    )
    officer.post(f"{API}applications/{pk}/materials/photo/", {"state": "deficient"}, format="json")
    r = officer.post(f"{API}intake/applications/{pk}/submit/", reason, format="json")
    assert r.status_code == 201, r.content
    visit = Visit.objects.get(application_id=pk)
    assert visit.over_promise and visit.over_promise_reason == "申请人不会使用网上办理"
    assert visit.place == "3 号窗口"


# ------------------------------------------------------------------ applicants


@pytest.mark.parametrize(
    ("id_number", "code", "text"),
    [
        (WRONG_CHECK_DIGIT, "id_number_invalid", "校验位不正确"),
        (FEB_30_GOOD_CHECK, "id_number_invalid", "出生日期"),
        ("12345", "id_number_invalid", "18 位"),
        ("", "id_number_missing", "请填写公民身份号码"),
    ],
)
def test_bad_id_numbers_are_refused_and_nobody_is_registered(officer, id_number, code, text):
    people = Person.objects.count()
    body = _problem(
        officer.post(
            f"{API}persons/",
            {"real_name": "赵六", "id_number": id_number, "phone": "13900000010"},
            format="json",
        ),
        400,
        code,
    )
    assert text in body["detail"]
    assert body["errors"] == [{"field": "id_number", "message": body["detail"]}]
    assert Person.objects.count() == people
    assert not AuditEvent.objects.filter(action="accounts.person.register").exists()
    _problem(officer.get(f"{API}persons/", {"id_number": id_number}), 400, code)
    assert not AuditEvent.objects.filter(action="accounts.applicant.lookup").exists()


def test_other_bad_registrations_write_nothing(w, officer):
    people = Person.objects.count()
    good = {"real_name": "赵六", "id_number": NEW_ID, "phone": "13900000010"}
    for data, status, code in [
        ({**good, "phone": "12345"}, 400, "phone_invalid"),
        ({**good, "real_name": " "}, 400, "name_invalid"),
        ({**good, "id_number": ID_A}, 400, "person_exists"),
        ({**good, "user": w.user.pk}, 400, "validation_error"),  # no smuggled keys
        ({"real_name": "赵六"}, 400, "validation_error"),
    ]:
        _problem(officer.post(f"{API}persons/", data, format="json"), status, code)
    assert Person.objects.count() == people


def test_an_enterprise_code_failing_the_check_needs_an_audited_override(w, officer):
    data = {"name": "试点公司", "credit_code": PILOT_CODE, "legal_representative": "钱七"}
    body = _problem(
        officer.post(f"{API}enterprises/", data, format="json"), 400, "credit_code_invalid"
    )
    assert "校验位不正确" in body["detail"] and body["errors"][0]["field"] == "credit_code"
    assert not Enterprise.objects.exists()
    assert not AuditEvent.objects.filter(action="accounts.enterprise.credit_code_override").exists()

    r = officer.post(
        f"{API}enterprises/", {**data, "override_reason": "核对营业执照原件"}, format="json"
    )
    assert r.status_code == 201, r.content
    assert r.json()["credit_code_override"] is True
    enterprise = Enterprise.objects.get()
    assert enterprise.override_by == w.window and enterprise.override_reason == "核对营业执照原件"
    event = AuditEvent.objects.get(action="accounts.enterprise.credit_code_override")
    assert event.object_id == str(enterprise.pk)
    _problem(
        officer.post(f"{API}enterprises/", {**data, "override_reason": "x"}, format="json"),
        400,
        "enterprise_exists",
    )

    # found again by its code (spaces and case ignored), the lookup on record
    r = officer.get(f"{API}enterprises/", {"credit_code": PILOT_CODE.lower()})
    assert r.status_code == 200 and r.json()["id"] == enterprise.pk and _lookups(enterprise.pk)
    _problem(officer.get(f"{API}enterprises/", {"credit_code": ""}), 400, "credit_code_missing")
    _problem(
        officer.get(f"{API}enterprises/", {"credit_code": VALID_CODE}), 404, "enterprise_not_found"
    )

    # a window draft for the enterprise, on an item that serves enterprises only
    _problem(
        officer.post(
            f"{API}intake/applications/",
            {"item": w.item.code, "situation": "first", "enterprise": enterprise.pk},
            format="json",
        ),
        400,
        "target_mismatch",
    )
    assert not Application.objects.exists()
    item = item_publish(serves_enterprises=True)
    r = officer.post(
        f"{API}intake/applications/",
        {"item": item.code, "situation": "first", "enterprise": enterprise.pk},
        format="json",
    )
    assert r.status_code == 201, r.content
    app = Application.objects.get(pk=r.json()["id"])
    assert app.applicant_enterprise == enterprise and app.channel == "window"


def test_starting_a_window_draft_refuses_bad_input_and_writes_nothing(w, officer):
    person = w.other_user.person.pk
    start = f"{API}intake/applications/"
    for data, status, code in [
        ({"item": w.item.code, "situation": "first"}, 400, "applicant_required"),
        (
            {"item": w.item.code, "situation": "first", "person": person, "enterprise": 1},
            400,
            "applicant_required",
        ),
        ({"item": w.item.code, "situation": "first", "person": 999999}, 404, "person_not_found"),
        (
            {"item": w.item.code, "situation": "first", "enterprise": 99},
            404,
            "enterprise_not_found",
        ),
        ({"item": "NOPE-1", "person": person}, 404, "item_not_found"),
        ({"item": w.item.code, "person": person}, 400, "situation_required"),
        ({"item": w.item.code, "situation": "first", "person": "x"}, 400, "validation_error"),
        (
            {"item": w.item.code, "situation": "first", "person": person, "owner": 1},
            400,
            "validation_error",
        ),
    ]:
        _problem(officer.post(start, data, format="json"), status, code)
    assert not Application.objects.exists()


# ------------------------------------------------------------------ 委托


def _grant(**over):
    until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    return {
        "agent_id_number": ID_A,
        "principal_kind": "person",
        "principal_id_number": ID_B,
        "item_codes": [],
        "valid_until": until,
        "document_reference": "WT-2026-001",
        **over,
    }


def test_a_grant_is_recorded_found_by_either_person_and_revoked_with_a_reason(w, officer):
    r = officer.post(f"{API}authorisations/", _grant(item_codes=[w.item.code]), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    grant = Authorisation.objects.get()
    assert body["id"] == grant.pk and body["in_force"] is True
    assert body["valid_from"] == dt.date.today().isoformat()  # today when left out
    assert body["agent"]["id_number"] == "1101**********4514" and ID_A not in r.content.decode()
    assert body["principal_person"]["real_name"] == "李四" and body["principal_enterprise"] is None
    assert grant.item_codes == [w.item.code] and grant.created_by == w.window
    assert AuditEvent.objects.filter(
        action="accounts.authorisation.grant", object_id=str(grant.pk)
    ).exists()
    # the agent may now apply for the principal
    offered = principals_for_agent(user=w.user, item_code=w.item.code)
    assert [p["key"] for p in offered] == [f"p{w.other_user.person.pk}"]

    # found by either person's number (audited), and among the ones I recorded
    for number in (ID_B, ID_A):
        r = officer.get(f"{API}authorisations/", {"id_number": number})
        assert r.status_code == 200 and [g["id"] for g in r.json()] == [grant.pk]
    assert _lookups(w.person.pk) == 1 and _lookups(w.other_user.person.pk) == 1
    assert [g["id"] for g in officer.get(f"{API}authorisations/").json()] == [grant.pk]
    _problem(
        officer.get(f"{API}authorisations/", {"id_number": UNREGISTERED_ID}),
        404,
        "person_not_found",
    )
    _problem(
        officer.get(f"{API}authorisations/", {"id_number": WRONG_CHECK_DIGIT}),
        400,
        "id_number_invalid",
    )

    # revoked only with a reason
    revoke = f"{API}authorisations/{grant.pk}/revoke/"
    for data in ({}, {"reason": "  "}):
        body = _problem(officer.post(revoke, data, format="json"), 400, "reason_required")
        assert body["errors"][0]["field"] == "reason"
    grant.refresh_from_db()
    assert grant.revoked_at is None
    assert not AuditEvent.objects.filter(action="accounts.authorisation.revoke").exists()
    r = officer.post(revoke, {"reason": "委托人书面撤回"}, format="json")
    assert r.status_code == 200 and r.json()["revoked_at"] and r.json()["in_force"] is False
    event = AuditEvent.objects.get(action="accounts.authorisation.revoke")
    assert event.after == {"reason": "委托人书面撤回"} and event.object_id == str(grant.pk)
    _problem(officer.post(revoke, {"reason": "再次"}, format="json"), 409, "already_revoked")
    assert AuditEvent.objects.filter(action="accounts.authorisation.revoke").count() == 1
    assert officer.get(f"{API}authorisations/", {"id_number": ID_B}).json() == []
    assert principals_for_agent(user=w.user, item_code=w.item.code) == []
    _problem(
        officer.post(f"{API}authorisations/999999/revoke/", {"reason": "x"}, format="json"),
        404,
        "authorisation_not_found",
    )


def test_the_agent_applies_for_the_principal_over_the_api_under_a_grant(w, officer):
    from onetrip.applications.api import DraftCreateSerializer

    if "on_behalf_of" not in DraftCreateSerializer().fields:
        pytest.skip("POST applications/ takes no principal (on_behalf_of) yet")
    principal = w.other_user.person
    body = {"item": w.item.code, "situation": "first", "on_behalf_of": f"p{principal.pk}"}
    agent = api_for(w.user)
    _problem(agent.post(f"{API}applications/", body, format="json"), 403, "no_authorisation")
    officer.post(f"{API}authorisations/", _grant(item_codes=[w.item.code]), format="json")
    r = agent.post(f"{API}applications/", body, format="json")
    assert r.status_code == 201, r.content
    app = Application.objects.get(pk=r.json()["id"])
    assert app.applicant_person == principal and app.agent == w.person


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"agent_id_number": UNREGISTERED_ID}, "agent_unknown", "agent_id_number"),
        ({"agent_id_number": WRONG_CHECK_DIGIT}, "id_number_invalid", "agent_id_number"),
        ({"principal_id_number": ""}, "id_number_missing", "principal_id_number"),
        ({"principal_id_number": ID_A}, "self_authorisation", "agent"),
        ({"item_codes": ["NOPE-1"]}, "item_unknown", "item_codes"),
        ({"valid_until": ""}, "valid_until_missing", "valid_until"),
        ({"valid_until": "2026-02-30"}, "date_invalid", "valid_until"),
        ({"valid_from": "tomorrow"}, "date_invalid", "valid_from"),
        ({"valid_until": "2000-01-01"}, "period_invalid", "valid_until"),
        ({"valid_from": "2020-01-01", "valid_until": "2020-06-30"}, "period_over", "valid_until"),
        ({"valid_until": "2099-01-01"}, "period_too_long", "valid_until"),
        ({"valid_from": "9999-01-01", "valid_until": "9999-12-31"}, "start_too_late", "valid_from"),
        (
            {"principal_kind": "enterprise", "principal_credit_code": VALID_CODE},
            "principal_unknown",
            "principal_credit_code",
        ),
        ({"principal_kind": "company"}, "validation_error", "principal_kind"),
        ({"revoked_at": "2026-01-01"}, "validation_error", "revoked_at"),
    ],
)
def test_bad_grants_say_why_and_record_nothing(w, officer, over, code, field):
    body = _problem(officer.post(f"{API}authorisations/", _grant(**over), format="json"), 400, code)
    assert field in [e["field"] for e in body["errors"]]
    assert not Authorisation.objects.exists()
    assert not AuditEvent.objects.filter(action="accounts.authorisation.grant").exists()


def test_a_grant_for_an_enterprise(w, officer):
    enterprise = Enterprise.objects.create(name="某公司", credit_code=VALID_CODE)
    r = officer.post(
        f"{API}authorisations/",
        _grant(principal_kind="enterprise", principal_credit_code=VALID_CODE.lower()),
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["principal_enterprise"]["id"] == enterprise.pk
    assert r.json()["principal_person"] is None


# ------------------------------------------------------------------ who may


ENDPOINTS = [
    ("get", "persons/?id_number=" + ID_B, None),
    ("post", "persons/", {"real_name": "王五", "id_number": NEW_ID}),
    ("get", "enterprises/?credit_code=" + VALID_CODE, None),
    ("post", "enterprises/", {"name": "某公司", "credit_code": VALID_CODE}),
    ("post", "intake/applications/", {"item": "x", "person": 1}),
    ("post", "intake/applications/{app}/submit/", {}),
    ("get", "authorisations/?id_number=" + ID_B, None),
    ("post", "authorisations/", {"agent_id_number": ID_A, "valid_until": "2099-01-01"}),
    ("post", "authorisations/{grant}/revoke/", {"reason": "x"}),
]


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS)
def test_only_window_officers_may_call_these(w, method, path, data):
    app = complete_draft(w)
    grant = Authorisation.objects.create(
        agent=w.person,
        principal_person=w.other_user.person,
        valid_from=dt.date.today(),
        valid_until=dt.date.today() + dt.timedelta(days=9),
    )
    url = API + path.format(app=app.pk, grant=grant.pk)
    people, enterprises, events = (
        Person.objects.count(),
        Enterprise.objects.count(),
        AuditEvent.objects.count(),
    )
    for user, status, code in [
        (None, 401, "not_authenticated"),
        (w.user, 403, "forbidden"),  # an applicant
        (w.handler, 403, "forbidden"),  # staff without the window role
        (w.supervisor, 403, "forbidden"),
    ]:
        client = api_for(user)
        r = getattr(client, method)(url, data, format="json") if data else client.get(url)
        _problem(r, status, code)
    assert Person.objects.count() == people and Enterprise.objects.count() == enterprises
    assert AuditEvent.objects.count() == events
    assert Authorisation.objects.get().revoked_at is None
    app.refresh_from_db()
    assert app.status == Status.DRAFT and not app.visits.exists()


def test_someone_elses_application_is_untouched(w, officer):
    mine = complete_draft(w)  # the applicant's own online draft
    submitted = services.application_submit(application=complete_draft(w), user=w.user).application
    other_window = staff("window2", Department.objects.get(code="bureau"), "window")
    theirs = services.draft_create(
        user=other_window,
        item=w.item,
        situation="first",
        applicant_person=w.other_user.person,
        channel=Application.Channel.WINDOW,
    )
    reason = {"over_promise_reason": "x", "place": "窗口"}
    for app in (mine, submitted, theirs):
        _problem(
            officer.post(f"{API}intake/applications/{app.pk}/submit/", reason, format="json"),
            404,
            "not_found",
        )
    _problem(
        officer.post(f"{API}intake/applications/999999/submit/", {}, format="json"),
        404,
        "not_found",
    )
    for app, status in ((mine, Status.DRAFT), (submitted, Status.SUBMITTED), (theirs, "draft")):
        app.refresh_from_db()
        assert app.status == status and not app.visits.exists()
    assert not AuditEvent.objects.filter(action="application.visit").exists()
