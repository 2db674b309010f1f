"""A full online application in headless Chromium: sign-in by SMS code, the one-thing-per-page
steps, one correction notice from the window, the applicant's fix, and the decision with no
visit to any office (最多跑一次, here 零跑动)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, BrowserContext, Page, expect

from onetrip.applications import services
from onetrip.applications.models import Application, ApplicationMaterial
from onetrip.applications.tests.factories import PNG, submitted_with_photo_to_follow, world
from onetrip.applications.workflow import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, settings):
    settings.ONETRIP_DEMO = True  # the SMS sandbox and the current TOTP code show on screen
    cache.clear()  # login-code rate limits live in the (process-wide) cache
    return live_server.url, world()


def applicant_sign_in(page: Page, url: str, phone: str) -> None:
    page.goto(url + "/login/")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page).to_have_url(re.compile(r"/login/code/"))
    sms = page.locator("[data-demo-sms]")
    expect(sms).to_contain_text("验证码为")
    code = re.search(r"验证码为\s*(\d{6})", sms.inner_text()).group(1)
    page.get_by_label("验证码").fill(code)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的办件")


def staff_sign_in(browser: Browser, url: str, username: str) -> tuple[BrowserContext, Page]:
    """A fresh context (its own cookies), signed in with password and the demo TOTP code."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "/staff/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("pass-word-123")
    page.get_by_role("button", name="下一步").click()
    expect(page).to_have_url(re.compile(r"/staff/login/totp/"))
    code = page.locator("[data-demo-totp] strong").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    page.get_by_label("验证器上的 6 位数字").fill(code)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/workbench/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("办件队列")
    return context, page


