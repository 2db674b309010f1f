"""The done-when path in headless Chromium: demo person 张三 claims 失业保险金 online, agrees to
the fetches, previews his data, fills in the rest of the form and submits without uploading
anything; the officer sees verified evidence; 张三's data-use page lists every fetch and the
officer's view."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from onetrip.applications.models import Application, ApplicationMaterial
from onetrip.applications.workflow import Status
from onetrip.catalog.models import Item
from onetrip.core.demo import DEMO_PASSWORD, demo_accounts_ensure

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, settings):
    settings.ONETRIP_DEMO = True  # the SMS sandbox and the TOTP code show on screen
    cache.clear()
    call_command("load_catalogue", verbosity=0)
    demo_accounts_ensure()
    return live_server.url, Item.objects.get(current_version__name="失业保险金申领")


def sign_in_by_sms(page: Page, url: str, phone: str) -> None:
    page.goto(url + "/login/")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    sms = page.locator("[data-demo-sms]")
    expect(sms).to_contain_text("验证码为")
    code = re.search(r"验证码为\s*(\d{6})", sms.inner_text()).group(1)
    page.get_by_label("验证码").fill(code)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/me/$"))


def test_zhang_san_brings_nothing_the_bureau_or_police_hold(page: Page, browser: Browser, site):
    url, item = site
    page.set_default_timeout(15_000)
    sign_in_by_sms(page, url, "13800000001")
    page.goto(f"{url}/items/{item.code}/")
    page.get_by_role("link", name="在线申请").click()
    page.get_by_role("button", name="开始申请").click()

    # What will be fetched, from whom and why — then consent.
    expect(page).to_have_url(re.compile(r"/drafts/\d+/sharing/$"))
    expect(page.locator("#ask-id-card")).to_contain_text("公安部门")
    expect(page.locator("#ask-termination")).to_contain_text("人力资源和社会保障部门")
    expect(page.locator("#ask-contribution-record")).to_contain_text("办理“失业保险金申领”")
    page.get_by_role("button", name="同意并获取").click()
    # The preview, before anything is used.
    expect(page.locator("#preview-termination")).to_contain_text("兰州恒达机械制造有限公司")
    expect(page.locator("#preview-termination")).to_contain_text("劳动合同期满终止")
    expect(page.locator("#preview-contribution-record")).to_contain_text("175")
    expect(page.locator("#preview-id-card")).to_contain_text("62010219850312003X")
    page.get_by_role("button", name="使用以上数据并继续").click()

    # The form is prefilled; registry fields are read-only and name their source.
    expect(page).to_have_url(re.compile(r"/drafts/\d+/fields/$"))
    pk = int(re.search(r"/drafts/(\d+)/", page.url).group(1))
    expect(page.get_by_label("原工作单位")).to_have_value("兰州恒达机械制造有限公司")
    expect(page.get_by_label("原工作单位")).to_have_attribute("readonly", "")
    expect(page.locator("#last_employer-locked")).to_contain_text("人力资源和社会保障部门")
    page.get_by_role("radio", name="是").check()
    page.get_by_label("通知方式").select_option(label="短信")
    page.get_by_role("button", name="保存并继续").click()

    # Materials: five came from the registries.
    expect(page).to_have_url(re.compile(rf"/drafts/{pk}/materials/$"))
    for code in ["id-card", "termination", "contribution-record"]:
        expect(page.locator(f"#m-{code} [data-state]")).to_have_attribute("data-state", "shared")
    # The application form is the one filled in a step ago: no printing, signing, scanning.
    section = page.locator("#m-application-form")
    expect(section.locator("[data-state]")).to_have_attribute("data-state", "form")
    expect(section).to_contain_text("无需上传")
    expect(section.get_by_label("上传文件")).to_have_count(0)
    page.get_by_role("link", name="继续：核对并提交").click()
    page.get_by_label("电子送达").check()
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_role("heading", name="申请已提交")).to_be_visible()
    expect(page.locator("[data-exempt]")).to_have_attribute("data-exempt", "5/6")
    expect(page.locator("[data-exempt]")).to_contain_text("另有 1 项是在线填写的申请表")
    app = Application.objects.get(pk=pk)
    assert app.status == Status.SUBMITTED
    assert app.materials.filter(state=ApplicationMaterial.State.SHARED).count() == 5

    # The officer sees verified evidence instead of uploads.
    context = browser.new_context()
    staff = context.new_page()
    staff.set_default_timeout(15_000)
    staff.goto(url + "/staff/login/")
    staff.get_by_label("用户名").fill("handler")
    staff.get_by_label("密码").fill(DEMO_PASSWORD)
    staff.get_by_role("button", name="下一步").click()
    code = staff.locator("[data-demo-totp] strong").inner_text().strip()
    staff.get_by_label("验证器上的 6 位数字").fill(code)
    staff.get_by_role("button", name="登录").click()
    staff.goto(f"{url}/workbench/applications/{app.tracking_number}/")
    expect(staff.locator('[data-evidence-verified="true"]')).to_have_count(5)
    expect(staff.locator("#material-termination")).to_contain_text("已核验：来源签名有效")
    context.close()

    # 谁使用了我的数据: each fetch, and the officer's view.
    page.goto(f"{url}/me/")
    page.get_by_role("link", name="谁使用了我的数据").click()
    expect(page.locator('#data-uses tr[data-kind="fetch"]')).to_have_count(5)
    expect(page.locator('#data-uses tr[data-kind="view"]')).to_have_count(5)
    expect(page.locator("#data-uses")).to_contain_text("承办人员")
