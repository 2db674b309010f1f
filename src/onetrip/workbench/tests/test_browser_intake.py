"""一窗受理 in headless Chromium: a window officer signs in with password and TOTP, registers a
new person, takes an application for her, and hands over the receipt; the counter visit is
recorded (and, since the item promises zero trips, flagged with a reason)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from onetrip.accounts.models import Person
from onetrip.applications.models import Application, ApplicationMaterial, Visit
from onetrip.applications.tests.factories import PNG, world
from onetrip.applications.workflow import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_ID = "620103199207180047"
WRONG_CHECK_DIGIT = "620103199207180048"


@pytest.fixture
def site(live_server, settings):
    settings.ONETRIP_DEMO = True  # the TOTP page shows the current code
    cache.clear()
    return live_server.url, world()


def window_sign_in(page: Page, url: str) -> None:
    page.set_default_timeout(10_000)
    page.goto(url + "/staff/login/")
    page.get_by_label("用户名").fill("window1")
    page.get_by_label("密码").fill("pass-word-123")
    page.get_by_role("button", name="下一步").click()
    expect(page).to_have_url(re.compile(r"/staff/login/totp/"))
    code = page.locator("[data-demo-totp] strong").inner_text().strip()
    page.get_by_label("验证器上的 6 位数字").fill(code)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/workbench/$"))
    page.get_by_role("navigation", name="工作台导航").get_by_role("link", name="窗口受理").click()
    expect(page).to_have_url(re.compile(r"/workbench/intake/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("窗口受理：谁来办事？")


def test_window_intake_records_one_visit(page: Page, site, tmp_path):
    url, w = site
    scan = tmp_path / "photo-scan.png"
    scan.write_bytes(PNG)
    window_sign_in(page, url)

    # step 1: not found by ID number, so registered (the number is carried over)
    find = page.locator("#find_person")
    find.get_by_label("公民身份号码").fill(NEW_ID)
    find.get_by_role("button", name="查找").click()
    expect(page.get_by_role("status")).to_contain_text("没有找到该公民身份号码")
    register = page.locator("#register_person")
    expect(register.get_by_label("公民身份号码")).to_have_value(NEW_ID)
    register.get_by_label("姓名（与身份证件一致）").fill("李梅")
    register.get_by_label("手机号码（可不填）").fill("13800000002")
    register.get_by_role("button", name="登记并继续").click()

    # step 2: any item of any department, then the situation
    expect(page).to_have_url(re.compile(r"/workbench/intake/start/$"))
    expect(page.locator("#applicant")).to_contain_text("李梅")
    page.get_by_label("事项（按部门分组，包括所有部门）").select_option(w.item.code)
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("社会保障卡申领")
    page.get_by_label("首次申领").check()
    page.get_by_role("button", name="开始填写").click()

    # step 3: the form
    expect(page).to_have_url(re.compile(r"/workbench/intake/\d+/fields/$"))
    pk = int(re.search(r"/intake/(\d+)/", page.url).group(1))
    page.get_by_label("姓名", exact=True).fill("李梅")
    page.get_by_label("中国银行").check()
    page.get_by_label("申领张数（可不填）").fill("1")
    page.get_by_role("button", name="保存并继续").click()

    # step 4: materials — the original ID card checked at the counter, the photo scanned
    expect(page).to_have_url(re.compile(rf"/workbench/intake/{pk}/materials/$"))
    page.get_by_role("group", name="居民身份证").get_by_label("原件已核验").check()
    photo = page.get_by_role("group", name="近期免冠照片")
    photo.get_by_label("上传扫描件", exact=True).check()
    photo.get_by_label("“近期免冠照片”的扫描件（选择“上传扫描件”时）").set_input_files(scan)
    page.get_by_role("button", name="保存并继续").click()

    # step 5: check with the applicant, then submit; the visit goes over the promise (0 trips)
    expect(page).to_have_url(re.compile(rf"/workbench/intake/{pk}/check/$"))
    summary = page.locator("#main")
    expect(summary).to_contain_text("中国银行")
    expect(summary).to_contain_text("原件已核验")
    expect(summary).to_contain_text("photo-scan.png")
    page.get_by_label("窗口自取").check()
    expect(page.get_by_label("受理窗口（登记到场地点）")).to_have_value(
        "测试市人力资源和社会保障局窗口"
    )
    submit = page.get_by_role("button", name="提交申请并登记到场")
    submit.click()  # without the reason first: refused, nothing submitted
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("请先写明超出承诺的原因")
    assert Application.objects.get(pk=pk).status == Status.DRAFT
    assert not Visit.objects.filter(application_id=pk).exists()
    page.get_by_label("超出承诺的原因（必填）").fill("申请人不会使用网上办理，自愿到窗口办理")
    page.get_by_role("button", name="提交申请并登记到场").click()

    # the receipt for the applicant
    expect(page).to_have_url(re.compile(rf"/workbench/intake/{pk}/done/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("收件回执")
    tn = page.locator(".confirm .ref").first.inner_text().strip()
    assert re.fullmatch(r"\d{6,20}", tn)
    expect(page.locator("#main")).to_contain_text("已到场 1 次（承诺最多 0 次）")

    app = Application.objects.get(tracking_number=tn)
    assert app.pk == pk
    assert app.channel == "window" and app.status == Status.SUBMITTED
    assert app.applicant_person.real_name == "李梅" and app.created_by == w.window
    visits = list(app.visits.all())
    assert len(visits) == 1
    assert visits[0].over_promise and visits[0].officer == w.window
    assert visits[0].over_promise_reason == "申请人不会使用网上办理，自愿到窗口办理"
    states = dict(app.materials.values_list("code", "state"))
    assert states == {
        "id-card": ApplicationMaterial.State.ORIGINAL_CHECKED,
        "photo": ApplicationMaterial.State.UPLOADED,
    }

    # the application page shows the visit, flagged
    page.get_by_role("link", name="打开办件（受理或告知补正）").click()
    expect(page).to_have_url(re.compile(rf"/workbench/applications/{tn}/$"))
    expect(page.locator("#visits + p")).to_contain_text("已超出承诺")


def test_wrong_id_check_digit_is_refused_and_creates_nothing(page: Page, site):
    url, _w = site
    people = Person.objects.count()
    window_sign_in(page, url)
    register = page.locator("#register_person")
    register.get_by_label("姓名（与身份证件一致）").fill("李梅")
    register.get_by_label("公民身份号码").fill(WRONG_CHECK_DIGIT)
    register.get_by_label("手机号码（可不填）").fill("13800000002")
    register.get_by_role("button", name="登记并继续").click()

    expect(page).to_have_url(re.compile(r"/workbench/intake/$"))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("公民身份号码校验位不正确，请核对最后一位。")
    # the summary links to the input, which says the same thing next to it and keeps the values
    expect(alert.get_by_role("link")).to_have_attribute("href", "#register_person-id_number")
    field = page.locator("#register_person-id_number")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#register_person-id_number-error")).to_contain_text("校验位不正确")
    expect(field).to_have_value(WRONG_CHECK_DIGIT)
    expect(register.get_by_label("姓名（与身份证件一致）")).to_have_value("李梅")

    assert Person.objects.count() == people
    assert not Person.objects.filter(real_name="李梅").exists()
    assert not Application.objects.filter(channel="window").exists()
    # and the officer cannot go on to choose an item without an applicant
    page.goto(url + "/workbench/intake/start/")
    expect(page).to_have_url(re.compile(r"/workbench/intake/$"))
