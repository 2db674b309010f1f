"""一窗受理 from the window officer's side: applicant, item, fields, materials, submit, receipt."""

from __future__ import annotations

import re

import pytest

from onetrip.accounts.models import Enterprise, Person
from onetrip.applications.models import Application, ApplicationMaterial, Visit
from onetrip.applications.tests.factories import ID_B, png, world
from onetrip.applications.workflow import Status
from onetrip.audit.models import AuditEvent
from onetrip.catalog.tests.factories import item_doc, item_publish, online_form_material

pytestmark = pytest.mark.django_db

NEW_ID = "620102199001010038"  # valid check digit and birth date
WRONG_CHECK_DIGIT = "620102199001010039"
FEB_30 = "110101199002301234"  # impossible birth date (and so no valid check digit either)
FEB_30_GOOD_CHECK = "110101199002301236"  # impossible birth date behind a valid check digit


@pytest.fixture
def w():
    return world()


@pytest.fixture
def officer(client, w):
    client.force_login(w.window)
    return w.window


def _register(client, **data):
    return client.post("/workbench/intake/", {"form": "register_person", **data})


def test_window_intake_end_to_end(client, w, officer):
    # step 1: not found, then registered
    response = client.post("/workbench/intake/", {"form": "find_person", "id_number": NEW_ID})
    page = response.content.decode()
    assert response.status_code == 200 and "没有找到该公民身份号码" in page
    assert f'value="{NEW_ID}"' in page  # carried into the registration form
    response = _register(client, real_name="王五", id_number=NEW_ID, phone="13900000009")
    assert response.status_code == 302 and response["Location"] == "/workbench/intake/start/"
    person = Person.objects.get(real_name="王五")
    assert person.created_by == officer

    # step 2: any published item of any department, then the situation
    page = client.get("/workbench/intake/start/").content.decode()
    assert "<optgroup" in page and w.item.code in page
    response = client.get("/workbench/intake/start/?item=")  # "请选择事项" left as it was
    assert response.status_code == 400 and "请从清单中选择一个已发布的事项" in (
        response.content.decode()
    )
    page = client.get(f"/workbench/intake/start/?item={w.item.code}").content.decode()
    assert 'name="situation"' in page and "首次申领" in page
    response = client.post("/workbench/intake/start/", {"item": w.item.code})
    assert response.status_code == 400 and "请选择办理情形" in response.content.decode()
    assert not Application.objects.filter(applicant_person=person).exists()
    response = client.post("/workbench/intake/start/", {"item": w.item.code, "situation": "first"})
    app = Application.objects.get(applicant_person=person)
    assert app.channel == "window" and app.status == Status.DRAFT and app.created_by == officer
    assert response["Location"] == f"/workbench/intake/{app.pk}/fields/"

    # step 3: fields, required ones checked now
    page = client.get(f"/workbench/intake/{app.pk}/fields/").content.decode()
    assert 'id="field-name"' in page and 'type="radio" name="bank"' in page
    response = client.post(
        f"/workbench/intake/{app.pk}/fields/", {"name": "王五", "bank": "icbc", "copies": "1"}
    )
    assert response["Location"] == f"/workbench/intake/{app.pk}/materials/"
    app.refresh_from_db()
    assert app.data == {"name": "王五", "bank": "icbc", "copies": 1}

    # step 3b: materials — the original checked, a scan uploaded
    page = client.get(f"/workbench/intake/{app.pk}/materials/").content.decode()
    assert "原件已核验" in page and 'type="file"' in page
    response = client.post(
        f"/workbench/intake/{app.pk}/materials/",
        {"mat-id-card": "original_checked", "mat-photo": "upload", "file-photo": png()},
    )
    assert response["Location"] == f"/workbench/intake/{app.pk}/check/"
    states = dict(app.materials.values_list("code", "state"))
    assert states == {"id-card": "original_checked", "photo": "uploaded"}

    # step 4: visits_required is 0, so this visit is over the promise: ask first
    page = client.get(f"/workbench/intake/{app.pk}/check/").content.decode()
    assert 'id="over_promise_reason"' in page and "王五" in page and "工商银行" in page
    response = client.post(
        f"/workbench/intake/{app.pk}/check/",
        {"delivery_method": "pickup", "place": "市政务服务中心 3 号窗口"},
    )
    assert response.status_code == 409
    assert "超出承诺的原因" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.DRAFT and not app.tracking_number
    assert not Visit.objects.filter(application=app).exists()

    response = client.post(
        f"/workbench/intake/{app.pk}/check/",
        {
            "delivery_method": "pickup",
            "place": "市政务服务中心 3 号窗口",
            "over_promise_reason": "申请人不会使用网上办理，自愿到窗口",
        },
    )
    assert response["Location"] == f"/workbench/intake/{app.pk}/done/"
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and app.tracking_number
    assert app.delivery_method == "pickup"
    visit = Visit.objects.get(application=app)
    assert visit.over_promise and visit.reason == "窗口提交申请"
    assert visit.place == "市政务服务中心 3 号窗口" and visit.officer == officer
    assert visit.over_promise_reason == "申请人不会使用网上办理，自愿到窗口"

    # a repeated submit (double click) changes nothing and lands on the receipt
    again = client.post(
        f"/workbench/intake/{app.pk}/check/",
        {"delivery_method": "pickup", "place": "x", "over_promise_reason": "y"},
    )
    assert again["Location"] == f"/workbench/intake/{app.pk}/done/"
    assert Visit.objects.filter(application=app).count() == 1
    assert Application.objects.filter(applicant_person=person).count() == 1

    # the receipt to hand over
    receipt = client.get(f"/workbench/intake/{app.pk}/done/").content.decode()
    assert "收件回执" in receipt and app.tracking_number in receipt and app.query_code in receipt
    assert "6201**********0038" in receipt and NEW_ID not in receipt

    # the officer (or the handler) takes it from here
    page = client.get(f"/workbench/applications/{app.tracking_number}/").content.decode()
    assert 'name="action" value="accept"' in page and "原件已核验" in page


