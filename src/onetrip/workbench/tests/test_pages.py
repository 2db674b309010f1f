"""Staff pages: queue, application page, actions, files, notices, visits and delivery."""

from __future__ import annotations

import datetime as dt

import pytest

from onetrip.applications import services
from onetrip.applications.models import Application, Notice, Visit
from onetrip.applications.tests.factories import (
    PNG,
    bank_questioned,
    png,
    staff,
    submitted,
    submitted_with_photo_to_follow,
    world,
)
from onetrip.applications.workflow import Status
from onetrip.audit.models import AuditEvent
from onetrip.catalog.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def _detail(app: Application) -> str:
    return f"/workbench/applications/{app.tracking_number}/"


def _act(client, app: Application, **data):
    return client.post(_detail(app) + "act/", data)


def _views(app: Application) -> int:
    return AuditEvent.objects.filter(
        action="application.view",
        object_type="applications.application",
        object_id=str(app.pk),
    ).count()


def _photo_file_id(app: Application) -> int:
    return app.materials.get(code="photo").file_id


# ------------------------------------------------------------------ who gets in


def test_anonymous_is_sent_to_the_staff_login(client, w):
    app = submitted(w)
    for url in ("/workbench/", _detail(app), "/workbench/intake/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/login/?next=")


def test_a_non_staff_user_gets_404(client, w):
    app = submitted(w)
    client.force_login(w.user)  # the applicant themself: not staff
    for url in (
        "/workbench/",
        _detail(app),
        f"/workbench/files/{_photo_file_id(app)}/",
        "/workbench/intake/",
    ):
        assert client.get(url).status_code == 404


def test_intake_is_for_window_officers_only(client, w):
    client.force_login(w.handler)
    assert client.get("/workbench/intake/").status_code == 403


# ------------------------------------------------------------------ queue


def test_queue_shows_own_department_only(client, w):
    app = submitted(w)
    client.force_login(w.handler)
    page = client.get("/workbench/").content.decode()
    assert app.tracking_number in page and "张三" in page

    client.force_login(w.outsider)  # a handler of another department
    response = client.get("/workbench/")
    assert response.status_code == 200
    assert app.tracking_number not in response.content.decode()
    assert client.get(_detail(app)).status_code == 404
    assert client.get(f"/workbench/files/{_photo_file_id(app)}/").status_code == 404
    assert client.post(_detail(app) + "act/", {"action": "accept"}).status_code == 404
    assert Application.objects.get(pk=app.pk).status == Status.SUBMITTED


def test_window_officers_see_every_departments_intake_queue(client, w):
    app = submitted(w)
    insurance = Department.objects.get(code="insurance")
    officer = staff("window-insurance", insurance, "window")
    client.force_login(officer)
    assert app.tracking_number in client.get("/workbench/").content.decode()
    services.application_act(application=app, user=w.handler, action="accept")
    # accepted applications of another department leave the window's queue
    assert app.tracking_number not in client.get("/workbench/").content.decode()


def test_queue_filters_and_search(client, w):
    app = submitted(w)
    client.force_login(w.handler)
    assert app.tracking_number in client.get("/workbench/?q=张").content.decode()
    assert (
        app.tracking_number in client.get(f"/workbench/?q={app.tracking_number}").content.decode()
    )
    assert app.tracking_number not in client.get("/workbench/?q=王五").content.decode()
    # The 公民身份号码 however it was typed: spaced, or in full-width characters.
    from urllib.parse import quote

    from onetrip.applications.tests.factories import ID_A

    spaced = f"{ID_A[:6]} {ID_A[6:14]} {ID_A[14:]}"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in ID_A)
    for typed in (ID_A, spaced, full_width):
        page = client.get(f"/workbench/?q={quote(typed)}").content.decode()
        assert app.tracking_number in page, typed
    assert app.tracking_number in client.get("/workbench/?status=submitted").content.decode()
    assert app.tracking_number not in client.get("/workbench/?status=accepted").content.decode()
    assert app.tracking_number not in client.get("/workbench/?stage=check").content.decode()
    page = client.get("/workbench/?status=bogus&department=x&page=99")
    assert page.status_code == 200 and app.tracking_number in page.content.decode()