def test_online_application_through_correction_to_decision(
    page: Page, browser: Browser, site, tmp_path
):
    url, w = site
    page.set_default_timeout(10_000)
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    clearer = tmp_path / "photo-clear.png"
    clearer.write_bytes(PNG)

    # --- the applicant signs in with the code from the (sandbox) SMS and starts applying
    applicant_sign_in(page, url, "13900000001")
    page.goto(f"{url}/items/{w.item.code}/")
    page.get_by_role("link", name="在线申请").click()
    expect(page).to_have_url(re.compile(rf"/apply/{w.item.code}/$"))
    page.get_by_label("首次申领").check()
    page.get_by_role("button", name="继续").click()

    # the ID data is held by the police: what, from whom and why, consent, then a preview
    expect(page).to_have_url(re.compile(r"/drafts/\d+/sharing/$"))
    expect(page.locator("#ask-id-card")).to_contain_text("公安")
    page.get_by_role("button", name="同意并获取").click()
    expect(page.locator("#preview-id-card")).to_contain_text("110101199003074514")
    page.get_by_role("button", name="使用以上数据并继续").click()

    # fields: one page, the choice field shown because of the situation; the name comes
    # from the real-name record and cannot be typed over
    expect(page).to_have_url(re.compile(r"/drafts/\d+/fields/$"))
    draft_id = int(re.search(r"/drafts/(\d+)/", page.url).group(1))
    expect(page.get_by_label("姓名")).to_have_value("张三")
    expect(page.get_by_label("姓名")).to_have_attribute("readonly", "")
    # a refused answer: the summary of what to fix takes the focus, the field says why
    page.get_by_label("申领张数").fill("9")
    page.get_by_role("button", name="保存并继续").click()
    expect(page.locator("#error-summary")).to_be_focused()
    copies = page.locator("#copies")
    expect(copies).to_have_attribute("aria-describedby", "copies-hint copies-error")
    page.get_by_label("发卡银行").select_option(label="工商银行")
    page.get_by_label("申领张数").fill("1")
    page.get_by_role("button", name="保存并继续").click()

    # materials: the ID card was taken from the police with the applicant's consent (nothing
    # to press here), the photo is uploaded
    expect(page).to_have_url(re.compile(rf"/drafts/{draft_id}/materials/$"))
    id_card = page.locator("#m-id-card")
    expect(id_card.locator("[data-state]")).to_have_attribute("data-state", "shared")
    expect(id_card).to_contain_text("测试市公安局")
    expect(id_card.get_by_role("button", name="由部门共享获取")).to_have_count(0)
    photo_section = page.locator("#m-photo")
    photo_section.get_by_label("上传文件").set_input_files(photo)
    photo_section.get_by_role("button", name="上传", exact=True).click()
    expect(photo_section.locator("[data-state]")).to_have_attribute("data-state", "uploaded")
    expect(photo_section).to_contain_text("photo.png")
    page.get_by_role("link", name="继续：核对并提交").click()

    # check your answers, then submit
    expect(page).to_have_url(re.compile(rf"/drafts/{draft_id}/check/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("核对您的申请")
    answers = page.locator("dl.summary-list").first
    expect(answers).to_contain_text("张三")
    expect(answers).to_contain_text("发卡银行")
    page.get_by_label("电子送达").check()
    page.get_by_role("button", name="确认提交").click()

    expect(page).to_have_url(re.compile(r"/me/applications/\d+/\?submitted=1$"))
    expect(page.get_by_role("heading", name="申请已提交")).to_be_visible()
    tn = page.locator("[data-tracking]").inner_text().strip()
    query_code = page.locator("[data-query-code]").inner_text().strip()
    assert re.fullmatch(r"\d{6,20}", tn) and re.fullmatch(r"\d{6}", query_code)
    app = Application.objects.get(tracking_number=tn)
    assert app.pk == draft_id and app.status == Status.SUBMITTED and app.owner == w.user
    applicant_url = page.url.split("?")[0]

    # --- the window officer (own browser context) sends ONE correction notice for the photo
    window_ctx, staff = staff_sign_in(browser, url, "window1")
    staff.get_by_role("link", name=tn).click()
    expect(staff).to_have_url(re.compile(rf"/workbench/applications/{tn}/$"))
    correction = staff.locator("#act-request_correction")
    correction.get_by_label("近期免冠照片", exact=True).check()
    correction.get_by_label("“近期免冠照片”的补正理由").fill("照片不是白底")
    correction.get_by_label("补正说明（必填）").fill("请重新上传符合要求的照片")
    correction.get_by_role("button", name="一次性告知补正").click()
    expect(staff.get_by_role("status")).to_contain_text("已完成：一次性告知补正")
    app.refresh_from_db()
    assert app.status == Status.CORRECTION and app.correction_count == 1

    # --- the applicant sees what to fix, re-uploads the photo and supplies the correction
    page.goto(applicant_url)
    expect(page.locator("[data-status]")).to_have_text("需要您补正材料")
    items = page.locator("[data-correction-items] li")
    expect(items).to_have_count(1)
    expect(items).to_contain_text("近期免冠照片")
    expect(items).to_contain_text("照片不是白底")
    page.get_by_role("link", name="重新上传材料").click()
    expect(page).to_have_url(re.compile(rf"/drafts/{draft_id}/materials/$"))
    photo_section = page.locator("#m-photo")
    photo_section.get_by_label("重新上传").set_input_files(clearer)
    photo_section.get_by_role("button", name="上传", exact=True).click()
    expect(photo_section).to_contain_text("photo-clear.png")
    page.get_by_role("link", name="返回补正").click()
    expect(page).to_have_url(applicant_url)
    page.get_by_role("button", name="提交补正").click()
    expect(page.locator("[data-status]")).to_have_text("已补正，等待工作人员受理")
    photo_row = app.materials.get(code="photo")
    assert photo_row.state == ApplicationMaterial.State.UPLOADED
    assert photo_row.file.original_name == "photo-clear.png"

    # --- the window accepts in the browser; review and decision by the departments' staff
    staff.reload()
    staff.locator("#act-accept").get_by_role("button", name="受理").click()
    expect(staff.get_by_role("status")).to_contain_text("已完成：受理")
    window_ctx.close()
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED
    for user, action in (
        (w.handler, "start"),
        (w.handler, "pass_stage"),
        (w.checker, "pass_stage"),
        (w.approver, "approve"),
    ):
        services.application_act(application=app, user=user, action=action, reason="符合条件")

    # --- the applicant sees the decision, and that it took no trip at all
    page.goto(applicant_url)
    expect(page.locator("[data-status]")).to_have_text("已办结，准予办理")
    expect(page.locator("[data-visits]")).to_have_text(re.compile(r"^0 /"))
    expect(page.locator("ol.timeline")).to_contain_text("收到补正通知（一次性告知）")
    app.refresh_from_db()
    assert app.status == Status.APPROVED and app.correction_count == 1
    assert app.visits.count() == 0

    # --- anyone with the tracking number and query code can follow it, without signing in
    public = browser.new_context()
    lookup = public.new_page()
    lookup.goto(url + "/track/")
    lookup.get_by_label("申办流水号").fill(tn)
    lookup.get_by_label("查询码").fill(query_code)
    lookup.get_by_role("button", name="查询").click()
    expect(lookup.locator("[data-status]")).to_have_text("已办结，准予办理")
    assert query_code not in lookup.url  # posted, not in the address bar or history
    expect(lookup.get_by_text("到现场 0 次")).to_be_visible()
    expect(lookup.get_by_text("张三")).to_have_count(0)  # nothing personal on the public page
    public.close()


def test_a_document_to_follow_is_handed_in_online_after_acceptance(page: Page, site, tmp_path):
    import datetime as dt

    url, w = site
    app = submitted_with_photo_to_follow(w)
    due = dt.date.today() + dt.timedelta(days=1)
    services.application_act(application=app, user=w.window, action="accept_deficient", due=due)

    applicant_sign_in(page, url, "13900000001")
    page.goto(f"{url}/me/applications/{app.tracking_number}/")
    section = page.locator("[data-supplements]")
    expect(section).to_contain_text("请补交容缺材料")
    expect(section).to_contain_text(f"请于 {due:%Y-%m-%d} 前补交")
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    section.get_by_label("近期免冠照片").set_input_files(str(photo))
    section.get_by_role("button", name="上传补交").click()
    expect(page.locator("[data-supplements]")).to_have_count(0)
    expect(page.locator(".timeline")).to_contain_text("补交：近期免冠照片")
    material = ApplicationMaterial.objects.get(application=app, code="photo")
    assert material.state == ApplicationMaterial.State.UPLOADED
    assert Application.objects.get(pk=app.pk).status == Status.ACCEPTED
