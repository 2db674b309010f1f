"""The applications API: the same rules as the pages, problem documents on every refusal."""

from __future__ import annotations

import threading
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from onetrip.applications import services
from onetrip.applications.models import Application
from onetrip.applications.tests.factories import (
    bank_questioned,
    complete_draft,
    first_stage_passed,
    photo_asked_again,
    png,
    staff,
    submitted,
    world,
)
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


def test_an_online_draft_is_hidden_from_staff_until_it_is_submitted():
    w = world()
    draft = complete_draft(w)
    photo = draft.materials.get(code="photo").file_id
    department_staff = (w.handler, w.checker, w.approver, w.supervisor, w.window)
    for user in department_staff:
        api = api_for(user)
        _problem(api.get(f"/api/v1/applications/{draft.pk}/"), 404, "not_found")
        _problem(api.get(f"/api/v1/applications/{draft.pk}/evidence/"), 404, "not_found")
        _problem(api.get(f"/api/v1/applications/{draft.pk}/files/{photo}/"), 404, "not_found")
        page = Client()
        page.force_login(user)
        assert page.get(f"/workbench/files/{photo}/").status_code == 404
    services.application_submit(application=draft, user=w.user)
    for user in department_staff:
        assert api_for(user).get(f"/api/v1/applications/{draft.pk}/").status_code == 200


