"""The 办件 services: submission, one-time correction, acceptance, stages, decision, visits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from onetrip.applications import services
from onetrip.applications.models import Application, ApplicationMaterial, Notice
from onetrip.applications.tests.factories import (
    PDF,
    complete_draft,
    first_stage_passed,
    png,
    submitted,
    world,
)
from onetrip.applications.workflow import Status
from onetrip.audit.selectors import audit_chain_verify, audit_events_for
from onetrip.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def act(app, user, action, **kw):
    return services.application_act(application=app, user=user, action=action, **kw)


def test_full_path_to_approval_with_one_correction():
    w = world()
    app = submitted(w)
    assert app.status == Status.SUBMITTED and len(app.tracking_number) == 16
    assert len(app.query_code) == 6
    act(
        app,
        w.window,
        "request_correction",
        reason="照片不清晰",
        items=[
            {"code": "photo", "reason": "请上传清晰的白底照片"},
            {"code": "bank", "reason": "该银行不发行社保卡"},
        ],
    )
    app.refresh_from_db()
    notice = app.notices.get(kind=Notice.Kind.CORRECTION)
    assert [i["code"] for i in notice.items] == ["photo", "bank"]
    assert app.materials.get(code="photo").state == ApplicationMaterial.State.MISSING
    # The applicant fixes everything online; a listed answer left as it was is not a fix.
    services.material_upload(application=app, user=w.user, code="photo", upload=png())
    with pytest.raises(services.ApplicationError) as caught:
        act(app, w.user, "supply_correction")
    assert "该银行不发行社保卡" in caught.value.errors["bank"]
    assert Application.objects.get(pk=app.pk).status == Status.CORRECTION
    services.draft_save_fields(application=app, user=w.user, data={"bank": "boc"})
    act(app, w.user, "supply_correction")
    act(app, w.window, "accept")
    act(app, w.handler, "start")
    act(app, w.handler, "pass_stage")
    act(app, w.checker, "pass_stage")
    act(app, w.approver, "approve", reason="符合条件")
    app.refresh_from_db()
    assert app.status == Status.APPROVED and app.national_code == 11
    assert [e.action for e in app.events.all()] == [
        "submit",
        "request_correction",
        "supply_correction",
        "accept",
        "start",
        "pass_stage",
        "pass_stage",
        "approve",
        "delivery",
    ]
    assert app.deliveries.get().method == "electronic"  # delivered with the decision
    assert audit_chain_verify().ok
    # every timeline step, delivery included, and the consented fetch and use of the ID data
    assert len(audit_events_for(target=app)) == 11
    # Internal stage passes do not message the applicant.
    assert OutboxMessage.objects.filter(recipient=w.user, channel="inbox").count() == 6
    correction = OutboxMessage.objects.get(
        recipient=w.user, channel="inbox", template="correction_requested"
    )
    assert "请上传清晰的白底照片" in correction.body


def test_a_listed_material_the_item_asks_for_only_in_some_cases_must_be_provided_again():
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="replace")
    services.material_choose(application=app, user=w.user, code="id-card", state="shared")
    services.material_choose(
        application=app, user=w.user, code="loss-statement", state="commitment"
    )
    app = services.application_submit(application=app, user=w.user).application
    act(
        app,
        w.window,
        "request_correction",
        reason="挂失声明不完整",
        items=[{"code": "loss-statement", "reason": "请写明遗失时间"}],
    )
    with pytest.raises(services.ApplicationError) as caught:
        act(app, w.user, "supply_correction")
    assert "请写明遗失时间" in caught.value.errors["loss-statement"]
    assert Application.objects.get(pk=app.pk).status == Status.CORRECTION
    services.material_choose(
        application=app, user=w.user, code="loss-statement", state="commitment"
    )
    act(app, w.user, "supply_correction")
    assert Application.objects.get(pk=app.pk).status == Status.CORRECTED


def test_second_correction_needs_a_supervisor_with_a_reason():
    w = world()
    app = submitted(w)
    act(app, w.window, "request_correction", reason="缺材料", items=[{"code": "photo"}])
    services.material_upload(application=app, user=w.user, code="photo", upload=png())
    act(app, w.user, "supply_correction")
    with pytest.raises(services.ApplicationError) as caught:
        act(app, w.window, "request_correction", reason="再补", items=[{"code": "photo"}])
    assert caught.value.code == "one_correction"
    with pytest.raises(services.ApplicationError):
        act(app, w.supervisor, "request_correction", reason="再补", items=[{"code": "photo"}])
    app.refresh_from_db()
    assert app.status == Status.CORRECTED and app.correction_count == 1
    # A supervisor who also handles intake may override, with a reason, and it is audited.
    from onetrip.accounts.services import staff_role_grant

    staff_role_grant(user=w.supervisor, department=w.item.department, role="handler")
    with pytest.raises(services.ApplicationError) as caught:  # the supervisor is told the reason
        act(app, w.supervisor, "request_correction", reason="再补", items=[{"code": "photo"}])
    assert caught.value.code == "one_correction"
    assert "请写明同意再次补正的理由" in caught.value.message
    act(
        app,
        w.supervisor,
        "request_correction",
        reason="照片仍不合格",
        items=[{"code": "photo"}],
        override_reason="申请人上传的照片为翻拍件",
    )
    app.refresh_from_db()
    assert app.correction_count == 2
    assert app.notices.filter(kind="correction").last().override_by == w.supervisor
    assert any(e.action == "application.correction_override" for e in audit_events_for(target=app))


def test_a_correction_cannot_list_what_the_applicant_cannot_change():
    w = world()
    app = submitted(w)
    with pytest.raises(services.ApplicationError) as caught:
        act(app, w.window, "request_correction", reason="x", items=[{"code": "name"}])
    assert caught.value.code == "field_locked" and "“姓名”来自" in caught.value.message
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and not app.notices.exists()


def test_correction_must_list_real_items():
    w = world()
    app = submitted(w)
    for items in ([], [{"code": "no-such"}], None):
        with pytest.raises(services.ApplicationError):
            act(app, w.window, "request_correction", reason="x", items=items)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and not app.notices.exists()


def test_four_eyes_approver_is_not_the_handler():
    w = world()
    from onetrip.accounts.services import staff_role_grant

    for role in ("checker", "approver"):
        staff_role_grant(user=w.handler, department=w.item.department, role=role)
    app = first_stage_passed(w, w.handler)
    with pytest.raises(services.ApplicationError) as caught:
        act(app, w.handler, "pass_stage")
    assert caught.value.code == "four_eyes"
    act(app, w.checker, "pass_stage")
    with pytest.raises(services.ApplicationError) as caught:
        act(app, w.handler, "approve")
    assert caught.value.code == "four_eyes"
    act(app, w.approver, "approve")


def test_refusal_states_reasons_and_appeal_rights():
    w = world()
    app = submitted(w)
    with pytest.raises(services.ApplicationError) as caught:
        act(app, w.window, "refuse", reason="")
    assert caught.value.code == "reason_required"
    act(app, w.window, "refuse", reason="不属于本部门职权范围")
    notice = app.notices.get(kind="refusal")
    assert "不属于本部门职权范围" in notice.reason and "行政复议" in notice.reason
    # The message says so too: for someone told only by SMS it is all they get.
    told = OutboxMessage.objects.get(recipient=w.user, channel="inbox", body__contains="不予受理")
    assert "不属于本部门职权范围" in told.body and "行政复议" in told.body
    sms = OutboxMessage.objects.filter(recipient=w.user, channel="sms").latest("id")
    assert "不属于本部门职权范围" in sms.body


GENERIC_APPEAL = (
    "如不服本决定，可自收到本通知之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)


def test_the_appeal_sentence_names_where_to_appeal_when_the_department_says():
    from onetrip.catalog.models import Department

    text = services.department_appeal_text
    assert text(department=Department(name="某局")) == GENERIC_APPEAL
    assert text(department=Department(name="某局", reconsideration_body="  ")) == GENERIC_APPEAL
    assert text(department=Department(name="某局", reconsideration_body="兰州市人民政府")) == (
        "如不服本决定，可自收到本通知之日起六十日内向兰州市人民政府申请行政复议，"
        "或者在六个月内依法向人民法院提起行政诉讼。"
    )
    both = Department(
        name="某局", reconsideration_body="测试市人民政府", litigation_court="测试市某区人民法院"
    )
    assert text(department=both) == (
        "如不服本决定，可自收到本通知之日起六十日内向测试市人民政府申请行政复议，"
        "或者在六个月内向测试市某区人民法院提起行政诉讼。"
    )
    court_only = Department(name="某局", litigation_court="测试市某区人民法院")
    assert "六十日内依法申请行政复议" in text(department=court_only)
    assert "六个月内向测试市某区人民法院提起行政诉讼" in text(department=court_only)


def test_a_refusal_of_a_shipped_item_names_the_city_government():
    from django.core.management import call_command

    from onetrip.applications.tests.factories import ID_A, applicant, shipped_submitted, staff
    from onetrip.catalog.models import Department

    call_command("load_catalogue", verbosity=0)
    user, _person = applicant("13900000001", ID_A, "张三")
    app = shipped_submitted(user)
    assert app.department.code == "lz-sbzx"
    window = staff("window1", Department.objects.get(code="lz-rsj"), "window")
    act(app, window, "refuse", reason="已在其他统筹地区参加城乡居民养老保险")
    where = "六十日内向兰州市人民政府申请行政复议"
    notice = app.notices.get(kind="refusal")
    assert where in notice.reason and "六个月内依法向人民法院提起行政诉讼" in notice.reason
    told = OutboxMessage.objects.get(recipient=user, channel="inbox", body__contains="不予受理")
    assert where in told.body
    sms = OutboxMessage.objects.filter(recipient=user, channel="sms").latest("id")
    assert where in sms.body


def test_without_appeal_bodies_the_notice_keeps_the_generic_wording_as_issued():
    w = world()
    app = submitted(w)
    act(app, w.window, "refuse", reason="不属于本部门职权范围")
    notice = app.notices.get(kind="refusal")
    assert notice.reason == f"不属于本部门职权范围\n{GENERIC_APPEAL}"
    told = OutboxMessage.objects.get(recipient=w.user, channel="inbox", body__contains="不予受理")
    assert GENERIC_APPEAL in told.body
    # Naming the body later changes what the applicant is told now, not the notice issued.
    w.item.department.reconsideration_body = "测试市人民政府"
    w.item.department.save()
    app = Application.objects.get(pk=app.pk)
    assert "向测试市人民政府申请行政复议" in services.next_step_text(app)
    assert Notice.objects.get(pk=notice.pk).reason == f"不属于本部门职权范围\n{GENERIC_APPEAL}"


def test_deficiency_acceptance_only_for_non_key_materials():
    w = world()
    app = complete_draft(w)
    with pytest.raises(services.ApplicationError):
        services.material_choose(application=app, user=w.user, code="id-card", state="deficient")
    services.material_choose(application=app, user=w.user, code="photo", state="deficient")
    services.application_submit(application=app, user=w.user)
    with pytest.raises(services.ApplicationError) as caught:
        act(app, w.window, "accept")
    assert caught.value.code == "deficient"
    with pytest.raises(services.ApplicationError):
        act(app, w.window, "accept_deficient", due=dt.date(2000, 1, 1))
    # At most the promised limit, counted on the working-day calendar.
    from onetrip.core.calendar import working_days_add

    version = app.version
    today = timezone.localdate()
    limit = max(version.promised_limit, 1)
    latest = (
        today + dt.timedelta(days=limit)
        if version.promised_limit_unit == "calendar"
        else working_days_add(today, limit)
    )
    with pytest.raises(services.ApplicationError) as caught:
        act(app, w.window, "accept_deficient", due=latest + dt.timedelta(days=1))
    assert f"最迟 {latest:%Y-%m-%d}" in caught.value.message
    due = dt.date.today() + dt.timedelta(days=1)
    act(app, w.window, "accept_deficient", due=due)
    app.refresh_from_db()
    assert app.deficiency_due == due
    act(app, w.handler, "start")
    act(app, w.handler, "pass_stage")
    act(app, w.checker, "pass_stage")
    act(app, w.approver, "approve")
    app.refresh_from_db()
    assert app.status == Status.APPROVED_DEFICIENT and app.national_code == 12


def test_special_procedure_pause_and_resume():
    w = world()
    app = submitted(w)
    act(app, w.window, "accept")
    act(app, w.handler, "start")
    act(app, w.handler, "pause", reason="委托鉴定")
    app.refresh_from_db()
    assert app.status == Status.SPECIAL and app.national_code == 9
    act(app, w.handler, "resume", reason="鉴定结论已出")
    assert Application.objects.get(pk=app.pk).status == Status.HANDLING


def test_withdraw_before_decision_only():
    w = world()
    app = submitted(w)
    act(app, w.user, "withdraw")
    assert Application.objects.get(pk=app.pk).status == Status.WITHDRAWN
    with pytest.raises(services.ApplicationError):
        act(app, w.user, "withdraw")


def test_visits_over_the_promise_need_a_reason_and_are_flagged():
    w = world(visits_required=0, online_depth=4)
    app = submitted(w)
    with pytest.raises(services.ApplicationError) as caught:
        services.visit_record(
            application=app, officer=w.window, reason="核验原件", place="一号窗口"
        )
    assert caught.value.code == "over_promise_reason_required"
    visit = services.visit_record(
        application=app,
        officer=w.window,
        reason="核验原件",
        place="一号窗口",
        over_promise_reason="申请人要求现场办理",
    )
    assert visit.over_promise and app.visits.count() == 1


def test_submission_is_idempotent():
    w = world()
    app = complete_draft(w)
    first = services.application_submit(application=app, user=w.user, idempotency_key="k1")
    again = services.application_submit(application=app, user=w.user, idempotency_key="k1")
    twice = services.application_submit(application=app, user=w.user)
    assert first.created and not again.created and not twice.created
    assert again.application.pk == first.application.pk
    assert Application.objects.exclude(status="draft").count() == 1
    assert app.events.filter(action="submit").count() == 1


def test_incomplete_submission_lists_everything_and_writes_nothing():
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    with pytest.raises(services.ApplicationError) as caught:
        services.application_submit(application=app, user=w.user)
    assert {"bank", "photo"} <= set(caught.value.errors)
    app.refresh_from_db()
    assert app.status == Status.DRAFT and app.tracking_number is None


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "x" * 31}, "name"),
        ({"bank": "swiss"}, "bank"),
        ({"copies": "2.5"}, "copies"),
        ({"copies": "-1"}, "copies"),
        ({"status": "approved"}, "status"),
    ],
)
def test_bad_field_values_are_refused(data, field):
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    with pytest.raises(services.ApplicationError) as caught:
        services.draft_save_fields(application=app, user=w.user, data=data)
    assert field in caught.value.errors
    app.refresh_from_db()
    assert app.data == {"name": "张三"} and app.status == Status.DRAFT  # only the prefill


@pytest.mark.parametrize(
    "upload, code",
    [
        (SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf"), "file_type"),
        (SimpleUploadedFile("empty.png", b""), "file_empty"),
        (SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024)), "file_too_large"),
    ],
)
def test_bad_uploads_are_refused(upload, code):
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    with pytest.raises(services.ApplicationError) as caught:
        services.material_upload(application=app, user=w.user, code="photo", upload=upload)
    assert caught.value.code == code
    assert app.materials.get(code="photo").file is None


def test_a_pdf_named_png_is_stored_as_pdf():
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    m = services.material_upload(
        application=app, user=w.user, code="photo", upload=SimpleUploadedFile("scan.png", PDF)
    )
    assert m.file.content_type == "application/pdf" and m.file.storage_name.endswith(".pdf")


def test_other_people_cannot_touch_an_application():
    w = world()
    app = submitted(w)
    for user in (w.other_user, w.outsider):
        with pytest.raises(services.ApplicationError) as caught:
            act(app, user, "withdraw")
        assert caught.value.status == 404
        assert not services.can_view(user=user, application=app)
    with pytest.raises(services.ApplicationError) as caught:
        act(app, w.user, "accept")
    assert caught.value.status == 403


def test_agent_applies_for_someone_only_under_a_valid_authorisation():
    from onetrip.accounts.services import authorisation_grant
    from onetrip.applications.selectors import applications_for_applicant

    w = world()
    principal = w.other_user.person
    with pytest.raises(services.ApplicationError) as caught:
        services.draft_create(
            user=w.user, item=w.item, situation="first", applicant_person=principal
        )
    assert caught.value.code == "no_authorisation"
    today = dt.date.today()
    grant = authorisation_grant(
        agent=w.person,
        principal_person=principal,
        item_codes=[w.item.code],
        valid_from=today,
        valid_until=today + dt.timedelta(days=30),
    )
    app = services.draft_create(
        user=w.user, item=w.item, situation="first", applicant_person=principal
    )
    assert app.agent == w.person and app.applicant_person == principal
    assert "applicant" in services.actor_roles(user=w.user, application=app)
    submitted_app = services.application_submit(
        application=complete_draft_for(app, w), user=w.user
    ).application
    assert submitted_app in applications_for_applicant(user=w.other_user)
    assert submitted_app in applications_for_applicant(user=w.user)  # the agent, in force
    # The apply page offers the principal only where the item serves people.
    from onetrip.applications.selectors import principals_for_agent

    offered = principals_for_agent(user=w.user, item_code=w.item.code)
    assert [p["name"] for p in offered] == [principal.real_name]
    assert principals_for_agent(user=w.user, item_code=w.item.code, persons=False) == []
    # Expired or out-of-scope grants do not count.
    grant.valid_until = today - dt.timedelta(days=1)
    grant.save()
    with pytest.raises(services.ApplicationError):
        services.draft_create(
            user=w.user, item=w.item, situation="first", applicant_person=principal
        )
    # Once the 委托 has ended, the agent no longer sees the principal's applications listed.
    assert submitted_app not in applications_for_applicant(user=w.user)
    assert submitted_app in applications_for_applicant(user=w.other_user)


def complete_draft_for(app, w):
    services.draft_save_fields(application=app, user=w.user, data={"name": "李四", "bank": "icbc"})
    services.material_upload(application=app, user=w.user, code="photo", upload=png())
    # The ID data is shared only once fetched from 公安 with consent (the agent's choice).
    services.material_choose(application=app, user=w.user, code="id-card", state="shared")
    return app


def test_identity_fields_are_prefilled_from_the_real_name_record():
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    assert app.data == {"name": "张三"}  # the factory item's name field has prefill identity.name


def test_revocation_is_a_written_decision_with_appeal_rights():
    w = world()
    app = submitted(w)
    for user, action in [
        (w.window, "accept"),
        (w.handler, "start"),
        (w.handler, "pass_stage"),
        (w.checker, "pass_stage"),
        (w.approver, "approve"),
    ]:
        act(app, user, action)
    with pytest.raises(services.ApplicationError):
        act(app, w.supervisor, "revoke", reason="")
    act(app, w.supervisor, "revoke", reason="核查发现告知承诺不实")
    notice = app.notices.get(kind="revocation")
    assert "告知承诺不实" in notice.reason and "行政复议" in notice.reason
    assert Application.objects.get(pk=app.pk).national_code == 15


def test_resuming_a_special_procedure_needs_a_reason():
    w = world()
    app = submitted(w)
    act(app, w.window, "accept")
    act(app, w.handler, "start")
    act(app, w.handler, "pause", reason="委托鉴定")
    with pytest.raises(services.ApplicationError) as caught:
        act(app, w.handler, "resume")
    assert caught.value.code == "reason_required"
    act(app, w.handler, "resume", reason="鉴定结论已出")


def test_correction_notice_gives_the_applicant_a_date():
    w = world()
    app = submitted(w)
    act(app, w.window, "request_correction", reason="缺材料", items=[{"code": "photo"}])
    notice = app.notices.get(kind="correction")
    assert notice.due == services.correction_due_default(timezone.localdate(notice.issued_at))
    app.refresh_from_db()
    assert notice.due.isoformat() in services.next_step_text(app)
    message = OutboxMessage.objects.get(
        recipient=w.user, channel="inbox", template="correction_requested"
    )
    assert f"{notice.due:%Y年%m月%d日}" in message.body


def test_officer_may_set_the_correction_date_within_a_year():
    w = world()
    app = submitted(w)
    for bad in (dt.date.today(), dt.date.today() + dt.timedelta(days=400)):
        with pytest.raises(services.ApplicationError) as caught:
            act(
                app, w.window, "request_correction", reason="缺", items=[{"code": "photo"}], due=bad
            )
        assert caught.value.field == "due"
        app.refresh_from_db()
        assert app.status == Status.SUBMITTED and not app.notices.exists()
    due = dt.date.today() + dt.timedelta(days=10)
    act(app, w.window, "request_correction", reason="缺", items=[{"code": "photo"}], due=due)
    assert app.notices.get(kind="correction").due == due


def test_unanswered_correction_is_closed_only_after_its_date():
    import time_machine

    w = world()
    app = submitted(w)
    due = dt.date.today() + dt.timedelta(days=3)
    act(app, w.window, "request_correction", reason="缺材料", items=[{"code": "photo"}], due=due)
    assert "close_uncorrected" not in services.allowed_actions(user=w.window, application=app)
    with pytest.raises(services.ApplicationError) as caught:
        act(app, w.window, "close_uncorrected")
    assert caught.value.code == "correction_not_due" and caught.value.status == 409
    app.refresh_from_db()
    assert app.status == Status.CORRECTION and not app.notices.filter(kind="refusal").exists()

    with time_machine.travel(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(10))):
        assert "close_uncorrected" in services.allowed_actions(user=w.window, application=app)
        assert "close_uncorrected" not in services.allowed_actions(user=w.user, application=app)
        act(app, w.window, "close_uncorrected")
    app.refresh_from_db()
    assert app.status == Status.CORRECTION_EXPIRED and app.decided_at is not None
    refusal = app.notices.get(kind="refusal")
    correction = app.notices.get(kind="correction")
    assert correction.number in refusal.reason and "行政复议" in refusal.reason
    assert app.events.last().action == "close_uncorrected"
    assert OutboxMessage.objects.filter(recipient=w.user, body__contains="驳回").exists()
    assert any(e.action == "application.close_uncorrected" for e in audit_events_for(target=app))
    # Closed is closed: the applicant can no longer answer the notice.
    with pytest.raises(services.ApplicationError) as caught:
        act(app, w.user, "supply_correction")
    assert caught.value.code == "transition_not_allowed"
    assert audit_chain_verify().ok


def test_a_correction_notice_without_a_date_counts_the_default_period():
    import time_machine

    w = world()
    app = submitted(w)
    act(app, w.window, "request_correction", reason="缺材料", items=[{"code": "photo"}])
    Notice.objects.filter(application=app).update(due=None)  # issued before notices had dates
    notice = app.notices.get(kind="correction")
    due = services.correction_answer_due(notice)
    assert due == services.correction_due_default(timezone.localdate(notice.issued_at))
    with pytest.raises(services.ApplicationError):
        act(app, w.window, "close_uncorrected")
    with time_machine.travel(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(10))):
        act(app, w.window, "close_uncorrected")
    app.refresh_from_db()
    assert app.status == Status.CORRECTION_EXPIRED


def test_typed_reasons_must_show_something_and_fit_where_they_are_kept():
    w = world()
    app = submitted(w)
    act(app, w.window, "accept")
    act(app, w.handler, "start")
    for reason in ("\u200b", " \u3000 ", "\u200b\u200d"):  # nothing a reader would see
        with pytest.raises(services.ApplicationError) as caught:
            act(app, w.handler, "pause", reason=reason)
        assert caught.value.code == "reason_required"
    with pytest.raises(services.ApplicationError) as caught:
        act(app, w.handler, "pause", reason="专" * 201)  # the clock keeps 200 characters
    assert caught.value.code == "too_long" and caught.value.field == "reason"
    assert Application.objects.get(pk=app.pk).status == Status.HANDLING
    assert not app.clock_pauses.exists()
    act(app, w.handler, "pause", reason="专" * 200)
    with pytest.raises(services.ApplicationError) as caught:
        services.application_assign(
            application=app, officer=w.handler, assignee=w.handler.pk, note="说" * 201
        )
    assert caught.value.code == "too_long" and caught.value.field == "note"


def test_a_second_correction_needs_a_reason_a_reader_can_see():
    w = world()
    app = submitted(w)
    act(app, w.window, "request_correction", reason="缺照片", items=[{"code": "photo"}])
    services.material_upload(application=app, user=w.user, code="photo", upload=png())
    act(app, w.user, "supply_correction")
    for override in ("", "\u200b", "\u2060 "):
        with pytest.raises(services.ApplicationError) as caught:
            act(
                app,
                w.supervisor,
                "request_correction",
                reason="再补",
                items=[{"code": "photo"}],
                override_reason=override,
            )
        assert caught.value.code == "one_correction"
    assert app.notices.filter(kind=Notice.Kind.CORRECTION).count() == 1


def test_a_downloaded_file_is_named_as_what_its_content_is():
    from onetrip.applications.downloads import name_for_type

    assert name_for_type("x.html", "application/pdf") == "x.html.pdf"
    assert name_for_type("scan.PDF", "application/pdf") == "scan.PDF"
    assert name_for_type("photo.jpeg", "image/jpeg") == "photo.jpeg"
    assert name_for_type("photo", "image/png") == "photo.png"
    # Stored that way too, whatever name the upload came with.
    w = world()
    app = complete_draft(w)
    upload = SimpleUploadedFile("invoice.html", PDF)
    m = services.material_upload(application=app, user=w.user, code="photo", upload=upload)
    assert m.file.original_name == "invoice.html.pdf"


def test_an_enterprise_code_an_officer_accepted_passes_the_form_it_prefills():
    from onetrip.accounts.services import enterprise_register
    from onetrip.catalog.tests.factories import item_doc

    field = {
        **item_doc()["form_fields"][0],
        "code": "credit_code",
        "label": "统一社会信用代码",
        "field_type": "credit_code",
        "prefill": "business_licence.credit_code",
        "max_length": None,
    }
    w = world(serves_enterprises=True, form_fields=[field])
    code = "91620100MA71234567"  # an early pilot code whose check digit fails
    firm = enterprise_register(
        name="某试点公司", credit_code=code, override_reason="早期试点代码", officer=w.window
    )
    app = services.draft_create(
        user=w.window, item=w.item, situation="first", applicant_enterprise=firm, channel="window"
    )
    assert app.data == {"credit_code": code}
    services.draft_save_fields(application=app, user=w.window, data={"credit_code": code})
    with pytest.raises(services.ApplicationError) as caught:  # materials are still missing
        services.application_submit(application=app, user=w.window, at_window=True)
    assert caught.value.code == "incomplete" and "credit_code" not in caught.value.errors
    # Another code typed in its place is not the enterprise's: refused, nothing saved.
    with pytest.raises(services.ApplicationError) as caught:
        services.draft_save_fields(
            application=app, user=w.window, data={"credit_code": "91620100MA71234568"}
        )
    assert "credit_code" in caught.value.errors
    assert Application.objects.get(pk=app.pk).data == {"credit_code": code}


def test_a_denial_message_gives_the_grounds_and_the_appeal_rights():
    w = world()
    app = submitted(w)
    act(app, w.window, "accept")
    act(app, w.handler, "start")
    act(app, w.handler, "pass_stage")
    act(app, w.checker, "pass_stage")
    act(app, w.approver, "deny", reason="缴费未满一年")
    told = OutboxMessage.objects.filter(
        recipient=w.user, channel="inbox", template="decision_made"
    ).get()
    assert "缴费未满一年" in told.body and "行政复议" in told.body and "行政诉讼" in told.body


def test_someone_registered_at_a_window_without_an_account_gets_sms_that_say_it_all():
    from onetrip.accounts.services import person_register

    w = world()
    walk_in = person_register(
        real_name="王五", id_number="110101198505051238", phone="13912340000", created_by=w.window
    )

    def taken_in() -> Application:
        app = services.draft_create(
            user=w.window,
            item=w.item,
            situation="first",
            applicant_person=walk_in,
            channel="window",
        )
        services.draft_save_fields(
            application=app, user=w.window, data={"name": "王五", "bank": "icbc"}
        )
        for m in app.materials.all():
            services.material_choose(
                application=app, user=w.window, code=m.code, state="original_checked"
            )
        return services.application_submit(
            application=app, user=w.window, at_window=True
        ).application

    def sms() -> str:
        return OutboxMessage.objects.filter(channel="sms").latest("id").body

    act(taken_in(), w.window, "refuse", reason="不属于本部门职权范围")
    text = sms()
    assert "不属于本部门职权范围" in text and "到办理窗口领取" in text and "行政复议" in text
    assert "我的办件" not in text and "登录" not in text
    app = taken_in()

    act(app, w.window, "request_correction", reason="照片不合格", items=[{"code": "photo"}])
    text = sms()
    assert "到任一服务窗口补正：近期免冠照片。" in text and "登录" not in text
    services.material_upload(application=app, user=w.window, code="photo", upload=png())
    act(app, w.window, "supply_correction")
    act(app, w.window, "accept")
    act(app, w.handler, "start")
    act(app, w.handler, "pass_stage")
    act(app, w.checker, "pass_stage")
    act(app, w.approver, "deny", reason="缴费未满一年")
    text = sms()
    assert "已作出决定" in text and "（理由：缴费未满一年）" in text and "行政复议" in text
    assert "决定书按您选择的方式送达" in text and "登录" not in text
    assert (
        not OutboxMessage.objects.filter(channel="inbox").exclude(template="card_raised").exists()
    )


def test_an_item_whose_law_gives_another_remedy_states_that_one():
    court = "对仲裁委员会不予受理的，申请人可以就该劳动争议事项向人民法院提起诉讼。"
    w = world(remedy=court)
    app = submitted(w)
    act(app, w.window, "refuse", reason="不属于劳动争议")
    notice = app.notices.get(kind="refusal")
    assert notice.reason == f"不属于劳动争议\n{court}" and "行政复议" not in notice.reason
    sms = OutboxMessage.objects.filter(recipient=w.user, channel="sms").latest("id")
    assert "向人民法院提起诉讼" in sms.body and "行政复议" not in sms.body


def test_a_version_published_before_the_remedy_field_keeps_its_digest():
    from onetrip.catalog.documents import content_digest
    from onetrip.catalog.tests.factories import item_doc

    before = item_doc()
    before.pop("remedy", None)
    assert content_digest({**before, "remedy": ""}) == content_digest(before)
    assert content_digest({**before, "remedy": "向人民法院起诉"}) != content_digest(before)


def test_a_material_no_longer_says_it_was_shared_once_it_is_given_another_way():
    """The officer's row said 共享获取（请求号…） beside 已上传 or 未提供 after the applicant
    uploaded a scan instead, or after a correction asked for the material again."""
    w = world()
    app = complete_draft(w)
    shared = {"state": ApplicationMaterial.State.SHARED, "note": "由公安局共享获取（请求号 r1）"}
    app.materials.filter(code="photo").update(**shared)
    services.material_upload(application=app, user=w.user, code="photo", upload=png())
    assert app.materials.get(code="photo").note == ""
    app.materials.filter(code="id-card").update(**shared)
    services.material_choose(application=app, user=w.user, code="id-card", state="missing")
    assert app.materials.get(code="id-card").note == ""
    services.material_choose(application=app, user=w.user, code="id-card", state="shared")
    app = services.application_submit(application=app, user=w.user).application
    app.materials.filter(code="id-card").update(note=shared["note"])
    act(app, w.window, "request_correction", reason="证件需重新核验", items=[{"code": "id-card"}])
    material = app.materials.get(code="id-card")
    assert material.state == ApplicationMaterial.State.MISSING and material.note == ""
