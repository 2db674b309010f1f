"""Bad input and cross-department access found in review: each must be refused cleanly."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from onetrip.catalog import selectors, services, transfer
from onetrip.catalog.models import Department, Item
from onetrip.catalog.tests.factories import catalogue_staff, item_doc, item_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_unit_staff_cannot_move_their_department(client, departments):
    client.force_login(catalogue_staff("jobs"))
    jobs = departments["jobs"]
    data = {
        "code": "jobs",
        "name": "改名的就业中心",
        "parent": departments["insurance"].pk,
        "role": "data_owner",
        "order": 2,
        "short_name": "",
        "name_en": "",
        "credit_code": "",
        "address": "",
        "phone": "",
        "office_hours": "",
    }
    client.post(f"/admin/catalog/department/{jobs.pk}/change/", data)
    jobs.refresh_from_db()
    assert jobs.parent.code == "bureau" and jobs.role == "service"
    assert jobs.name == "改名的就业中心"  # the editable fields still save


def test_import_cannot_move_a_department_either(api, departments):
    api.force_authenticate(catalogue_staff("jobs"))
    data = {
        "departments": [{"code": "jobs", "name": "就业中心", "parent": "insurance"}],
        "items": [],
    }
    r = api.post("/api/v1/catalogue/import/", data, format="json")
    assert r.status_code == 422
    assert Department.objects.get(code="jobs").parent.code == "bureau"


@pytest.mark.parametrize("link", ["javascript:alert(1)", "//evil.example/x", "data:text/html,x"])
def test_material_links_must_be_web_addresses(api, departments, link):
    api.force_authenticate(catalogue_staff("jobs"))
    doc = item_doc()
    doc["materials"][1]["blank_form"] = link
    r = api.post("/api/v1/items/", doc, format="json")
    assert r.status_code == 400
    assert "materials[1].blank_form" in {e["field"] for e in r.json()["errors"]}


@pytest.mark.parametrize("code", ["X/1", "a b", "../etc", "", "中文编码"])
def test_item_codes_are_url_safe(api, departments, code):
    api.force_authenticate(catalogue_staff("jobs"))
    r = api.post("/api/v1/items/", item_doc(code=code), format="json")
    assert r.status_code == 400
    assert not Item.objects.exists()


def test_non_scalar_codes_in_an_import_are_errors_not_crashes(api, departments):
    api.force_authenticate(catalogue_staff("bureau"))
    data = {"departments": [{"code": ["x"], "name": "x"}], "items": [{"code": {"a": 1}}]}
    r = api.post("/api/v1/catalogue/import/", data, format="json")
    assert r.status_code == 422
    assert r.json()["errors"]


def test_quality_failures_in_an_import_name_row_and_field(departments):
    bad = item_doc(visits_required=1, visits_reason="", online_depth=3)
    bundle = transfer.parse_mapping({"departments": [], "items": [item_doc(), bad]})
    with pytest.raises(transfer.ImportRejected) as caught:
        transfer.validate_documents(bundle, publish=True)
    assert ("items", 2, "visits_reason") in {
        (p.sheet, p.row, p.field) for p in caught.value.problems
    }


def test_catalog_code_change_alone_is_imported(departments):
    item = item_publish()
    data = json.loads(transfer.export_json())
    data["items"][0]["catalog_code"] = "999999999999"
    bundle = transfer.parse_mapping(data)
    deps, items = transfer.validate_documents(bundle, publish=True)
    counts = services.catalogue_import(departments=deps, items=items, user=None, publish=True)
    item.refresh_from_db()
    assert item.catalog_code == "999999999999" and counts["updated"] == 1
    assert item.versions.count() == 1  # identity changed, content did not


def test_diff_reports_reordered_materials(departments):
    item = item_publish()
    doc = item_doc()
    doc["materials"].reverse()
    services.item_draft_save(item=item, data=doc, user=None)
    rows = selectors.version_diff(item.versions.get(number=1), item.versions.get(number=2))
    assert any(r.label == "排列顺序" and r.section == "申请材料" for r in rows)


def test_duplicate_fee_names_and_questions_are_refused(api, departments):
    api.force_authenticate(catalogue_staff("jobs"))
    doc = item_doc(
        faqs=[{"question": "同一个问题", "answer": "a"}, {"question": "同一个问题", "answer": "b"}]
    )
    r = api.post("/api/v1/items/", doc, format="json")
    assert r.status_code == 400 and "faqs" in {e["field"] for e in r.json()["errors"]}


def test_formula_like_text_survives_the_spreadsheet_as_text(departments):
    item_publish(faqs=[{"question": "公式？", "answer": '=HYPERLINK("http://x","y")'}])
    raw = transfer.export_xlsx()
    ws = load_workbook(io.BytesIO(raw))["常见问题 (faqs)"]
    assert ws.cell(row=2, column=3).data_type == "s"
    bundle = transfer.parse_xlsx(raw)
    _, items = transfer.validate_documents(bundle)
    assert items[0]["faqs"][0]["answer"] == '=HYPERLINK("http://x","y")'


def test_admin_diff_of_item_without_versions(client, departments):
    client.force_login(catalogue_staff("jobs"))
    item = Item.objects.create(code="EMPTY-1", department=departments["jobs"])
    r = client.get(f"/admin/catalog/item/{item.pk}/diff/")
    assert r.status_code == 302


def test_english_search(client, departments):
    item_publish()
    r = client.get("/", {"q": "social security card"})
    assert [v.name for v in r.context["results"]] == ["社会保障卡申领"]


@pytest.mark.parametrize("path", ["versions/", "versions/1/", "draft/", "diff/?from=1&to=1"])
def test_other_departments_versions_are_forbidden_over_api(api, departments, path):
    item = item_publish(department="insurance")
    api.force_authenticate(catalogue_staff("jobs"))
    assert api.get(f"/api/v1/items/{item.code}/{path}").status_code == 403


def test_other_departments_diff_is_hidden_in_admin(client, departments):
    item = item_publish(department="insurance")
    client.force_login(catalogue_staff("jobs"))
    assert client.get(f"/admin/catalog/item/{item.pk}/diff/").status_code == 404