def test_a_questioned_answer_is_confirmed_over_the_api():
    w = world()
    app = bank_questioned(w)
    api = api_for(w.user)
    url = f"/api/v1/applications/{app.pk}/actions/"
    body = _problem(
        api.post(url, {"action": "supply_correction"}, format="json"), 400, "incomplete"
    )
    assert "bank" in {e["field"] for e in body["errors"]}
    _problem(
        api.post(url, {"action": "supply_correction", "confirm": ["nope"]}, format="json"),
        400,
        "confirm_invalid",
    )
    r = api.post(url, {"action": "supply_correction", "confirm": ["bank"]}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "corrected"


def test_a_correction_listing_an_item_twice_is_refused():
    w = world()
    app = submitted(w)
    body = _problem(
        api_for(w.window).post(
            f"/api/v1/applications/{app.pk}/actions/",
            {
                "action": "request_correction",
                "reason": "请补正",
                "items": [{"code": "photo", "reason": "模糊"}, {"code": "photo", "reason": "太小"}],
            },
            format="json",
        ),
        400,
        "duplicate_item",
    )
    assert "列了不止一次" in body["detail"]
    app.refresh_from_db()
    assert app.status == "submitted" and not app.notices.exists()


def test_an_unknown_situation_is_named_not_dropped():
    w = world()
    body = _problem(
        api_for(w.user).post(
            "/api/v1/applications/", {"item": w.item.code, "situation": "nope"}, format="json"
        ),
        400,
        "unknown_situation",
    )
    assert "nope" in body["detail"]
    assert not Application.objects.exists()


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


# ------------------------------------------------------------------ staff operations


def test_the_staff_queue_has_the_workbench_filters():
    w = world()
    first, second = submitted(w), submitted(w)
    services.application_act(application=first, user=w.window, action="accept")
    handler = api_for(w.handler)

    def ids(**params):
        r = handler.get("/api/v1/applications/", params)
        assert r.status_code == 200, r.content
        assert r["X-Total-Count"] == str(len(r.json()))
        return {a["id"] for a in r.json()}

    assert ids() == {first.pk, second.pk}
    assert ids(status="accepted") == {first.pk}
    services.application_act(application=first, user=w.handler, action="start")
    assert ids(stage="handle", mine=1) == {first.pk}
    assert ids(stage="check") == set()
    assert ids(q=second.tracking_number) == {second.pk}
    _problem(handler.get("/api/v1/applications/", {"status": "approvedd"}), 400, "invalid_filter")
    _problem(handler.get("/api/v1/applications/", {"stage": "sign"}), 400, "invalid_filter")
    _problem(handler.get("/api/v1/applications/", {"mine": "maybe"}), 400, "invalid_filter")
    _problem(handler.get("/api/v1/applications/", {"department": "x"}), 400, "invalid_filter")
    # By the code the applications show (and departments/ lists), or by id.
    own = first.department
    assert ids(department=own.code) == ids(department=own.pk) == {first.pk, second.pk}
    assert api_for(w.handler).get(f"/api/v1/applications/{first.pk}/").json()["department"] == (
        own.code
    )
    # A department outside the officer's scope is refused, not silently empty.
    outside = w.outsider.staff_roles.first().department
    for value in (outside.pk, outside.code):
        _problem(handler.get("/api/v1/applications/", {"department": value}), 400, "invalid_filter")
    assert api_for(w.outsider).get("/api/v1/applications/").json() == []
    # A window officer's own intake drafts, and no one else's.
    draft = services.draft_create(
        user=w.window, item=w.item, situation="first", applicant_person=w.person, channel="window"
    )
    services.draft_create(user=w.user, item=w.item, situation="first")
    r = api_for(w.window).get("/api/v1/applications/", {"status": "draft"})
    assert [a["id"] for a in r.json()] == [draft.pk]


def test_an_approver_extends_and_assigns_over_the_api():
    w = world()
    app = submitted(w)
    services.application_act(application=app, user=w.window, action="accept")
    approver = api_for(w.approver)
    url = f"/api/v1/applications/{app.pk}/extension/"
    _problem(
        approver.post(url, {"days": 0, "reason": "现场核查"}, format="json"), 400, "days_invalid"
    )
    _problem(approver.post(url, {"days": 2, "reason": " "}, format="json"), 400, "reason_required")
    _problem(
        approver.post(url, {"days": "两", "reason": "x"}, format="json"), 400, "validation_error"
    )
    _problem(
        api_for(w.handler).post(url, {"days": 1, "reason": "再延"}, format="json"), 403, "forbidden"
    )
    assert not app.extensions.exists()
    r = approver.post(url, {"days": 2, "reason": "需要现场核查"}, format="json")
    assert r.status_code == 201 and "延长 2 天" in r.json()["events"][-1]["note"]
    assert app.extensions.get().days == 2

    url = f"/api/v1/applications/{app.pk}/assignment/"
    other = staff("handler3", w.handler.staff_roles.first().department, "handler")
    r = approver.get(url)
    assert r.status_code == 200 and r.json()["stage"] == "handle"
    assert r.json()["holder"]["name"] == "window1"  # who took it in holds it until handed on
    assert {o["id"] for o in r.json()["assignable"]} >= {w.handler.pk, other.pk}
    body = _problem(
        approver.post(url, {"assignee": w.checker.pk}, format="json"), 400, "assignee_invalid"
    )
    assert body["errors"][0]["field"] == "assignee"
    _problem(api_for(w.handler).post(url, {"assignee": other.pk}, format="json"), 403, "forbidden")
    r = approver.post(url, {"assignee": other.pk, "note": "请跟进"}, format="json")
    assert r.status_code == 201
    assert approver.get(url).json()["holder"] == {"id": other.pk, "name": "handler3"}
    _problem(api_for(w.user).get(url), 403, "forbidden")
    _problem(api_for(w.other_user).get(url), 404, "not_found")


def test_files_download_only_for_those_who_may_see_them_and_staff_reads_are_audited():
    from onetrip.applications.tests.factories import PNG
    from onetrip.audit.models import AuditEvent

    w = world()
    draft = complete_draft(w)
    first_file = draft.materials.get(code="photo").file_id
    services.material_upload(application=draft, user=w.user, code="photo", upload=png("new.png"))
    app = services.application_submit(application=draft, user=w.user).application
    mine = api_for(w.user)
    photo = next(
        m
        for m in mine.get(f"/api/v1/applications/{app.pk}/").json()["materials"]
        if m["code"] == "photo"
    )
    assert photo["replaced_files"] == [first_file] and photo["file"] != first_file
    for file_id in (photo["file"], first_file):
        r = mine.get(f"/api/v1/applications/{app.pk}/files/{file_id}/")
        assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
        assert r["Content-Disposition"].startswith("attachment")
    url = f"/api/v1/applications/{app.pk}/files/{photo['file']}/"
    _problem(api_for(w.other_user).get(url), 404, "not_found")
    _problem(api_for(w.outsider).get(url), 404, "not_found")
    # A file of another application is not reachable through this one.
    other_app = submitted(w)
    other_file = other_app.materials.get(code="photo").file_id
    _problem(mine.get(f"/api/v1/applications/{app.pk}/files/{other_file}/"), 404, "not_found")
    before = AuditEvent.objects.filter(action="application.view").count()
    assert api_for(w.window).get(url).status_code == 200
    event = AuditEvent.objects.filter(action="application.view").order_by("seq").last()
    assert AuditEvent.objects.filter(action="application.view").count() == before + 1
    assert "下载材料" in event.summary and event.actor_label == "window1"


def test_notices_read_as_data_with_their_printable_page():
    w = world()
    app = submitted(w)
    services.application_act(
        application=app,
        user=w.window,
        action="request_correction",
        reason="请补正",
        items=[{"code": "photo", "reason": "照片模糊"}],
    )
    mine = api_for(w.user)
    refs = mine.get(f"/api/v1/applications/{app.pk}/").json()["notices"]
    assert [n["kind"] for n in refs] == ["correction"] and refs[0]["due"]
    r = mine.get(f"/api/v1/notices/{refs[0]['number']}/")
    assert r.status_code == 200
    notice = r.json()
    assert notice["tracking_number"] == app.tracking_number
    assert notice["items"][0]["reason"] == "照片模糊"
    assert unquote(notice["print_url"]) == f"/notices/{refs[0]['number']}/"
    page = Client()
    page.force_login(w.user)
    assert "照片模糊" in page.get(notice["print_url"]).content.decode()
    _problem(api_for(w.other_user).get(f"/api/v1/notices/{refs[0]['number']}/"), 404, "not_found")
    _problem(mine.get("/api/v1/notices/NO-SUCH/"), 404, "not_found")
    staff_view = api_for(w.window).get(f"/api/v1/notices/{refs[0]['number']}/").json()
    assert staff_view["print_url"].startswith("/workbench/notices/")


def test_supervisors_read_the_audit_timeline_and_see_a_tampered_event():
    from onetrip.audit.models import AuditEvent
    from onetrip.audit.tests.helpers import after_overwrite, protection_disable

    w = world()
    app = submitted(w)
    services.application_act(application=app, user=w.window, action="accept")
    url = f"/api/v1/applications/{app.pk}/audit/"
    rows = api_for(w.supervisor).get(url).json()
    actions = [r["action"] for r in rows]
    assert actions.index("application.submit") < actions.index("application.accept")
    assert all(r["intact"] for r in rows)
    _problem(api_for(w.handler).get(url), 403, "forbidden")
    _problem(api_for(w.user).get(url), 403, "forbidden")
    _problem(api_for(w.other_user).get(url), 404, "not_found")
    seq = AuditEvent.objects.get(action="application.accept", object_id=str(app.pk)).seq
    protection_disable()
    after_overwrite(seq=seq, after={"status": "approved"})
    rows = api_for(w.supervisor).get(url).json()
    assert [r["intact"] for r in rows if r["seq"] == seq] == [False]


def test_an_agent_applies_for_the_principal_under_a_grant():
    import datetime as dt

    from onetrip.accounts.services import authorisation_grant

    w = world()
    principal = w.other_user.person
    agent = api_for(w.user)
    body = {"item": w.item.code, "situation": "first", "on_behalf_of": f"p{principal.pk}"}
    _problem(agent.post("/api/v1/applications/", body, format="json"), 403, "no_authorisation")
    _problem(
        agent.post("/api/v1/applications/", {**body, "on_behalf_of": "p99999"}, format="json"),
        403,
        "no_authorisation",
    )
    _problem(
        agent.post("/api/v1/applications/", {**body, "on_behalf_of": "x1"}, format="json"),
        400,
        "validation_error",
    )
    assert not Application.objects.exists()
    assert agent.get("/api/v1/me/principals/", {"item": w.item.code}).json() == []
    today = dt.date.today()
    authorisation_grant(
        agent=w.person,
        principal_person=principal,
        valid_from=today,
        valid_until=today + dt.timedelta(days=30),
        created_by=w.window,
    )
    listed = agent.get("/api/v1/me/principals/", {"item": w.item.code}).json()
    assert [(p["key"], p["name"]) for p in listed] == [(f"p{principal.pk}", "李四")]
    _problem(agent.get("/api/v1/me/principals/", {"item": "nope"}), 404, "item_not_found")
    r = agent.post("/api/v1/applications/", body, format="json")
    assert r.status_code == 201
    app = Application.objects.get(pk=r.json()["id"])
    assert app.applicant_person == principal and app.agent == w.person
    # The principal sees it among their own applications.
    assert app.pk in [a["id"] for a in api_for(w.other_user).get("/api/v1/applications/").json()]


def test_staff_cannot_start_applications_for_people_outside_the_window():
    from onetrip.accounts.models import Person

    w = world()
    target = Person.objects.get(user=w.other_user)
    body = {"item": w.item.code, "situation": "first", "on_behalf_of": f"p{target.pk}"}
    for officer in (w.outsider, w.handler, w.window):  # the window has its own intake calls
        r = api_for(officer).post("/api/v1/applications/", body, format="json")
        _problem(r, 403, "forbidden")
    assert not Application.objects.exists()


def test_a_window_draft_is_submitted_only_with_its_visit():
    w = world()
    draft = services.draft_create(
        user=w.window, item=w.item, situation="first", applicant_person=w.person, channel="window"
    )
    services.draft_save_fields(
        application=draft, user=w.window, data={"name": "张三", "bank": "icbc", "copies": 1}
    )
    for user in (w.window, w.user):
        with pytest.raises(services.ApplicationError) as refused:
            services.application_submit(application=draft, user=user)
        assert refused.value.code == "window_submit_required"
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.visits.exists()


def test_an_agent_learns_nothing_from_ids_without_a_grant():
    from onetrip.accounts.models import Enterprise

    w = world(serves_enterprises=False)
    firm = Enterprise.objects.create(name="某公司", credit_code="91620100MA7ABCDE3Y")
    body = {"item": w.item.code, "situation": "first"}
    agent = api_for(w.user)
    for key in (f"e{firm.pk}", "e99999"):
        r = agent.post("/api/v1/applications/", {**body, "on_behalf_of": key}, format="json")
        _problem(r, 403, "no_authorisation")


def test_unreadable_or_too_deeply_nested_json_is_bad_input():
    from rest_framework.test import APIClient

    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    before = dict(Application.objects.get(pk=app.pk).data)
    api = api_for(w.user)
    url = f"/api/v1/applications/{app.pk}/fields/"
    for text in ('"\\ud800"', '"a\\u0000b"'):  # a lone surrogate, a NUL character
        body = _problem(
            api.generic("PATCH", url, '{"data": {"name": ' + text + "}}", "application/json"),
            400,
            "invalid_fields",
        )
        assert "无法识别的字符" in body["errors"][0]["message"]
    nested = '{"data":' * 5000 + "{}" + "}" * 5000
    _problem(api.generic("PATCH", url, nested, "application/json"), 400, "parse_error")
    # A malformed body is explained in the request's language, with where it went wrong.
    broken = _problem(
        api.generic("PATCH", url, '{"data": ', "application/json"), 400, "parse_error"
    )
    assert broken["detail"] == "请求内容不是有效的 JSON（第 1 行第 10 列）。"
    english = api.generic("PATCH", url, "{", "application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert "Expecting" not in english.json()["detail"]
    assert Application.objects.get(pk=app.pk).data == before
    anonymous = APIClient()  # before any sign-in, too
    deep = '{"phone":' + "[" * 100000 + "]" * 100000 + "}"
    _problem(
        anonymous.generic("POST", "/api/v1/auth/login-code/", deep, "application/json"),
        400,
        "parse_error",
    )


def test_huge_file_ids_and_empty_flags():
    w = world()
    app = submitted(w)
    mine = api_for(w.user)
    _problem(mine.get(f"/api/v1/applications/{app.pk}/files/{2**70}/"), 404, "not_found")
    assert mine.get("/api/v1/applications/", {"mine": ""}).status_code == 200


def test_each_step_carries_its_national_code_including_the_end_of_a_special_procedure():
    w = world()
    app = submitted(w)
    for user, action in [(w.window, "accept"), (w.handler, "start"), (w.handler, "pause")]:
        services.application_act(application=app, user=user, action=action, reason="专家评审")
    services.application_act(application=app, user=w.handler, action="resume", reason="结束")
    services.application_act(application=app, user=w.handler, action="pass_stage")
    services.visit_record(
        application=app,
        officer=w.window,
        reason="核验原件",
        place="窗口",
        over_promise_reason="原件核验",
    )
    events = api_for(w.user).get(f"/api/v1/applications/{app.pk}/").json()["events"]
    codes = [(e["action"], e["national_code"]) for e in events]
    assert codes == [
        ("submit", 1),
        ("accept", 3),
        ("start", 8),
        ("pause", 9),
        ("resume", 10),
        ("pass_stage", None),  # the status stays 8: nothing new to report
        ("visit", None),
    ]


def test_the_staff_list_offers_what_the_detail_offers_without_a_query_per_row():
    from django.test.utils import CaptureQueriesContext

    w = world()
    both = staff("both1", w.handler.staff_roles.first().department, "handler", "checker")

    def at_check(handler):
        return first_stage_passed(w, handler)

    mine, others = [at_check(both)], [at_check(w.handler)]
    client = api_for(both)

    def listed():
        with CaptureQueriesContext(connection) as queries:
            rows = client.get("/api/v1/applications/", {"stage": "check"}).json()
        return {row["id"]: row["allowed_actions"] for row in rows}, len(queries)

    offered, few = listed()
    # Four-eyes: who passed the first stage is not offered the second.
    assert "pass_stage" not in offered[mine[0].pk] and "pass_stage" in offered[others[0].pk]
    for pk, actions in offered.items():
        assert client.get(f"/api/v1/applications/{pk}/").json()["allowed_actions"] == actions
    mine += [at_check(both) for _ in range(3)]
    others += [at_check(w.handler) for _ in range(3)]
    offered, many = listed()
    assert len(offered) == 8 and many == few
    assert sum("pass_stage" in actions for actions in offered.values()) == 4


def test_the_list_reads_correction_notices_once_whatever_its_length():
    from django.test.utils import CaptureQueriesContext

    w = world()

    def in_correction():
        return photo_asked_again(w, submitted(w))

    def count(user):
        with CaptureQueriesContext(connection) as queries:
            rows = api_for(user).get("/api/v1/applications/").json()
        return len(rows), len(queries)

    in_correction()
    one = {who: count(who) for who in (w.window, w.user)}
    for _ in range(4):
        in_correction()
    five = {who: count(who) for who in (w.window, w.user)}
    for who in (w.window, w.user):
        assert (one[who][0], five[who][0]) == (1, 5) and one[who][1] == five[who][1]