def test_a_stage_filter_lists_what_waits_at_that_stage_not_what_passed_it(client, w):
    waiting, decided = submitted(w), submitted(w)
    for app in (waiting, decided):
        services.application_act(application=app, user=w.window, action="accept")
        services.application_act(application=app, user=w.handler, action="start")
        services.application_act(application=app, user=w.handler, action="pass_stage")
        services.application_act(application=app, user=w.checker, action="pass_stage")
    services.application_act(application=decided, user=w.approver, action="approve")
    client.force_login(w.approver)
    page = client.get("/workbench/?stage=approve").content.decode()
    assert waiting.tracking_number in page and decided.tracking_number not in page
    # With a status chosen as well, both apply as asked.
    page = client.get("/workbench/?stage=approve&status=approved").content.decode()
    assert decided.tracking_number in page and waiting.tracking_number not in page


def _advance(w, app: Application, steps: list[tuple[str, str]]) -> Application:
    for who, action in steps:
        app = services.application_act(
            application=app, user=getattr(w, who), action=action, reason="理由"
        )
    return app


def test_my_tab_agrees_with_allowed_actions(client, w):
    apps = [submitted(w) for _ in range(5)]
    _advance(w, apps[1], [("handler", "accept")])
    _advance(w, apps[2], [("handler", "accept"), ("handler", "start")])
    _advance(w, apps[3], [("handler", "accept"), ("handler", "start"), ("handler", "pass_stage")])
    _advance(
        w,
        apps[4],
        [
            ("handler", "accept"),
            ("handler", "start"),
            ("handler", "pass_stage"),
            ("checker", "pass_stage"),
            ("approver", "approve"),
        ],
    )
    for name in ("window", "handler", "checker", "approver", "supervisor", "outsider"):
        user = getattr(w, name)
        client.force_login(user)
        everything = client.get("/workbench/").content.decode()
        mine = client.get("/workbench/?mine=1").content.decode()
        for app in apps:
            app.refresh_from_db()
            actionable = bool(services.allowed_actions(user=user, application=app))
            visible = services.can_view(user=user, application=app) and (
                app.tracking_number in everything
            )
            assert (app.tracking_number in mine) == (actionable and visible), (name, app.status)


# ------------------------------------------------------------------ the application page


def test_detail_shows_the_application_and_only_allowed_actions(client, w):
    app = submitted(w)
    client.force_login(w.handler)
    response = client.get(_detail(app))
    page = response.content.decode()
    assert response.status_code == 200
    assert "1101**********4514" in page and "110101199003074514" not in page
    assert "139****0001" in page
    assert "发卡银行" in page and "工商银行" in page  # field label and choice label
    assert f"/workbench/files/{_photo_file_id(app)}/" in page
    for action in services.allowed_actions(user=w.handler, application=app):
        assert f'name="action" value="{action.value}"' in page
    for absent in ("start", "approve", "pass_stage", "withdraw", "supply_correction"):
        assert f'name="action" value="{absent}"' not in page

    client.force_login(w.checker)
    page = client.get(_detail(app)).content.decode()
    assert 'name="action"' not in page
    assert "当前没有您可以进行的操作" in page


def test_every_detail_view_is_audited(client, w):
    app = submitted(w)
    client.force_login(w.handler)
    before = _views(app)
    client.get(_detail(app))
    client.get(_detail(app))
    assert _views(app) == before + 2
    event = AuditEvent.objects.filter(action="application.view").order_by("-seq").first()
    assert event.actor_id == str(w.handler.pk) and app.tracking_number in event.summary


def test_posting_an_action_works(client, w):
    app = submitted(w)
    client.force_login(w.handler)
    response = _act(client, app, action="accept")
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED
    notice = Notice.objects.get(application=app)
    assert notice.kind == Notice.Kind.ACCEPTANCE
    page = client.get(response["Location"]).content.decode()
    assert "已完成：受理" in page and notice.number in page
    printable = client.get(f"/workbench/notices/{notice.number}/")
    text = printable.content.decode()
    assert printable.status_code == 200
    assert "受理通知书" in text and app.tracking_number in text and "测试市就业服务中心" in text
    # Staff print notices from the workbench; the applicants' address is not theirs.
    assert client.get(f"/notices/{notice.number}/").status_code == 404


