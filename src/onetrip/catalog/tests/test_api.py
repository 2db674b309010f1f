"""The catalogue API: public reads, staff writes, problem documents on every error."""

from __future__ import annotations

import io
import json

import pytest
from rest_framework.test import APIClient

from onetrip.catalog import transfer
from onetrip.catalog.models import Item, ItemVersion
from onetrip.catalog.tests.factories import catalogue_staff, item_doc, item_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["detail"]
    return body


def test_public_list_and_search(api, departments):
    item_publish()
    item_publish(
        name="失业保险金申领",
        keywords="失业金",
        visits_required=1,
        visits_reason="需现场核验",
        online_depth=3,
    )
    names = [r["name"] for r in api.get("/api/v1/items/").json()]
    assert names == ["社会保障卡申领", "失业保险金申领"]
    assert [r["name"] for r in api.get("/api/v1/items/", {"q": "社保卡"}).json()] == [
        "社会保障卡申领"
    ]
    assert [r["name"] for r in api.get("/api/v1/items/", {"q": "sybxj"}).json()] == [
        "失业保险金申领"
    ]
    zero = api.get("/api/v1/items/", {"zero_visits": "true"}).json()
    assert [r["name"] for r in zero] == ["社会保障卡申领"]


def test_drafts_are_not_public(api, departments):
    item = Item.objects.create(code="DRAFT-1", department_id=departments["jobs"].pk)
    _problem(api.get(f"/api/v1/items/{item.code}/"), 404, "not_found")
    _problem(api.get("/api/v1/items/NOPE/"), 404, "not_found")


def test_item_detail_and_checklist(api, departments):
    item = item_publish()
    body = api.get(f"/api/v1/items/{item.code}/").json()
    assert body["version"]["number"] == 1 and body["version"]["status"] == "published"
    assert [m["code"] for m in body["materials"]] == ["id-card", "photo", "loss-statement"]
    first = api.get(f"/api/v1/items/{item.code}/checklist/", {"situation": "first"}).json()
    assert [m["code"] for m in first] == ["id-card", "photo"]
    assert first[0]["must_bring"] is False and "测试市公安局" in first[0]["reason"]
    _problem(
        api.get(f"/api/v1/items/{item.code}/checklist/", {"situation": "x"}),
        404,
        "unknown_situation",
    )


def test_writes_need_catalogue_staff_of_the_department(api, departments):
    item = item_publish(department="insurance")
    _problem(api.post("/api/v1/items/", item_doc(), format="json"), 401, "not_authenticated")
    api.force_authenticate(catalogue_staff("jobs"))
    _problem(api.get(f"/api/v1/items/{item.code}/versions/"), 403, "forbidden")
    _problem(
        api.put(f"/api/v1/items/{item.code}/draft/", item_doc(), format="json"), 403, "forbidden"
    )
    _problem(
        api.post("/api/v1/items/", item_doc(department="insurance"), format="json"),
        403,
        "forbidden",
    )


def test_staff_edit_draft_publish_and_diff(api, departments):
    item = item_publish()
    api.force_authenticate(catalogue_staff("jobs"))
    content = item_doc(promised_limit=1, name="社会保障卡申领（全程网办）")
    for key in ("code", "catalog_code", "department", "order"):
        content.pop(key)
    r = api.put(f"/api/v1/items/{item.code}/draft/", content, format="json")
    assert r.status_code == 200 and r.json()["version"]["status"] == "draft"
    r = api.post(f"/api/v1/items/{item.code}/draft/publish/")
    assert r.status_code == 200 and r.json()["version"]["number"] == 2
    assert api.get(f"/api/v1/items/{item.code}/").json()["promised_limit"] == 1
    diff = api.get(f"/api/v1/items/{item.code}/diff/", {"from": 1, "to": 2}).json()
    labels = {row["label"] for row in diff}
    assert {"事项名称", "承诺办结时限"} <= labels
    history = api.get(f"/api/v1/items/{item.code}/versions/").json()
    assert [v["number"] for v in history] == [1, 2]
    _problem(api.get(f"/api/v1/items/{item.code}/diff/", {"from": "a"}), 400, "invalid_version")


