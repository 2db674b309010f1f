"""Applying online as a person: the pages, one correction, the decision, and privacy."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from onetrip.applications import services
from onetrip.applications.models import Application, Notice
from onetrip.applications.tests.factories import (
    PDF,
    bank_questioned,
    complete_draft,
    png,
    submitted,
    world,
)
from onetrip.applications.workflow import Status

pytestmark = pytest.mark.django_db


def test_apply_online_with_one_correction(client):
    w = world()
    client.force_login(w.user)
    r = client.post(f"/apply/{w.item.code}/", {"situation": "first"})
    draft = Application.objects.get(owner=w.user)
    # The ID card can come from 公安: consent and preview first (the applicant skips it here).
    assert r["Location"] == f"/drafts/{draft.pk}/sharing/"
    # Bad values are explained and nothing is saved.
    r = client.post(f"/drafts/{draft.pk}/fields/", {"name": "", "bank": "nowhere", "copies": "x"})
    html = r.content.decode()
    assert "请修改以下问题" in html and "请从给出的选项中选择" in html and "请填写数字" in html
    assert Application.objects.get(pk=draft.pk).data == {"name": "张三"}  # prefill only
    r = client.post(f"/drafts/{draft.pk}/fields/", {"name": "张三", "bank": "icbc", "copies": "1"})
    assert r["Location"] == f"/drafts/{draft.pk}/materials/"
    client.post(f"/drafts/{draft.pk}/materials/", {"code": "id-card", "choice": "shared"})
    r = client.post(
        f"/drafts/{draft.pk}/materials/", {"code": "photo", "choice": "upload", "file": png()}
    )
    assert r.status_code == 302
    r = client.post(
        f"/drafts/{draft.pk}/check/",
        {"token": f"draft-{draft.pk}", "delivery_method": "electronic"},
    )
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    page = client.get(r["Location"]).content.decode()
    assert draft.tracking_number in page and draft.query_code in page and "申请已提交" in page
    # Double submission (a second click) changes nothing.
    client.post(f"/drafts/{draft.pk}/check/", {"token": f"draft-{draft.pk}"})
    assert Application.objects.filter(owner=w.user).count() == 1

    services.application_act(
        application=draft,
        user=w.window,
        action="request_correction",
        reason="照片不合格",
        items=[{"code": "photo", "reason": "请上传白底照片"}],
    )
    page = client.get(f"/me/applications/{draft.tracking_number}/").content.decode()
    assert "请一次性补正以下内容" in page and "请上传白底照片" in page
    due = draft.notices.get(kind="correction").due
    assert f"请于 {due:%Y-%m-%d} 前补正；逾期未补正的，申请将被驳回。" in page
    r = client.post(f"/me/applications/{draft.tracking_number}/", {"action": "supply_correction"})
    assert r.status_code == 400 and "补正还不完整" in r.content.decode()
    # What is still missing is listed one item a line, as the notice listed it.
    assert "<li>" in r.content.decode().split("操作未完成")[1].split("</div>")[0]
    assert "。；" not in r.content.decode()
    materials = client.get(f"/drafts/{draft.pk}/materials/").content.decode()
    assert 'data-state="correction"' in materials and "补正理由：请上传白底照片" in materials
    client.post(
        f"/drafts/{draft.pk}/materials/", {"code": "photo", "choice": "upload", "file": png()}
    )
    materials = client.get(f"/drafts/{draft.pk}/materials/").content.decode()
    assert 'data-state="correction"' not in materials  # provided again
    page = client.get(f"/me/applications/{draft.tracking_number}/").content.decode()
    assert "data-done" in page and "已处理" in page  # the task list ticks it off
    client.post(f"/me/applications/{draft.tracking_number}/", {"action": "supply_correction"})
    draft.refresh_from_db()
    assert draft.status == Status.CORRECTED

    for user, action in [
        (w.window, "accept"),
        (w.handler, "start"),
        (w.handler, "pass_stage"),
        (w.checker, "pass_stage"),
        (w.approver, "approve"),
    ]:
        services.application_act(application=draft, user=user, action=action)
    page = client.get(f"/me/applications/{draft.tracking_number}/").content.decode()
    assert "已办结，准予办理" in page and "data-visits>0 /" in page
    # The inbox got every step.
    from onetrip.notifications.services import outbox_deliver_due

    assert outbox_deliver_due() >= 9  # the worker's pass: one inbox message per step
    inbox = client.get("/me/inbox/").content.decode()
    assert "需要补正：社会保障卡申领" in inbox and "办理结果：社会保障卡申领" in inbox


def test_public_progress_lookup_needs_the_query_code(client):
    w = world()
    app = submitted(w)
    ok = client.get("/track/", {"number": app.tracking_number, "code": app.query_code})
    assert "已提交，等待工作人员受理" in ok.content.decode()
    assert w.person.real_name not in ok.content.decode()
    wrong = client.get(
        "/track/",
        {
            "number": app.tracking_number,
            "code": "000000" if app.query_code != "000000" else "111111",
        },
    )
    assert "不正确" in wrong.content.decode()
    # The page's form posts: the code stays out of the address.
    page = client.get("/track/").content.decode()
    assert '<form method="post">' in page
    posted = Client(enforce_csrf_checks=True).post(  # a read: no cookie needed
        "/track/", {"number": app.tracking_number, "code": app.query_code}
    )
    assert "已提交，等待工作人员受理" in posted.content.decode()


def test_another_applicant_sees_nothing(client):
    w = world()
    app = services.application_submit(application=complete_draft(w), user=w.user).application
    services.application_act(application=app, user=w.window, action="accept")
    file_id = app.materials.get(code="photo").file_id
    notice = app.notices.get()
    client.force_login(w.other_user)
    for url in [
        f"/me/applications/{app.tracking_number}/",
        f"/drafts/{app.pk}/fields/",
        f"/drafts/{app.pk}/materials/",
        f"/files/{file_id}/",
        f"/notices/{notice.number}/",
    ]:
        assert client.get(url).status_code == 404, url
    r = client.post(f"/me/applications/{app.tracking_number}/", {"action": "withdraw"})
    assert r.status_code == 404
    assert Application.objects.get(pk=app.pk).status == Status.ACCEPTED
    assert app.tracking_number not in client.get("/me/").content.decode()


def test_withdrawing_needs_a_ticked_confirmation(client):
    w = world()
    app = services.application_submit(application=complete_draft(w), user=w.user).application
    client.force_login(w.user)
    url = f"/me/applications/{app.tracking_number}/"
    assert 'name="confirm_withdraw"' in client.get(url).content.decode()
    r = client.post(url, {"action": "withdraw"})
    assert r.status_code == 400 and "请勾选确认后再撤回申请" in r.content.decode()
    assert Application.objects.get(pk=app.pk).status == Status.SUBMITTED
    r = client.post(url, {"action": "withdraw", "confirm_withdraw": "1"})
    assert r.status_code == 302
    assert Application.objects.get(pk=app.pk).status == Status.WITHDRAWN


def test_an_empty_progress_lookup_says_what_is_missing(client):
    r = client.post("/track/", {"number": "", "code": ""})
    assert "请填写申办流水号和查询码" in r.content.decode()


def test_owner_downloads_their_file_as_attachment(client):
    w = world()
    app = complete_draft(w)
    from django.core.files.uploadedfile import SimpleUploadedFile

    m = services.material_upload(
        application=app, user=w.user, code="photo", upload=SimpleUploadedFile("<script>.png", PDF)
    )
    client.force_login(w.user)
    r = client.get(f"/files/{m.file_id}/")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert r["Content-Type"] == "application/pdf" and r["X-Content-Type-Options"] == "nosniff"
    # Named as what it is: a PDF called .png is saved as .png.pdf and opens as a PDF.
    assert '.png.pdf"' in r["Content-Disposition"]
    # A stored file lost from disk is "not found", not a server error.
    from django.core.files.storage import default_storage

    from onetrip.applications.models import StoredFile

    default_storage.delete(StoredFile.objects.get(pk=m.file_id).storage_name)
    r = client.get(f"/files/{m.file_id}/")
    assert r.status_code == 404


def test_anonymous_applying_is_sent_to_login(client):
    w = world()
    r = client.get(f"/apply/{w.item.code}/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_disguised_upload_is_refused_on_the_page(client):
    w = world()
    client.force_login(w.user)
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(
        f"/drafts/{app.pk}/materials/",
        {
            "code": "photo",
            "choice": "upload",
            "file": SimpleUploadedFile("photo.png", b"MZ\x90\x00\x03 windows exe"),
        },
    )
    assert "只接受 PDF、JPG 或 PNG" in r.content.decode()
    assert app.materials.get(code="photo").file is None


def test_a_conditionally_required_field_says_when_and_is_enforced(client):
    from onetrip.catalog.tests.factories import delivery_fields, item_doc

    fields = item_doc()["form_fields"] + delivery_fields()
    w = world(form_fields=fields)
    app = complete_draft(w)
    client.force_login(w.user)
    page = client.get(f"/drafts/{app.pk}/fields/").content.decode()
    assert "邮寄地址 （选择“邮寄到家”时必填）" in page
    services.draft_save_fields(application=app, user=w.user, data={"delivery": "post"})
    with pytest.raises(services.ApplicationError) as refused:
        services.application_submit(application=app, user=w.user)
    assert refused.value.errors.get("mail_address") == "请填写邮寄地址。"
    services.draft_save_fields(application=app, user=w.user, data={"delivery": "pickup"})
    assert services.application_submit(application=app, user=w.user).created


def test_choosing_window_pickup_says_it_costs_a_trip_over_the_promise(client):
    w = world()  # a zero-visit item
    app = complete_draft(w)
    client.force_login(w.user)
    page = client.get(f"/drafts/{app.pk}/check/").content.decode()
    assert "data-pickup-hint" in page and "超出本事项“最多跑 0 次”的承诺" in page
    assert "选择电子送达或邮寄则不必再跑" in page


def test_no_pickup_warning_when_the_promised_trip_covers_it(client):
    w = world(visits_required=1, visits_reason="需现场采集人像", online_depth=3)
    app = complete_draft(w)
    client.force_login(w.user)
    page = client.get(f"/drafts/{app.pk}/check/").content.decode()
    assert "data-pickup-hint" not in page


def test_saving_a_form_with_required_answers_missing_says_how_many_remain(client):
    w = world()
    app = services.draft_create(user=w.user, item=w.item, situation="first")
    client.force_login(w.user)
    r = client.post(f"/drafts/{app.pk}/fields/", {"name": "张三"}, follow=True)
    page = r.content.decode()
    assert "已保存。还有 1 项必填内容没有填写，提交前需要补齐。" in page
    r = client.post(
        f"/drafts/{app.pk}/fields/", {"name": "张三", "bank": "icbc", "copies": "1"}, follow=True
    )
    assert "必填内容没有填写" not in r.content.decode()


def test_an_emptied_answer_is_not_a_correction_done(client):
    w = world()
    app = bank_questioned(w)
    data = {**app.data}
    data.pop("bank")
    app.data = data
    app.save(update_fields=["data"])
    assert [i["done"] for i in services.correction_items(app)] == [False]
    app.data = {**data, "bank": "boc"}
    app.save(update_fields=["data"])
    assert [i["done"] for i in services.correction_items(app)] == [True]


def test_an_answer_the_notice_questioned_can_be_confirmed_unchanged(client):
    """The officer doubted 发卡银行; it was right. The applicant confirms it as it is instead
    of having to change it to get through, and the officer reads the confirmation."""
    w = world()
    app = bank_questioned(w)
    client.force_login(w.user)
    url = f"/me/applications/{app.tracking_number}/"
    page = client.get(url).content.decode()
    assert 'name="confirm" value="bank"' in page and "原填写无误" in page
    refused = client.post(url, {"action": "supply_correction"})
    assert refused.status_code == 400 and "请按补正通知修改" in refused.content.decode()
    bad = client.post(url, {"action": "supply_correction", "confirm": ["photo"]})
    assert bad.status_code == 400 and "只能确认补正通知所列的填写项目" in bad.content.decode()
    app.refresh_from_db()
    assert app.status == "correction"
    r = client.post(url, {"action": "supply_correction", "confirm": ["bank"]})
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.status == "corrected" and app.data["bank"] == "icbc"
    step = app.events.get(action="supply_correction")
    assert "申请人确认以下填写无误，未作修改：发卡银行" in step.note
    staff_view = APIClient()
    staff_view.force_authenticate(w.window)
    notes = [e["note"] for e in staff_view.get(f"/api/v1/applications/{app.pk}/").json()["events"]]
    assert any("未作修改：发卡银行" in n for n in notes)


def _start_token(page: str) -> str:
    return re.search(r'name="start_token" value="([^"]+)"', page).group(1)


def test_starting_twice_from_one_page_opens_one_draft(client):
    """A double click on 继续, or Back and send again, opens the draft the first one made."""
    w = world()
    client.force_login(w.user)
    token = _start_token(client.get(f"/apply/{w.item.code}/").content.decode())
    first = client.post(f"/apply/{w.item.code}/", {"situation": "first", "start_token": token})
    again = client.post(f"/apply/{w.item.code}/", {"situation": "first", "start_token": token})
    draft = Application.objects.get(owner=w.user)
    assert first["Location"] == f"/drafts/{draft.pk}/sharing/"
    assert again["Location"] == f"/drafts/{draft.pk}/fields/"


def test_a_start_sent_again_with_another_choice_or_after_a_refusal_is_a_new_start(client):
    w = world()
    client.force_login(w.user)
    token = _start_token(client.get(f"/apply/{w.item.code}/").content.decode())
    url = f"/apply/{w.item.code}/"
    refused = client.post(url, {"start_token": token})  # no situation: nothing made
    assert refused.status_code == 200 and not Application.objects.exists()
    assert client.post(url, {"situation": "first", "start_token": token}).status_code == 302
    # Back, another situation, sent again: that is what the applicant now asks for.
    client.post(url, {"situation": "replace", "start_token": token})
    assert sorted(Application.objects.values_list("situation", flat=True)) == ["first", "replace"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_start_makes_one_draft_even_when_the_two_overlap(monkeypatch):
    """Two sendings of one start form at the same moment: the second waits for the draft
    the first is making and opens it."""
    import threading

    from django.db import connection

    w = world()
    token = "same-form"
    together = threading.Barrier(2, timeout=2)
    create = services.draft_create

    def held_create(**kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            together.wait()  # both would be here at once without the guard
        return create(**kwargs)

    monkeypatch.setattr(services, "draft_create", held_create)
    answers: list[str] = []

    def send():
        c = Client()
        c.force_login(w.user)
        try:
            r = c.post(f"/apply/{w.item.code}/", {"situation": "first", "start_token": token})
            answers.append(r["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    draft = Application.objects.get()
    assert sorted(answers) == [f"/drafts/{draft.pk}/fields/", f"/drafts/{draft.pk}/sharing/"]


def test_an_item_for_enterprises_only_says_so_before_a_person_chooses_anything(client):
    w = world(serves_persons=False, serves_enterprises=True)
    client.force_login(w.user)
    page = client.get(f"/apply/{w.item.code}/").content.decode()
    assert "该事项只受理单位（法人）申请，不能以个人身份申请。" in page
    assert 'name="start_token"' not in page  # nothing to choose
    r = client.post(f"/apply/{w.item.code}/", {"situation": "first"})
    assert r.status_code == 200 and not Application.objects.exists()


def test_the_start_page_offers_the_drafts_already_started(client):
    w = world()
    mine = services.draft_create(user=w.user, item=w.item, situation="first")
    services.draft_create(user=w.other_user, item=w.item, situation="first")  # not shown
    client.force_login(w.user)
    page = client.get(f"/apply/{w.item.code}/").content.decode()
    assert "您已有 1 份未提交的草稿" in page and "张三 · 首次申领" in page
    assert f'href="/drafts/{mine.pk}/fields/"' in page and "开始一份新的申请" in page
    # A new application is still possible, on purpose, from the form below the list.
    r = client.post(
        f"/apply/{w.item.code}/", {"situation": "first", "start_token": _start_token(page)}
    )
    assert r.status_code == 302
    assert Application.objects.filter(owner=w.user, status="draft").count() == 2
    # Once submitted, a draft is no longer offered.
    services.application_submit(application=complete_draft(w), user=w.user)
    page = client.get(f"/apply/{w.item.code}/").content.decode()
    assert "您已有 2 份未提交的草稿" in page


def test_a_date_that_must_have_happened_cannot_be_tomorrow(client):
    from onetrip.catalog.tests.factories import item_doc

    left_on = {
        "code": "left_on",
        "label": "离职日期",
        "field_type": "date",
        "required": True,
        "date_bound": "past",
    }
    w = world(form_fields=[*item_doc()["form_fields"], left_on])
    draft = services.draft_create(user=w.user, item=w.item, situation="first")
    client.force_login(w.user)
    today = timezone.localdate()
    page = client.get(f"/drafts/{draft.pk}/fields/").content.decode()
    assert f'type="date" max="{today.isoformat()}"' in page  # the picker offers no later day
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    answers = {"name": "张三", "bank": "icbc", "copies": "1"}
    r = client.post(f"/drafts/{draft.pk}/fields/", {**answers, "left_on": tomorrow})
    assert r.status_code == 200
    assert f"不能晚于今天（{today.isoformat()}）" in r.content.decode()
    assert "left_on" not in Application.objects.get(pk=draft.pk).data
    r = client.post(f"/drafts/{draft.pk}/fields/", {**answers, "left_on": today.isoformat()})
    assert r.status_code == 302
    assert Application.objects.get(pk=draft.pk).data["left_on"] == today.isoformat()


def test_an_appointment_day_that_has_come_does_not_block_the_correction(client):
    """预约日期 was tomorrow when answered; two days later the correction (about another
    answer) goes through, and the fields page can be saved as it is."""
    import time_machine

    from onetrip.catalog.tests.factories import item_doc

    visit = {
        "code": "visit_date",
        "label": "预约日期",
        "field_type": "date",
        "required": True,
        "date_bound": "future",
    }
    w = world(form_fields=[*item_doc()["form_fields"], visit])
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=timezone.get_current_timezone())):
        app = bank_questioned(w, visit_date="2026-12-02")
    with time_machine.travel(dt.datetime(2026, 12, 3, 9, tzinfo=timezone.get_current_timezone())):
        client.force_login(w.user)
        r = client.post(
            f"/drafts/{app.pk}/fields/",
            {"name": "张三", "bank": "boc", "copies": "1", "visit_date": "2026-12-02"},
        )
        assert r.status_code == 302
        services.application_act(application=app, user=w.user, action="supply_correction")
    assert Application.objects.get(pk=app.pk).status == "corrected"


def test_what_the_applicant_changed_beyond_the_notice_is_shown_and_recorded(client):
    """The notice questioned only 发卡银行. The applicant also replaces the verified ID card
    with an upload and changes 申领张数: they are told before sending, and the officer's
    record of the step names both, so nothing changes unseen."""
    w = world()
    app = bank_questioned(w)
    client.force_login(w.user)
    url = f"/me/applications/{app.tracking_number}/"
    assert "data-other-changes" not in client.get(url).content.decode()
    services.draft_save_fields(application=app, user=w.user, data={"bank": "boc", "copies": 2})
    services.material_upload(application=app, user=w.user, code="id-card", upload=png())
    page = client.get(url).content.decode()
    assert "您还修改了通知未列出的内容：申领张数、居民身份证" in page
    assert client.post(url, {"action": "supply_correction"}).status_code == 302
    step = Application.objects.get(pk=app.pk).events.get(action="supply_correction")
    assert step.note == "已按补正通知提交；另外修改了补正通知未列的内容：申领张数、居民身份证"


def test_changes_beyond_the_notice_count_spacing_and_case_but_not_the_windows_checks():
    from onetrip.catalog.tests.factories import item_doc

    address = {"code": "address", "label": "通讯地址", "field_type": "text", "required": False}
    w = world(form_fields=[*item_doc()["form_fields"], address])
    app = bank_questioned(w, address="Room 1 2, Block A")
    # The window checks the original ID card while the applicant corrects: not their change.
    services.material_choose(
        application=app, user=w.window, code="id-card", state="original_checked"
    )
    assert services.correction_other_changes(app) == []
    services.draft_save_fields(application=app, user=w.user, data={"address": "ROOM 12, BLOCKA"})
    app.refresh_from_db()
    assert [c["name"] for c in services.correction_other_changes(app)] == ["通讯地址"]


def test_a_notice_from_before_notices_kept_a_baseline_names_no_other_changes():
    """Such a notice held, for each listed answer, its lookup hash (``was``) and no baseline:
    the listed answer is still told changed or not by it, and nothing else is reported."""
    w = world()
    app = bank_questioned(w)
    notice = app.notices.get(kind="correction")
    was = services._answer_digest("bank", "icbc", exact=False)
    items = [{**i, "was": was} for i in notice.items]
    Notice.objects.filter(pk=notice.pk).update(baseline={}, items=items)
    assert [i["done"] for i in services.correction_items(app)] == [False]
    services.draft_save_fields(application=app, user=w.user, data={"bank": "boc", "copies": 2})
    app.refresh_from_db()
    assert [i["done"] for i in services.correction_items(app)] == [True]
    assert services.correction_other_changes(app) == []
    services.application_act(application=app, user=w.user, action="supply_correction")
    assert app.events.get(action="supply_correction").note == "已按补正通知提交"


def test_a_listed_answer_changed_only_in_spacing_or_case_counts_as_changed():
    """An older notice's lookup hash ignored both, so such a change was not a change."""
    from onetrip.catalog.tests.factories import item_doc

    address = {"code": "address", "label": "通讯地址", "field_type": "text", "required": False}
    w = world(form_fields=[*item_doc()["form_fields"], address])
    draft = complete_draft(w)
    services.draft_save_fields(application=draft, user=w.user, data={"address": "room 12"})
    app = services.application_submit(application=draft, user=w.user).application
    app = services.application_act(
        application=app,
        user=w.window,
        action="request_correction",
        reason="地址有误",
        items=[{"code": "address", "reason": "请核对门牌号"}],
    )
    assert [i["done"] for i in services.correction_items(app)] == [False]
    services.draft_save_fields(application=app, user=w.user, data={"address": "ROOM 12"})
    app.refresh_from_db()
    assert [i["done"] for i in services.correction_items(app)] == [True]