def test_a_forbidden_action_shows_the_error_and_changes_nothing(client, w):
    app = submitted(w)
    client.force_login(w.checker)
    response = _act(client, app, action="accept")
    assert response.status_code == 403
    assert "您没有“受理”的权限" in response.content.decode()
    assert 'class="error-summary"' in response.content.decode()
    client.force_login(w.handler)
    response = _act(client, app, action="approve")
    assert response.status_code == 409
    assert Application.objects.get(pk=app.pk).status == Status.SUBMITTED


def test_refusal_needs_a_reason_and_keeps_what_was_typed(client, w):
    app = submitted(w)
    client.force_login(w.handler)
    response = _act(client, app, action="refuse", reason="   ")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#act-refuse-reason"' in page and "请写明理由" in page
    assert Application.objects.get(pk=app.pk).status == Status.SUBMITTED

    response = _act(client, app, action="request_correction", item_reason_photo="照片模糊")
    page = response.content.decode()
    assert response.status_code == 400 and "照片模糊" in page
    assert Notice.objects.filter(application=app).count() == 0

    response = _act(client, app, action="refuse", reason="不属于本部门职责")
    assert response.status_code == 302
    notice = Notice.objects.get(application=app)
    text = client.get(f"/workbench/notices/{notice.number}/").content.decode()
    assert "不予受理通知书" in text and "不属于本部门职责" in text and "行政复议" in text


