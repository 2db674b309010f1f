"""The guide in headless Chromium: search, filters, item page, situation checklist, language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from onetrip.catalog.models import Department
from onetrip.catalog.tests.factories import departments_create, item_publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server):
    departments_create()
    card = item_publish(keywords="社保卡")
    item_publish(
        name="失业保险金申领",
        name_en="Unemployment insurance benefit",
        keywords="失业金",
        department="insurance",
        visits_required=1,
        visits_reason="首次申领需现场核验",
        online_depth=3,
    )
    item_publish(
        name="社会保险登记（单位）",
        keywords="",
        serves_persons=False,
        serves_enterprises=True,
        handling_type="instant",
        promised_limit=0,
        department="insurance",
    )
    return live_server.url, card


def test_search_finds_item_by_short_name(page: Page, site):
    url, _ = site
    page.goto(url + "/")
    page.get_by_label(re.compile("搜索事项")).fill("社保卡")
    page.get_by_role("button", name="搜索", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("找到 1 个事项")
    expect(page.get_by_role("link", name="社会保障卡申领")).to_be_visible()


def test_filters_by_keyboard(page: Page, site):
    url, _ = site
    page.goto(url + "/")
    page.get_by_label("即办件").check()
    page.get_by_role("button", name="应用筛选").press("Enter")
    expect(page.locator(".item-card")).to_have_count(1)
    expect(page.locator(".item-card h2")).to_have_text("社会保险登记（单位）")
    page.get_by_label("服务对象").select_option("person")
    page.get_by_label("即办件").uncheck()
    page.get_by_label("零跑动").check()
    page.get_by_role("button", name="应用筛选").click()
    expect(page.locator(".item-card h2")).to_have_text(["社会保障卡申领"])


def test_item_page_and_situation_checklist(page: Page, site):
    url, card = site
    page.goto(f"{url}/items/{card.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("社会保障卡申领")
    rows = page.locator("#checklist tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator('tr[data-material="id-card"]')).to_contain_text("无需提交")
    expect(page.locator('tr[data-material="id-card"]')).to_contain_text("测试市公安局")
    # Choosing a situation swaps the checklist in place (htmx) and keeps a shareable URL.
    page.get_by_label("补领").check()
    expect(rows).to_have_count(2)
    expect(page.locator('tr[data-material="loss-statement"]')).to_contain_text("告知承诺")
    expect(page).to_have_url(re.compile(r"situation=replace"))
    page.get_by_label("首次申领").check()
    expect(page.locator('tr[data-material="photo"]')).to_be_visible()
    expect(rows).to_have_count(2)


def test_checklist_works_without_javascript(browser, site):
    url, card = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{url}/items/{card.code}/")
    page.get_by_label("补领").check()
    page.get_by_role("button", name="查看该情形的材料").click()
    expect(page.locator("#checklist tbody tr")).to_have_count(2)
    context.close()


def test_language_switch(page: Page, site):
    url, _ = site
    page.goto(url + "/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Unemployment insurance benefit")).to_be_visible()
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")


def test_phone_layout_has_no_horizontal_scroll(browser, site):
    url, card = site
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(f"{url}/items/{card.code}/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    # The guide in English, whose department menu holds long English names.
    Department.objects.filter(code="insurance").update(
        name_en="Lanzhou Municipal Social Insurance Administration and Service Centre"
    )
    for language in ("zh-hans", "en"):
        context.add_cookies([{"name": "django_language", "value": language, "url": url}])
        page.goto(f"{url}/")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, language
    context.close()


def test_scoreboard_draws_its_chart(page: Page, site):
    url, _ = site
    page.goto(url + "/stats/")
    expect(page.locator('[data-kpi="at_most_once_rate"] .v')).to_have_text("100.0%")
    expect(page.locator("#kpi-chart canvas")).to_have_count(1)
