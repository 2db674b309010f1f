"""A supervisor in headless Chromium: the dashboard, a drill-down, the application."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from onetrip.supervision.tests.scenario import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_drills_down_from_the_dashboard_to_an_application(page: Page, live_server):
    s = build()  # today (after the scenario week) A and D are overdue in 就业
    client = Client()
    client.force_login(s.w.supervisor)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + "/workbench/")
    page.get_by_role("link", name="电子监察").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("电子监察")
    expect(page.locator("#time-left-chart canvas")).to_have_count(1)  # ECharts drew it
    overdue = page.locator(
        f'#time-left-table tr[data-department="{s.jobs.pk}"] td[data-bucket="overdue"] a'
    )
    expect(overdue).to_have_text("2")
    overdue.click()
    expect(page).to_have_url(re.compile(r"/supervision/applications/\?.*bucket=overdue"))
    expect(page.get_by_role("status")).to_contain_text("共 2 件")
    page.get_by_role("link", name=s.a.tracking_number).click()
    expect(page).to_have_url(re.compile(rf"/workbench/applications/{s.a.tracking_number}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("社会保障卡申领")