def test_a_correction_that_changes_only_what_was_listed_names_nothing_else(client):
    w = world()
    app = bank_questioned(w)
    services.draft_save_fields(application=app, user=w.user, data={"bank": "boc"})
    services.application_act(application=app, user=w.user, action="supply_correction")
    assert app.events.get(action="supply_correction").note == "已按补正通知提交"


def test_the_fields_page_marks_what_the_correction_notice_asks_to_change(client):
    w = world()
    app = bank_questioned(w)
    client.force_login(w.user)
    page = client.get(f"/drafts/{app.pk}/fields/").content.decode()
    assert 'data-asked="bank"' in page and "补正通知要求修改：</strong>请核对发卡银行" in page
    assert 'data-asked="copies"' not in page
    assert re.search(r'<select[^>]*id="bank"[^>]*aria-describedby="bank-asked"', page)
    services.draft_save_fields(application=app, user=w.user, data={"bank": "boc"})
    assert 'data-asked="bank"' not in client.get(f"/drafts/{app.pk}/fields/").content.decode()


def test_a_form_that_asks_the_delivery_is_not_asked_again(client):
    from onetrip.catalog.tests.factories import delivery_fields, item_doc

    fields = item_doc()["form_fields"] + delivery_fields(fills=True)
    w = world(form_fields=fields)
    app = complete_draft(w)
    services.draft_save_fields(
        application=app,
        user=w.user,
        data={"delivery": "post", "mail_address": "兰州市城关区庆阳路 1 号 张三收"},
    )
    client.force_login(w.user)
    page = client.get(f"/drafts/{app.pk}/check/").content.decode()
    assert "办理结果按申请表中“领卡方式”的选择送达：邮寄到家。" in page
    assert 'name="delivery_method"' not in page and 'name="delivery_address"' not in page
    r = client.post(f"/drafts/{app.pk}/check/", {"token": f"draft-{app.pk}"})
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.delivery_method == "post"
    assert app.delivery_address == "兰州市城关区庆阳路 1 号 张三收"