def test_correction_lists_everything_and_issues_one_notice(client, w):
    app = submitted(w)
    client.force_login(w.handler)
    page = client.get(_detail(app)).content.decode()
    for m in app.materials.all():
        assert f'id="corr-material-{m.code}"' in page
    for code in ("bank", "copies"):
        assert f'id="corr-field-{code}"' in page
    assert 'id="corr-field-name"' not in page  # from the real-name record: not the applicant's
    assert "override_reason" not in page  # first correction: no override needed

    response = _act(
        client,
        app,
        action="request_correction",
        reason="请补正以下内容",
        items=["photo", "bank"],
        item_reason_photo="照片不是白底",
        item_reason_bank="该银行不发行社保卡",
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.CORRECTION and app.correction_count == 1
    notice = Notice.objects.get(application=app)
    assert notice.kind == Notice.Kind.CORRECTION
    assert {(i["code"], i["reason"]) for i in notice.items} == {
        ("photo", "照片不是白底"),
        ("bank", "该银行不发行社保卡"),
    }
    text = client.get(f"/workbench/notices/{notice.number}/").content.decode()
    assert "补正材料通知书" in text and "照片不是白底" in text and "该银行不发行社保卡" in text


def _corrected(w, app: Application) -> Application:
    services.application_act(
        application=app,
        user=w.handler,
        action="request_correction",
        reason="补正",
        items=[{"code": "photo", "reason": "模糊"}],
    )
    services.material_upload(application=app, user=w.user, code="photo", upload=png())
    return services.application_act(application=app, user=w.user, action="supply_correction")


def test_the_window_sees_and_records_what_changed_beyond_the_notice(client, w):
    """At the window the officer sends the correction for the applicant: the page names the
    answer changed that the notice did not list, and the step records it with the answer
    the applicant confirmed unchanged."""
    app = bank_questioned(w)
    services.draft_save_fields(application=app, user=w.user, data={"copies": 2})
    client.force_login(w.window)
    page = client.get(_detail(app)).content.decode()
    assert "申请人还修改了通知未列出的内容（将记入办理记录）：申领张数" in page
    response = _act(client, app, action="supply_correction", confirm="bank")
    assert response.status_code == 302
    step = Application.objects.get(pk=app.pk).events.get(action="supply_correction")
    assert step.note == (
        "已按补正通知提交；申请人确认以下填写无误，未作修改：发卡银行；"
        "另外修改了补正通知未列的内容：申领张数"
    )


def test_a_second_correction_needs_a_supervisors_override(client, w):
    app = _corrected(w, submitted(w))
    assert app.status == Status.CORRECTED
    client.force_login(w.handler)
    page = client.get(_detail(app)).content.decode()
    # No second notice is offered to the handler; the page says who may give one.
    assert 'id="act-request_correction"' not in page
    assert 'data-withheld="request_correction"' in page and "须由监察人员写明理由" in page

    response = _act(
        client, app, action="request_correction", reason="再补", item_reason_photo="仍模糊"
    )
    page = response.content.decode()
    assert response.status_code == 409 and "无法进行该操作" in page
    assert "补正只能一次性告知" in page and 'href="#actions"' in page
    app.refresh_from_db()
    assert app.status == Status.CORRECTED and app.notices.count() == 1

    jobs = Department.objects.get(code="jobs")
    lead = staff("lead1", jobs, "handler", "supervisor")
    client.force_login(lead)
    page = client.get(_detail(app)).content.decode()
    assert 'id="act-request_correction-override_reason"' in page and "需监察人员同意" in page
    # Open to the supervisor: a missing reason is something to fill in, not a refusal.
    response = _act(
        client, app, action="request_correction", reason="再补", item_reason_photo="仍模糊"
    )
    page = response.content.decode()
    assert response.status_code == 409 and "请修改以下问题" in page
    assert 'href="#act-request_correction-override_reason"' in page and "仍模糊" in page
    response = _act(
        client,
        app,
        action="request_correction",
        reason="再补",
        item_reason_photo="仍模糊",
        override_reason="照片经核查确属他人，需重新提交",
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.CORRECTION and app.notices.count() == 2
    assert app.notices.last().override_reason == "照片经核查确属他人，需重新提交"


def test_accept_deficient_takes_a_due_date(client, w):
    draft = submitted_with_photo_to_follow(w)  # the photo may be 容缺 (not a key material)
    client.force_login(w.handler)
    response = _act(client, draft, action="accept_deficient", due="2026-13-40")
    assert (
        response.status_code == 400
        and 'href="#act-accept_deficient-due"' in response.content.decode()
    )
    due = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = _act(client, draft, action="accept_deficient", due=due)
    assert response.status_code == 302
    notice = Notice.objects.get(application=draft)
    text = client.get(f"/workbench/notices/{notice.number}/").content.decode()
    assert "容缺受理通知书" in text and "近期免冠照片" in text and "不予批准" in text
    assert "在“我的办件”中上传，或交到任一服务窗口" in text


def test_a_deficient_material_is_handed_in_at_any_window(client, w):
    app = submitted_with_photo_to_follow(w)
    today = dt.date.today()
    with pytest.raises(services.ApplicationError) as caught:  # no time at all to bring it
        services.application_act(
            application=app, user=w.window, action="accept_deficient", due=today
        )
    assert caught.value.code == "due_invalid"
    services.application_act(
        application=app, user=w.window, action="accept_deficient", due=today + dt.timedelta(days=1)
    )
    services.application_act(application=app, user=w.handler, action="start")
    client.force_login(w.window)  # the accepting officer is pointed to the counter page
    assert "/workbench/supplements/?number=" in client.get(_detail(app)).content.decode()
    # Another window officer, who never saw this application, takes the photo at the counter:
    # the tracking number finds what is still to come, and no more than that.
    other = staff("window2", Department.objects.get(code="bureau"), "window")
    client.force_login(other)
    assert client.get(_detail(app)).status_code == 404
    url = "/workbench/supplements/"
    page = client.get(url, {"number": app.tracking_number}).content.decode()
    assert 'data-supplement="photo"' in page and "近期免冠照片" in page
    assert client.get(url, {"number": "2026000000000000"}).status_code == 404
    response = client.post(url, {"number": app.tracking_number, "code": "photo"})
    assert response.status_code == 400 and "请选择要上传的文件" in response.content.decode()
    form = {"number": app.tracking_number, "code": "photo", "in_person": "1", "file": png()}
    assert client.post(url, form).status_code == 302
    assert app.materials.get(code="photo").state == "uploaded"
    assert app.events.filter(action="supply_deficiency", actor=other, actor_role="window").exists()
    assert not app.clock_pauses.filter(ended_on__isnull=True).exists()
    # The applicant came in person: that is a trip, beyond this item's promise of none.
    visit = app.visits.get()
    assert visit.officer == other and visit.over_promise and "补交容缺材料" in visit.reason
    # Nothing more to hand in.
    assert client.get(url, {"number": app.tracking_number}).status_code == 404
    # Only window officers receive materials.
    client.force_login(w.handler)
    assert client.get(url).status_code == 403


def test_an_unanswered_correction_is_closed_from_the_page_once_its_date_passes(client, w):
    import time_machine

    app = submitted(w)
    client.force_login(w.window)
    response = _act(
        client, app, action="request_correction", reason="缺照片", items="photo", due="2026-02-30"
    )
    assert response.status_code == 400 and 'href="#act-request_correction-due"' in (
        response.content.decode()
    )
    due = dt.date.today() + dt.timedelta(days=2)
    response = _act(
        client, app, action="request_correction", reason="缺照片", items="photo", due=due
    )
    assert response.status_code == 302
    notice = Notice.objects.get(application=app, kind="correction")
    assert notice.due == due
    text = client.get(f"/workbench/notices/{notice.number}/").content.decode()
    assert f"{due.year}年{due.month}月{due.day}日" in text and "补正超时驳回" in text
    page = client.get(_detail(app)).content.decode()
    assert 'id="act-close_uncorrected"' not in page
    response = _act(client, app, action="close_uncorrected")
    assert response.status_code == 409 and "尚未届满" in response.content.decode()

    with time_machine.travel(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(9))):
        page = client.get(_detail(app)).content.decode()
        assert 'id="act-close_uncorrected"' in page and notice.number in page
        assert _act(client, app, action="close_uncorrected").status_code == 302
    app.refresh_from_db()
    assert app.status == Status.CORRECTION_EXPIRED
    refusal = Notice.objects.get(application=app, kind="refusal")
    text = client.get(f"/workbench/notices/{refusal.number}/").content.decode()
    assert notice.number in text and "行政复议" in text


# ------------------------------------------------------------------ files


def test_files_are_served_as_attachments_and_audited(client, w):
    app = submitted(w)
    client.force_login(w.handler)
    before = _views(app)
    response = client.get(f"/workbench/files/{_photo_file_id(app)}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    assert _views(app) == before + 1
    assert client.get("/workbench/files/999999/").status_code == 404
    assert client.get(f"/workbench/files/{10**20}/").status_code == 404
    # The applicants' addresses are not a way round the audited read.
    assert client.get(f"/files/{_photo_file_id(app)}/").status_code == 404
    assert _views(app) == before + 1


def test_a_replaced_upload_stays_on_record_for_staff_and_the_applicant(client, w):
    app = submitted(w)
    first = _photo_file_id(app)
    services.application_act(
        application=app,
        user=w.window,
        action="request_correction",
        reason="照片不清晰",
        items=[{"code": "photo", "reason": "模糊"}],
    )
    services.material_upload(application=app, user=w.user, code="photo", upload=png("new.png"))
    assert _photo_file_id(app) != first
    client.force_login(w.handler)
    page = client.get(_detail(app)).content.decode()
    assert f'href="/workbench/files/{first}/"' in page and "被替换" in page
    response = client.get(f"/workbench/files/{first}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert AuditEvent.objects.filter(summary__contains="已被替换的文件").exists()
    client.force_login(w.user)
    assert client.get(f"/files/{first}/").status_code == 200
    client.force_login(w.other_user)
    assert client.get(f"/files/{first}/").status_code == 404


# ------------------------------------------------------------------ visits and delivery


def test_a_visit_over_the_promise_needs_a_reason(client, w):
    app = submitted(w)  # visits_required is 0: any visit is over the promise
    client.force_login(w.handler)
    page = client.get(_detail(app)).content.decode()
    assert 'id="visit-over_promise_reason"' in page
    url = _detail(app) + "visits/"
    response = client.post(url, {"reason": "核验原件", "place": "市政务服务中心"})
    assert response.status_code == 409 and "请写明超出承诺的原因" in response.content.decode()
    assert Visit.objects.filter(application=app).count() == 0
    response = client.post(
        url, {"reason": "核验原件", "place": "市政务服务中心", "over_promise_reason": "原件存疑"}
    )
    assert response.status_code == 302
    visit = Visit.objects.get(application=app)
    assert visit.over_promise and visit.over_promise_reason == "原件存疑"
    page = client.get(_detail(app)).content.decode()
    assert "超出承诺" in page and "原件存疑" in page


def test_delivery_is_recorded_once_decided(client, w):
    app = submitted(w)
    client.force_login(w.approver)
    assert 'id="delivery"' not in client.get(_detail(app)).content.decode()
    app = _advance(
        w,
        app,
        [
            ("handler", "accept"),
            ("handler", "start"),
            ("handler", "pass_stage"),
            ("checker", "pass_stage"),
            ("approver", "approve"),
        ],
    )
    assert app.status == Status.APPROVED
    assert 'id="delivery"' in client.get(_detail(app)).content.decode()
    url = _detail(app) + "deliveries/"
    response = client.post(url, {"method": "post", "tracking_no": "", "address": "兰州市"})
    assert response.status_code == 400 and "邮寄送达请填写邮件号" in response.content.decode()
    # The electronic delivery was recorded with the decision; nothing else yet.
    assert [d.method for d in app.deliveries.all()] == ["electronic"]
    # The applicant chose electronic delivery: posting it as well needs a reason.
    assert app.delivery_method == "electronic"
    response = client.post(url, {"method": "post", "tracking_no": "EMS123", "address": "兰州市"})
    assert response.status_code == 400 and 'href="#delivery-reason"' in response.content.decode()
    assert [d.method for d in app.deliveries.all()] == ["electronic"]
    response = client.post(
        url,
        {
            "method": "post",
            "tracking_no": "EMS123",
            "address": "兰州市",
            "reason": "申请人要求纸质证件",
        },
    )
    assert response.status_code == 302
    assert app.deliveries.get(method="post").tracking_no == "EMS123"
    page = client.get(_detail(app)).content.decode()
    assert "EMS123" in page and "准予办理决定书" in page
    # The applicant is told the parcel's number, once.
    from onetrip.notifications.models import OutboxMessage

    told = OutboxMessage.objects.filter(recipient=w.user, channel="inbox", body__contains="EMS123")
    assert told.count() == 1 and "兰州市" in told.get().body
    # Once delivered, another delivery needs its reason; what does not fit is said, not cut.
    response = client.post(url, {"method": "electronic"})  # the applicant's own choice, again
    assert response.status_code == 400 and "再次送达请写明原因" in response.content.decode()
    response = client.post(url, {"method": "post", "tracking_no": "EMS456", "address": "兰州市"})
    assert response.status_code == 400 and "改用其他方式请写明原因" in response.content.decode()
    too_long = {"method": "post", "tracking_no": "E" * 41, "address": "兰州市", "reason": "退回"}
    response = client.post(url, too_long)
    assert response.status_code == 400 and "邮件号最多 40 字" in response.content.decode()
    response = client.post(url, {**too_long, "tracking_no": "EMS456", "address": "路" * 301})
    assert response.status_code == 400 and "送达地址最多 300 字" in response.content.decode()
    assert app.deliveries.count() == 2


def test_queue_is_paginated_newest_first_with_a_bounded_number_of_queries(
    client, w, django_assert_max_num_queries
):
    apps = [submitted(w) for _ in range(21)]
    client.force_login(w.handler)
    with django_assert_max_num_queries(21):
        page = client.get("/workbench/?status=submitted").content.decode()
    assert page.count('href="/workbench/applications/') == 20
    assert apps[-1].tracking_number in page and apps[0].tracking_number not in page
    assert page.index(apps[-1].tracking_number) < page.index(apps[-2].tracking_number)
    assert 'rel="next" href="?status=submitted&amp;page=2"' in page
    second = client.get("/workbench/?status=submitted&page=2").content.decode()
    assert apps[0].tracking_number in second


def test_supervisor_sees_the_audit_timeline_and_others_do_not(client):
    from onetrip.applications.tests.factories import submitted, world

    w = world()
    app = submitted(w)
    client.force_login(w.supervisor)
    html = client.get(f"/workbench/applications/{app.tracking_number}/").content.decode()
    assert "data-audit-timeline" in html and "application.submit" in html and "完整" in html
    client.force_login(w.handler)
    html = client.get(f"/workbench/applications/{app.tracking_number}/").content.decode()
    assert "data-audit-timeline" not in html


# ------------------------------------------------------------------ clock, extension, assignment


def test_the_page_shows_each_limit_with_days_left_and_the_holder(client, w):
    app = submitted(w)
    services.application_act(application=app, user=w.window, action="accept")
    services.application_act(application=app, user=w.handler, action="start")
    client.force_login(w.handler)
    body = client.get(_detail(app)).content.decode()
    assert 'data-deadline="promised"' in body and 'data-deadline="stage-handle"' in body
    assert "个工作日" in body
    assert "现由 handler1 办理" in body
    assert "<td>handle</td>" not in body and "<td>承办</td>" in body  # stage names, not codes
    assert 'href="/me/inbox/"' in body  # staff reach their inbox (cards arrive there)
    assert 'id="extend"' not in body  # only approvers extend
    assert 'id="assign"' in body and "由我办理" in body


def test_an_approver_extends_from_the_page_and_bad_input_changes_nothing(client, w):
    app = submitted(w)
    services.application_act(application=app, user=w.window, action="accept")
    client.force_login(w.approver)
    url = _detail(app) + "extend/"
    response = client.post(url, {"days": "三", "reason": "需要现场核查"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写延长的天数" in body and "需要现场核查" in body  # the reason is kept
    assert not app.extensions.exists()
    response = client.post(url, {"days": "2", "reason": "需要现场核查"})
    assert response.status_code == 302
    body = client.get(_detail(app)).content.decode()
    assert "延长 2 天，批准人 approver1" in body
    client.force_login(w.handler)
    assert client.post(url, {"days": "1", "reason": "再延"}).status_code == 403
    assert app.extensions.count() == 1


def test_an_approver_assigns_from_the_page(client, w):
    app = submitted(w)
    services.application_act(application=app, user=w.window, action="accept")
    other = staff("handler3", w.handler.staff_roles.first().department, "handler")
    client.force_login(w.approver)
    url = _detail(app) + "assign/"
    response = client.post(url, {"assignee": str(w.checker.pk)})
    assert (
        response.status_code == 400
        and "请选择本环节有办理权限的工作人员" in response.content.decode()
    )
    assert client.post(url, {"assignee": str(other.pk), "note": "请跟进"}).status_code == 302
    body = client.get(_detail(app)).content.decode()
    assert "现由 handler3 办理" in body and "请跟进" in body


def test_a_paused_clock_says_so_instead_of_counting_down(client, w):
    app = submitted(w)
    services.application_act(application=app, user=w.window, action="accept")
    services.application_act(application=app, user=w.handler, action="start")
    services.application_act(application=app, user=w.handler, action="pause", reason="委托鉴定")
    client.force_login(w.handler)
    body = client.get(_detail(app)).content.decode()
    assert "暂停计时" in body and "已超期" not in body


def test_an_empty_correction_says_what_is_missing_and_items_take_the_general_reason(client, w):
    app = submitted(w)
    client.force_login(w.handler)
    response = _act(client, app, action="request_correction", reason="请补正以下内容")
    page = response.content.decode()
    assert response.status_code == 400 and "一次性告知必须列出需要补正的全部材料或字段" in page
    assert "dict_items" not in page
    # Another field failing must not print the error dict either (Django reads .items).
    response = _act(client, app, action="request_correction", reason="", items=["photo"])
    page = response.content.decode()
    assert response.status_code == 400 and "请写明理由" in page and "dict_items" not in page
    response = _act(
        client, app, action="request_correction", reason="照片须为近期白底证件照", items=["photo"]
    )
    assert response.status_code == 302
    notice = Notice.objects.get(application=app)
    assert [(i["code"], i["reason"]) for i in notice.items] == [("photo", "照片须为近期白底证件照")]


def test_only_someone_who_may_hold_the_stage_is_offered_to_take_it(client, w):
    app = submitted(w)
    services.application_act(application=app, user=w.window, action="accept")
    client.force_login(w.window)  # took it in, but does not handle
    assert 'id="assign"' not in client.get(_detail(app)).content.decode()
    client.force_login(w.handler)
    page = client.get(_detail(app)).content.decode()
    assert 'id="assign"' in page and "由我办理" in page
