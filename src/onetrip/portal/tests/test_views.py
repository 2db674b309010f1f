"""The public guide pages, as a person without JavaScript sees them."""

from __future__ import annotations

import pytest

from onetrip.catalog.tests.factories import item_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(departments):
    card = item_publish()
    benefit = item_publish(
        name="失业保险金申领",
        name_en="Unemployment benefit",
        keywords="失业金",
        department="insurance",
        serves_enterprises=False,
        visits_required=1,
        visits_reason="首次申领需现场核验",
        online_depth=3,
        handling_type="promised",
    )
    unit = item_publish(
        name="社会保险登记（单位）",
        serves_persons=False,
        serves_enterprises=True,
        handling_type="instant",
        promised_limit=0,
        department="insurance",
    )
    return card, benefit, unit


def _names(response) -> list[str]:
    return [v.name for v in response.context["results"]]


def test_home_lists_everything_published(client, catalogue):
    r = client.get("/")
    assert r.status_code == 200
    assert _names(r) == ["社会保障卡申领", "失业保险金申领", "社会保险登记（单位）"]
    assert "共 3 个事项" in r.content.decode()


def test_search_by_short_name_and_pinyin(client, catalogue):
    assert _names(client.get("/", {"q": "社保卡"}))[0] == "社会保障卡申领"
    assert _names(client.get("/", {"q": "失业金"})) == ["失业保险金申领"]
    assert _names(client.get("/", {"q": "shbzk"})) == ["社会保障卡申领"]
    r = client.get("/", {"q": "不存在的东西"})
    assert _names(r) == [] and "没有找到符合条件的事项" in r.content.decode()


def test_filters(client, catalogue):
    assert _names(client.get("/", {"zero_visits": "1"})) == [
        "社会保障卡申领",
        "社会保险登记（单位）",
    ]
    assert _names(client.get("/", {"fully_online": "1", "target": "person"})) == ["社会保障卡申领"]
    assert _names(client.get("/", {"instant": "1"})) == ["社会保险登记（单位）"]
    assert _names(client.get("/", {"target": "enterprise"})) == ["社会保险登记（单位）"]
    assert _names(client.get("/", {"department": "insurance"})) == [
        "失业保险金申领",
        "社会保险登记（单位）",
    ]
    # The bureau includes its units; unknown values are ignored, not errors.
    assert len(_names(client.get("/", {"department": "bureau"}))) == 3
    assert len(_names(client.get("/", {"department": "nope", "target": "x"}))) == 3


def test_item_page_marks_what_need_not_be_brought(client, catalogue):
    card = catalogue[0]
    r = client.get(f"/items/{card.code}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "无需提交" in html and "由测试市公安局通过数据共享提供" in html
    assert "以书面告知承诺替代" in html
    for text in ("受理条件", "办理流程", "监督投诉电话", "0931-12345", "常见问题", "结果样本"):
        assert text in html


def test_situation_changes_the_checklist(client, catalogue):
    card = catalogue[0]
    first = client.get(f"/items/{card.code}/", {"situation": "first"}).context["materials"]
    replace = client.get(f"/items/{card.code}/", {"situation": "replace"}).context["materials"]
    assert [m.code for m in first] == ["id-card", "photo"]
    assert [m.code for m in replace] == ["id-card", "loss-statement"]
    r = client.get(f"/items/{card.code}/", {"situation": "bogus"})
    assert r.status_code == 200 and "所选情形不存在" in r.content.decode()


def test_htmx_request_gets_only_the_checklist(client, catalogue):
    card = catalogue[0]
    r = client.get(f"/items/{card.code}/", {"situation": "first"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert html.lstrip().startswith('<div id="checklist"') and "<html" not in html


def test_unknown_item_is_a_chinese_404(client, catalogue):
    r = client.get("/items/NOPE/")
    assert r.status_code == 404 and "页面不存在" in r.content.decode()


def test_english_switch(client, catalogue):
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = r.content.decode()
    assert '<html lang="en">' in html
    assert "Unemployment benefit" in html
    assert "Service guide" in html


def test_stats_page_shows_kpis(client, catalogue):
    r = client.get("/stats/")
    html = r.content.decode()
    assert r.status_code == 200
    for label in (
        "最多跑一次实现率",
        "跑零次率",
        "网上可办率",
        "全程网办率",
        "即办件率",
        "承诺时限压缩比",
        "材料免提交率",
    ):
        assert label in html
    assert "100.0%" in html  # every item here needs at most one visit
    assert 'id="kpi-chart"' in html and "echarts" in html


def test_long_lists_are_paginated(client, departments):
    for i in range(23):
        item_publish(name=f"测试事项{i:02d}", keywords="")
    first = client.get("/")
    assert len(first.context["results"]) == 20
    html = first.content.decode()
    assert "第 1 页，共 2 页" in html and 'rel="next"' in html
    second = client.get("/", {"page": 2})
    assert len(second.context["results"]) == 3
    # Filters survive paging, and a nonsense page number shows a real page.
    assert "zero_visits=1&amp;page=2" in client.get("/", {"zero_visits": 1}).content.decode()
    assert client.get("/", {"page": "abc"}).status_code == 200


def test_pages_name_their_icon_and_favicon_ico_leads_to_it(client, catalogue):
    page = client.get("/").content.decode()
    assert 'rel="icon" href="/static/onetrip/favicon.svg"' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/onetrip/favicon.svg"


def test_english_counts_say_day_or_days():
    from django.utils import translation

    with translation.override("en"):
        one = translation.ngettext("剩余 %(n)s 个工作日", "剩余 %(n)s 个工作日", 1) % {"n": 1}
        two = translation.ngettext("剩余 %(n)s 个工作日", "剩余 %(n)s 个工作日", 2) % {"n": 2}
    assert (one, two) == ("1 working day left", "2 working days left")


def test_the_item_page_says_where_to_appeal_when_the_department_names_it(client, catalogue):
    card = catalogue[0]
    page = client.get(f"/items/{card.code}/").content.decode()
    assert "救济途径" not in page  # the test departments name no review body or court
    card.department.reconsideration_body = "测试市人民政府"
    card.department.save()
    page = client.get(f"/items/{card.code}/").content.decode()
    assert "救济途径" in page
    assert "向测试市人民政府申请，自收到决定之日起六十日内" in page
    assert "依法向人民法院提起，自收到决定之日起六个月内" in page


def test_the_shipped_items_say_where_to_appeal(client, db):
    from django.core.management import call_command

    from onetrip.catalog.models import Item

    call_command("load_catalogue", verbosity=0)
    item = Item.objects.get(current_version__name="社会保障卡申领")
    page = client.get(f"/items/{item.code}/").content.decode()
    assert "向兰州市人民政府申请，自收到决定之日起六十日内" in page


def test_the_arbitration_guide_states_its_own_remedy(client, db):
    from django.core.management import call_command

    from onetrip.catalog.models import Item

    call_command("load_catalogue", verbosity=0)
    item = Item.objects.get(current_version__name="劳动人事争议仲裁申请")
    page = client.get(f"/items/{item.code}/").content.decode()
    remedy = page.split("data-remedy>")[1].split("</p>")[0]
    assert "向人民法院提起诉讼" in remedy and "第二十九条" in remedy
    assert "申请行政复议" not in page.split('id="appeal"')[1].split("<h2")[0]