def _accepted_with_photo_to_follow(w):
    import datetime as dt

    from onetrip.applications.tests.factories import submitted_with_photo_to_follow

    app = submitted_with_photo_to_follow(w)
    due = dt.date.today() + dt.timedelta(days=1)
    services.application_act(application=app, user=w.window, action="accept_deficient", due=due)
    return Application.objects.get(pk=app.pk)


def test_the_applicant_hands_in_a_deficient_material_on_the_application_page(client):
    w = world()
    app = _accepted_with_photo_to_follow(w)
    client.force_login(w.user)
    url = f"/me/applications/{app.tracking_number}/"
    page = client.get(url).content.decode()
    assert 'data-supplement="photo"' in page and "请补交容缺材料" in page
    assert f"请于 {app.deficiency_due:%Y-%m-%d} 前补交" in page
    from onetrip.notifications.models import OutboxMessage

    told = OutboxMessage.objects.filter(recipient=w.user, channel="inbox").latest("id")
    assert "近期免冠照片" in told.body and f"{app.deficiency_due:%Y-%m-%d} 前补交" in told.body
    # Nothing chosen, or a file that is not what it claims: said, and nothing changes.
    r = client.post(url, {"supplement": "photo"})
    assert r.status_code == 400 and "请选择要上传的文件" in r.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image")
    page = client.post(url, {"supplement": "photo", "file": fake}).content.decode()
    assert "操作未完成" in page
    assert app.materials.get(code="photo").state == "deficient"
    r = client.post(url, {"supplement": "photo", "file": png()})
    assert r.status_code == 302
    assert app.materials.get(code="photo").state == "uploaded"
    assert app.events.filter(action="supply_deficiency", actor_role="applicant").exists()
    assert not app.clock_pauses.filter(ended_on__isnull=True).exists()
    assert "请补交容缺材料" not in client.get(url).content.decode()