def test_publish_refusal_lists_every_violation(api, departments):
    api.force_authenticate(catalogue_staff("jobs"))
    doc = item_doc(
        visits_required=1, visits_reason="", online_depth=4, complaint_phone="0931-12333"
    )
    assert api.post("/api/v1/items/", doc, format="json").status_code == 201
    body = _problem(
        api.post(f"/api/v1/items/{doc['code']}/draft/publish/"), 422, "quality_rules_failed"
    )
    codes = {e["code"] for e in body["errors"]}
    assert {"visits_reason_missing", "full_online_with_visits", "same_phones"} <= codes
    assert ItemVersion.objects.get(item__code=doc["code"]).status == "draft"


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d.update(kind="magic"), "kind"),
        (lambda d: d.update(promised_limit=-3), "promised_limit"),
        (lambda d: d.update(department="nowhere"), "department"),
        (lambda d: d["materials"][0].update(source="sky"), "materials[0].source"),
        (lambda d: d.pop("name"), "name"),
    ],
)
def test_bad_documents_are_refused_field_by_field(api, departments, mutate, field):
    api.force_authenticate(catalogue_staff("jobs"))
    doc = item_doc()
    mutate(doc)
    body = _problem(api.post("/api/v1/items/", doc, format="json"), 400, "validation_error")
    assert field in {e["field"] for e in body["errors"]}
    assert not Item.objects.filter(code=doc["code"]).exists()


def test_status_cannot_be_mass_assigned(api, departments):
    api.force_authenticate(catalogue_staff("jobs"))
    doc = item_doc(status="published", number=7, content_digest="x")
    assert api.post("/api/v1/items/", doc, format="json").status_code == 201
    version = ItemVersion.objects.get(item__code=doc["code"])
    assert (version.status, version.number, version.content_digest) == ("draft", 1, "")


def test_import_over_api_json_and_xlsx(api, departments):
    item_publish()
    exported = api.get("/api/v1/catalogue/export.json")
    assert exported.status_code == 200
    data = json.loads(exported.content)
    data["items"][0]["name"] = "社会保障卡申领（修订）"
    data["departments"] = []
    api.force_authenticate(catalogue_staff("jobs"))
    r = api.post("/api/v1/catalogue/import/?publish=true", data, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["published"] == 1
    xlsx = api.get("/api/v1/catalogue/export.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    upload = io.BytesIO(xlsx.content)
    upload.name = "catalogue.xlsx"
    r = api.post("/api/v1/catalogue/import/", {"file": upload}, format="multipart")
    body = _problem(r, 422, "import_rejected")  # the workbook carries other departments
    assert any("无权导入部门" in e["message"] for e in body["errors"])


def test_import_errors_come_back_with_rows(api, departments):
    api.force_authenticate(catalogue_staff("bureau"))
    data = {"departments": [], "items": [item_doc(kind="x"), item_doc(department="zzz")]}
    body = _problem(
        api.post("/api/v1/catalogue/import/", data, format="json"), 422, "import_rejected"
    )
    where = {(e["sheet"], e["row"], e["field"]) for e in body["errors"]}
    assert ("items", 1, "kind") in where and ("items", 2, "department") in where
    assert not Item.objects.exists()


def test_shipped_layout_export_is_importable(departments):
    item_publish()
    assert transfer.export_documents()["format"] == "onetrip-catalogue"


def test_stats_api(api, departments):
    item_publish()
    item_publish(
        visits_required=2,
        visits_reason="现场核验",
        online_depth=2,
        promised_limit=5,
        legal_limit=10,
    )
    body = api.get("/api/v1/stats/catalogue/").json()
    overall = body["overall"]
    assert overall["items"] == 2
    assert overall["at_most_once_rate"] == 0.5
    assert overall["fully_online_rate"] == 0.5
    assert overall["limit_compression"] == round(1 - 7 / 20, 4)
    assert body["departments"][0]["department"]["code"] == "jobs"


def test_departments_say_where_to_appeal(api, departments):
    from onetrip.catalog.models import Department

    Department.objects.filter(code="jobs").update(reconsideration_body="测试市人民政府")
    rows = {d["code"]: d for d in api.get("/api/v1/departments/").json()}
    assert rows["jobs"]["reconsideration_body"] == "测试市人民政府"
    assert rows["jobs"]["litigation_court"] == "" == rows["bureau"]["reconsideration_body"]


def test_an_over_long_or_mistyped_appeal_body_is_a_problem_document(api, departments):
    from onetrip.catalog.models import Department

    api.force_authenticate(catalogue_staff("jobs"))
    jobs = {"code": "jobs", "name": "测试市就业服务中心", "parent": "bureau"}
    data = {
        "departments": [
            {**jobs, "reconsideration_body": "政" * 61, "litigation_court": ["某法院"]}
        ],
        "items": [],
    }
    body = _problem(
        api.post("/api/v1/catalogue/import/", data, format="json"), 422, "import_rejected"
    )
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert "60" in fields["reconsideration_body"] and fields["litigation_court"]
    assert Department.objects.get(code="jobs").reconsideration_body == ""
    data["departments"][0].update(reconsideration_body="测试市人民政府", litigation_court="")
    r = api.post("/api/v1/catalogue/import/", data, format="json")
    assert r.status_code == 200, r.content
    assert Department.objects.get(code="jobs").reconsideration_body == "测试市人民政府"
