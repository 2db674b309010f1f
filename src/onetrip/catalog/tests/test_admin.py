"""Catalogue staff in the Django admin: their department only, publish through the rules."""

from __future__ import annotations

import pytest

from onetrip.catalog import services
from onetrip.catalog.models import ItemVersion
from onetrip.catalog.tests.factories import catalogue_staff, item_doc, item_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, departments):
    user = catalogue_staff("jobs")
    client.force_login(user)
    return client


def test_staff_see_only_their_departments_items(staff_client):
    mine = item_publish(department="jobs", name="就业登记")
    theirs = item_publish(department="insurance", name="社会保险登记")
    html = staff_client.get("/admin/catalog/item/").content.decode()
    assert mine.code in html and theirs.code not in html
    assert staff_client.get(f"/admin/catalog/item/{theirs.pk}/change/").status_code == 302
    version = theirs.current_version
    r = staff_client.get(f"/admin/catalog/itemversion/{version.pk}/change/")
    assert r.status_code == 302  # not theirs: sent back to the admin index


def test_publish_action_runs_the_quality_rules(staff_client):
    bad = services.item_create(
        data=item_doc(visits_required=1, visits_reason="", online_depth=3), user=None
    )
    good = services.item_create(data=item_doc(), user=None)
    versions = [bad.versions.get().pk, good.versions.get().pk]
    r = staff_client.post(
        "/admin/catalog/itemversion/",
        {"action": "publish", "_selected_action": versions},
        follow=True,
    )
    html = r.content.decode()
    assert "未发布" in html and "必须填写必须现场办理原因说明" in html
    assert ItemVersion.objects.get(pk=versions[0]).status == "draft"
    assert ItemVersion.objects.get(pk=versions[1]).status == "published"


def test_published_version_is_read_only(staff_client):
    item = item_publish()
    url = f"/admin/catalog/itemversion/{item.current_version_id}/change/"
    html = staff_client.get(url).content.decode()
    assert "内容已冻结" in html and 'name="_save"' not in html
    assert staff_client.post(url, {"name": "改名"}).status_code == 403
    item.current_version.refresh_from_db()
    assert item.current_version.name == "社会保障卡申领"


def test_draft_edit_and_save_and_publish_button(staff_client):
    item = item_publish()
    draft = services.item_draft_from_version(item=item, user=None)
    html = staff_client.get(f"/admin/catalog/itemversion/{draft.pk}/change/").content.decode()
    assert "保存并发布" in html and "全部通过" in html


def test_diff_view_between_versions(staff_client):
    item = item_publish()
    doc = item_doc(promised_limit=1)
    services.item_draft_save(item=item, data=doc, user=None)
    html = staff_client.get(f"/admin/catalog/item/{item.pk}/diff/?a=1&b=2").content.decode()
    assert "承诺办结时限" in html and "diff-changed" in html


def test_new_draft_action(staff_client):
    item = item_publish()
    staff_client.post(
        "/admin/catalog/item/", {"action": "new_draft", "_selected_action": [item.pk]}
    )
    assert item.versions.filter(status="draft", number=2).exists()


def test_department_credit_code_is_checked(client, departments):
    from onetrip.accounts.models import User

    admin = User.objects.create_superuser("root", "", "pw-root-123")
    client.force_login(admin)
    dept = departments["bureau"]
    data = {
        "code": dept.code,
        "name": dept.name,
        "credit_code": "116201000139240627",
        "role": "service",
        "order": 1,
        "short_name": "",
        "name_en": "",
        "address": "",
        "phone": "",
        "office_hours": "",
    }
    html = client.post(f"/admin/catalog/department/{dept.pk}/change/", data).content.decode()
    assert "统一社会信用代码校验位不正确" in html


def test_catalogue_staff_set_where_to_appeal_on_their_department(client, departments):
    from onetrip.catalog.models import Department

    client.force_login(catalogue_staff("jobs"))
    jobs = departments["jobs"]
    url = f"/admin/catalog/department/{jobs.pk}/change/"
    page = client.get(url).content.decode()
    assert "行政复议机关" in page and "行政诉讼管辖法院" in page
    data = {
        "name": jobs.name,
        "order": 2,
        "short_name": "",
        "name_en": "",
        "credit_code": "",
        "address": "",
        "phone": "",
        "office_hours": "",
        "reconsideration_body": "政" * 61,
        "litigation_court": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "不超过 60 字符" in response.content.decode()
    assert Department.objects.get(pk=jobs.pk).reconsideration_body == ""
    data["reconsideration_body"] = "测试市人民政府"
    assert client.post(url, data).status_code == 302
    assert Department.objects.get(pk=jobs.pk).reconsideration_body == "测试市人民政府"