def test_an_item_within_the_promise_records_the_visit_without_asking(client, w, officer):
    doc = item_doc()
    item = item_publish(
        visits_required=1,
        visits_reason="须现场采集指纹",
        online_depth=3,
        department="insurance",
        situations=[],
        materials=doc["materials"][:1],
        form_fields=doc["form_fields"][:1],
    )
    client.post("/workbench/intake/", {"form": "find_person", "id_number": ID_B})
    client.post("/workbench/intake/start/", {"item": item.code})
    app = Application.objects.get(item=item)
    assert app.department.code == "insurance"  # another department than the officer's own
    client.post(f"/workbench/intake/{app.pk}/fields/", {"name": "李四"})
    client.post(f"/workbench/intake/{app.pk}/materials/", {"mat-id-card": "shared"})
    page = client.get(f"/workbench/intake/{app.pk}/check/").content.decode()
    assert 'id="over_promise_reason"' not in page
    response = client.post(
        f"/workbench/intake/{app.pk}/check/", {"delivery_method": "electronic", "place": "窗口"}
    )
    assert response.status_code == 302
    visit = Visit.objects.get(application=app)
    assert not visit.over_promise


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        (WRONG_CHECK_DIGIT, "校验位不正确"),
        (FEB_30, "公民身份号码"),
        (FEB_30_GOOD_CHECK, "出生日期"),
        ("12345", "应为 18 位"),
        ("", "请填写公民身份号码"),
    ],
)
def test_bad_id_numbers_give_chinese_errors_and_write_nothing(client, officer, id_number, message):
    people = Person.objects.count()
    response = _register(client, real_name="赵六", id_number=id_number, phone="13900000010")
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page and 'href="#register_person-id_number"' in page
    assert 'value="赵六"' in page  # what was typed is kept
    assert Person.objects.count() == people
    response = client.post("/workbench/intake/", {"form": "find_person", "id_number": id_number})
    assert response.status_code == 400 and message in response.content.decode()