def test_check_your_answers_offers_no_change_for_what_the_applicant_cannot_change(client):
    w = world()
    app = complete_draft(w)
    locked = services.locked_fields(application=app)
    assert "name" in locked  # the real-name record answers it
    client.force_login(w.user)
    page = client.get(f"/drafts/{app.pk}/check/").content.decode()
    assert 'data-locked="name"' in page
    assert f'href="/drafts/{app.pk}/fields/#name"' not in page
    assert f'href="/drafts/{app.pk}/fields/#bank"' in page  # typed: can be changed


def test_a_refusal_notice_names_where_to_appeal_for_a_shipped_item(client):
    from django.core.management import call_command

    from onetrip.applications.tests.factories import ID_A, applicant, shipped_submitted, staff
    from onetrip.catalog.models import Department

    call_command("load_catalogue", verbosity=0)
    user, _person = applicant("13900000001", ID_A, "张三")
    app = shipped_submitted(user)
    window = staff("window1", Department.objects.get(code="lz-rsj"), "window")
    services.application_act(
        application=app, user=window, action="refuse", reason="已在其他统筹地区参保"
    )
    client.force_login(user)
    notice = app.notices.get(kind="refusal")
    page = client.get(f"/notices/{notice.number}/").content.decode()
    assert "不予受理通知书" in page and "已在其他统筹地区参保" in page
    assert "自收到本通知之日起六十日内向兰州市人民政府申请行政复议" in page
    assert "或者在六个月内依法向人民法院提起行政诉讼" in page  # the data names no court
    mine = client.get(f"/me/applications/{app.tracking_number}/").content.decode()
    assert notice.number in mine


def test_the_application_form_is_changed_through_its_fields(client):
    import copy

    from onetrip.catalog.tests.factories import item_doc, online_form_material

    w = world(materials=[*copy.deepcopy(item_doc()["materials"]), online_form_material()])
    app = complete_draft(w)
    client.force_login(w.user)
    page = client.get(f"/drafts/{app.pk}/check/").content.decode()
    row = page.split("社会保障卡申领登记表")[1].split("</dd><dd>")[1]
    assert f'href="/drafts/{app.pk}/fields/"' in row
    app = services.application_submit(application=app, user=w.user).application
    mine = client.get(f"/me/applications/{app.tracking_number}/").content.decode()
    assert "另有 1 项是在线填写的申请表" in mine