def test_a_missing_required_field_is_reported_and_nothing_is_saved(client, w, officer):
    client.post("/workbench/intake/", {"form": "find_person", "id_number": ID_B})
    client.post("/workbench/intake/start/", {"item": w.item.code, "situation": "first"})
    app = Application.objects.get(created_by=officer)
    response = client.post(
        f"/workbench/intake/{app.pk}/fields/", {"name": "", "bank": "icbc", "copies": "9"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "请填写姓名" in page and 'href="#field-name"' in page
    assert "不能大于" in page
    assert re.search(r'type="radio" name="bank" value="icbc"[^>]*checked', page)
    app.refresh_from_db()
    assert app.data == {"name": "李四"}  # the prefill from the real-name record, nothing else

    def states():
        return dict(app.materials.values_list("code", "state"))

    before = states()
    assert before["photo"] == ApplicationMaterial.State.MISSING
    response = client.post(f"/workbench/intake/{app.pk}/materials/", {"mat-photo": "upload"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "请选择“近期免冠照片”的扫描件" in page and 'href="#mat-photo"' in page
    assert states() == before
    response = client.post(f"/workbench/intake/{app.pk}/materials/", {})
    assert response.status_code == 400
    assert "请选择“近期免冠照片”的提供方式" in response.content.decode()

    # a disguised upload: the whole materials step is rolled back
    response = client.post(
        f"/workbench/intake/{app.pk}/materials/",
        {"mat-id-card": "original_checked", "mat-photo": "upload", "file-photo": _text_file()},
    )
    assert response.status_code == 400 and "只接受 PDF、JPG 或 PNG" in response.content.decode()
    assert states() == before  # the original check of the ID card was rolled back too


def _text_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.png", b"hello, not an image", content_type="image/png")


def test_an_enterprise_with_a_legal_code_failing_the_check_needs_an_audited_override(
    client, officer
):
    data = {"form": "register_enterprise", "name": "试点公司", "credit_code": "91620100MA71234567"}
    response = client.post("/workbench/intake/", data)
    assert response.status_code == 400 and "校验位不正确" in response.content.decode()
    assert not Enterprise.objects.exists()
    for reason, said in (("\u200b", "校验位不正确"), ("核" * 301, "核实说明最多 300 字")):
        response = client.post("/workbench/intake/", {**data, "override_reason": reason})
        assert response.status_code == 400 and said in response.content.decode()
    assert not Enterprise.objects.exists()
    response = client.post("/workbench/intake/", {**data, "override_reason": "核对营业执照原件"})
    assert response.status_code == 302
    enterprise = Enterprise.objects.get()
    assert enterprise.credit_code_override and enterprise.override_by == officer
    assert AuditEvent.objects.filter(action="accounts.enterprise.credit_code_override").exists()
    # found again by its code
    client.post("/workbench/intake/", {"form": "find_enterprise", "credit_code": ""})
    response = client.post(
        "/workbench/intake/", {"form": "find_enterprise", "credit_code": "91620100ma71234567"}
    )
    assert response.status_code == 302


def test_intake_pages_need_an_applicant_first(client, officer):
    response = client.get("/workbench/intake/start/")
    assert response.status_code == 302 and response["Location"] == "/workbench/intake/"


def test_the_check_step_takes_the_delivery_the_form_asked(client):
    from onetrip.applications import services
    from onetrip.applications.tests.factories import staff
    from onetrip.catalog.models import Department
    from onetrip.catalog.tests.factories import delivery_fields

    fields = item_doc()["form_fields"] + delivery_fields(fills=True)
    w = world(form_fields=fields)
    window = staff("window9", Department.objects.get(code="bureau"), "window")
    draft = services.draft_create(
        user=window, item=w.item, situation="first", applicant_person=w.person, channel="window"
    )
    services.draft_save_fields(
        application=draft,
        user=window,
        data={"name": "张三", "bank": "icbc", "delivery": "post", "mail_address": "兰州市七里河区"},
    )
    for m in draft.materials.all():
        services.material_choose(
            application=draft, user=window, code=m.code, state="original_checked"
        )
    client.force_login(window)
    page = client.get(f"/workbench/intake/{draft.pk}/check/").content.decode()
    assert "结果按申请表中“领卡方式”的选择送达：邮寄到家。" in page
    assert 'name="delivery_method"' not in page
    r = client.post(
        f"/workbench/intake/{draft.pk}/check/",
        {"place": "城关区窗口", "over_promise_reason": "现场"},
    )
    assert r.status_code == 302, r.content.decode()[:500]
    draft.refresh_from_db()
    assert draft.delivery_method == "post" and draft.delivery_address == "兰州市七里河区"


def test_the_application_form_taken_in_at_the_window_is_the_fields_typed(client, w, officer):
    doc = item_doc()
    item = item_publish(
        visits_required=1,
        visits_reason="须现场采集指纹",
        online_depth=3,
        situations=[],
        materials=[doc["materials"][0], online_form_material()],
        form_fields=doc["form_fields"][:1],
    )
    client.post("/workbench/intake/", {"form": "find_person", "id_number": ID_B})
    client.post("/workbench/intake/start/", {"item": item.code})
    app = Application.objects.get(item=item)
    client.post(f"/workbench/intake/{app.pk}/fields/", {"name": "李四"})
    page = client.get(f"/workbench/intake/{app.pk}/materials/").content.decode()
    assert 'data-online-form="application-form"' in page
    assert 'name="mat-application-form"' not in page  # nothing to scan or check
    response = client.post(f"/workbench/intake/{app.pk}/materials/", {"mat-id-card": "shared"})
    assert response.status_code == 302
    response = client.post(
        f"/workbench/intake/{app.pk}/check/", {"delivery_method": "electronic", "place": "窗口"}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert app.materials.get(code="application-form").state == "form"


def test_a_date_that_must_have_happened_is_bounded_at_the_window_too(client):
    import datetime as dt

    from django.utils import timezone

    left_on = {"code": "left_on", "label": "离职日期", "field_type": "date", "date_bound": "past"}
    w = world(form_fields=[*item_doc()["form_fields"], left_on])
    client.force_login(w.window)
    client.post("/workbench/intake/", {"form": "find_person", "id_number": ID_B})
    client.post("/workbench/intake/start/", {"item": w.item.code, "situation": "first"})
    app = Application.objects.get(created_by=w.window)
    today = timezone.localdate()
    page = client.get(f"/workbench/intake/{app.pk}/fields/").content.decode()
    assert re.search(rf'name="left_on" type="date"[^>]* max="{today.isoformat()}"', page)
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    response = client.post(
        f"/workbench/intake/{app.pk}/fields/",
        {"name": "李四", "bank": "icbc", "copies": "1", "left_on": tomorrow},
    )
    assert response.status_code == 400 and "不能晚于今天" in response.content.decode()
    app.refresh_from_db()
    assert "left_on" not in app.data
