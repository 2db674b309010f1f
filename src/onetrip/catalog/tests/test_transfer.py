"""Import and export: round trips through JSON and .xlsx, and broken files write nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from onetrip.catalog import services, transfer
from onetrip.catalog.models import Department, Item, ItemVersion
from onetrip.catalog.tests.factories import DEPARTMENTS, item_doc, item_publish

pytestmark = pytest.mark.django_db


def _import(raw: bytes, *, xlsx: bool, publish: bool = True) -> dict:
    bundle = transfer.parse_xlsx(raw) if xlsx else transfer.parse_json(raw)
    departments, items = transfer.validate_documents(bundle)
    return services.catalogue_import(
        departments=departments, items=items, user=None, publish=publish
    )


def _wipe() -> None:
    """Empty the database the only way published versions allow: a full flush."""
    call_command("flush", interactive=False, verbosity=0)
    assert not Department.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("xlsx", [False, True], ids=["json", "xlsx"])
def test_export_then_import_reproduces_the_catalogue(xlsx):
    from onetrip.catalog.tests.factories import departments_create

    departments_create()
    item_publish()
    item_publish(
        department="insurance",
        name="社会保险登记",
        fee_charged=True,
        fees=[{"name": "工本费", "standard": "20元", "basis": "某文件", "reduction": ""}],
    )
    before = transfer.export_documents()
    raw = transfer.export_xlsx() if xlsx else transfer.export_json()
    _wipe()
    counts = _import(raw, xlsx=xlsx)
    assert counts["created"] == 2 and counts["published"] == 2
    after = transfer.export_documents()
    assert after == before


def test_reimporting_unchanged_content_makes_no_new_version(departments):
    item_publish()
    raw = transfer.export_json()
    counts = _import(raw, xlsx=False)
    assert counts["unchanged"] == 1
    assert ItemVersion.objects.count() == 1


def test_changed_content_becomes_a_new_version(departments):
    item = item_publish()
    data = json.loads(transfer.export_json())
    data["items"][0]["promised_limit"] = 1
    counts = _import(json.dumps(data).encode(), xlsx=False)
    assert counts["updated"] == 1 and counts["published"] == 1
    item.refresh_from_db()
    assert item.current_version.number == 2
    assert item.current_version.promised_limit == 1


def _broken_workbook() -> bytes:
    raw = transfer.export_xlsx()
    wb = load_workbook(io.BytesIO(raw))
    items = wb["事项 (items)"]
    header = [c.value for c in items[1]]
    col = {h.split("(")[-1].rstrip(")"): i + 1 for i, h in enumerate(header)}
    items.cell(row=2, column=col["kind"], value="魔法")  # not a kind
    items.cell(row=2, column=col["promised_limit"], value="三天")  # not a number
    items.cell(row=3, column=col["department"], value="nowhere")  # unknown department
    mats = wb["材料 (materials)"]
    mheader = [c.value for c in mats[1]]
    mcol = {h.split("(")[-1].rstrip(")"): i + 1 for i, h in enumerate(mheader)}
    mats.cell(row=2, column=mcol["source"], value="天上掉的")
    mats.cell(row=3, column=mcol["item"], value="NO-SUCH-ITEM")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_broken_spreadsheet_reports_every_error_and_writes_nothing(departments):
    item_publish()
    item_publish(name="失业登记")
    raw = _broken_workbook()
    versions_before = ItemVersion.objects.count()
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(raw, xlsx=True)
    problems = {(p.sheet, p.row, p.field) for p in caught.value.problems}
    assert ("事项 (items)", 2, "kind") in problems
    assert ("事项 (items)", 2, "promised_limit") in problems
    assert ("事项 (items)", 3, "department") in problems
    assert ("材料 (materials)", 2, "source") in problems
    assert ("材料 (materials)", 3, "item") in problems
    assert all(p.message for p in caught.value.problems)
    assert ItemVersion.objects.count() == versions_before


def test_quality_failure_during_import_rolls_back_everything(departments):
    good = item_doc(code="GOOD-1")
    bad = item_doc(code="BAD-1", visits_required=1, visits_reason="", online_depth=3)
    bundle = transfer.parse_mapping({"departments": DEPARTMENTS, "items": [good, bad]})
    deps, items = transfer.validate_documents(bundle)
    with pytest.raises(services.QualityError) as caught:
        services.catalogue_import(departments=deps, items=items, user=None, publish=True)
    assert any("BAD-1" in v.field for v in caught.value.violations)
    assert not Item.objects.filter(code__in=["GOOD-1", "BAD-1"]).exists()


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"[1, 2]", b'{"items": 3}', b"\xff\xfe garbage", b"[" * 100000],
)
def test_garbage_json_is_a_clear_error(db, raw):
    with pytest.raises(transfer.ImportRejected) as caught:
        transfer.validate_documents(transfer.parse_json(raw))
    assert caught.value.problems[0].message


def test_garbage_xlsx_is_a_clear_error(db):
    with pytest.raises(transfer.ImportRejected) as caught:
        transfer.validate_documents(transfer.parse_xlsx(b"PK\x03\x04 not really a zip"))
    assert "xlsx" in caught.value.problems[0].message


def test_shipped_catalogue_is_valid_and_meets_the_promise(db):
    bundle = transfer.load_shipped()
    departments, items = transfer.validate_documents(bundle)
    counts = services.catalogue_import(
        departments=departments, items=items, user=None, publish=True
    )
    assert counts["published"] == len(items) >= 31
    assert sum(1 for i in items if i["visits_required"] <= 1) >= 31
    names = {i["name"] for i in items}
    assert {"社会保障卡申领", "失业保险金申领"} <= names


APPEAL = {"reconsideration_body": "测试市人民政府", "litigation_court": "测试市某区人民法院"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("xlsx", [False, True], ids=["json", "xlsx"])
def test_the_appeal_bodies_survive_export_and_import(xlsx):
    from onetrip.catalog.tests.factories import departments_create

    departments_create()
    Department.objects.filter(code="jobs").update(**APPEAL)
    item_publish()
    raw = transfer.export_xlsx() if xlsx else transfer.export_json()
    if xlsx:
        header = [c.value for c in load_workbook(io.BytesIO(raw))["部门 (departments)"][1]]
        assert "行政复议机关 (reconsideration_body)" in header
        assert "行政诉讼管辖法院 (litigation_court)" in header
    _wipe()
    _import(raw, xlsx=xlsx)
    jobs = Department.objects.get(code="jobs")
    assert (jobs.reconsideration_body, jobs.litigation_court) == tuple(APPEAL.values())
    assert Department.objects.get(code="bureau").reconsideration_body == ""


@pytest.mark.parametrize(
    "value", [["测试市人民政府"], {"name": "测试市人民政府"}, True, "政" * 61], ids=repr
)
@pytest.mark.parametrize("field", ["reconsideration_body", "litigation_court"])
def test_a_bad_appeal_body_refuses_the_whole_import(departments, field, value):
    jobs = {**DEPARTMENTS[1], "name": "改名的就业中心", field: value}
    bundle = transfer.parse_mapping({"departments": [jobs], "items": [item_doc(code="NEW-1")]})
    with pytest.raises(transfer.ImportRejected) as caught:
        transfer.validate_documents(bundle)
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.field) == ("departments", 1, field)
    assert problem.message
    assert Department.objects.get(code="jobs").name == "测试市就业服务中心"
    assert not Item.objects.filter(code="NEW-1").exists()


def test_an_over_long_appeal_body_in_a_workbook_names_its_cell(departments):
    item_publish()
    wb = load_workbook(io.BytesIO(transfer.export_xlsx()))
    sheet = wb["部门 (departments)"]
    header = [c.value for c in sheet[1]]
    column = header.index("行政复议机关 (reconsideration_body)") + 1
    sheet.cell(row=3, column=column, value="政" * 61)
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(transfer.ImportRejected) as caught:
        _import(buf.getvalue(), xlsx=True)
    problems = {(p.sheet, p.row, p.field): p.message for p in caught.value.problems}
    assert "60" in problems[("部门 (departments)", 3, "reconsideration_body")]
    assert not Department.objects.exclude(reconsideration_body="").exists()


@pytest.mark.parametrize("value", ["诉" * 1001, ["向人民法院起诉"]], ids=["too long", "a list"])
def test_a_bad_remedy_refuses_the_whole_import(departments, value):
    bundle = transfer.parse_mapping({"items": [item_doc(code="NEW-1", remedy=value)]})
    with pytest.raises(transfer.ImportRejected) as caught:
        transfer.validate_documents(bundle)
    [problem] = caught.value.problems
    assert problem.field == "remedy" and problem.message
    assert not Item.objects.filter(code="NEW-1").exists()


def test_an_unknown_date_range_refuses_the_whole_import(departments):
    doc = item_doc(code="NEW-1")
    doc["form_fields"][0] = {**doc["form_fields"][0], "date_bound": "someday"}
    bundle = transfer.parse_mapping({"items": [doc]})
    with pytest.raises(transfer.ImportRejected) as caught:
        transfer.validate_documents(bundle)
    [problem] = caught.value.problems
    assert "date_bound" in problem.field and problem.message
    assert not Item.objects.filter(code="NEW-1").exists()


def test_a_date_range_survives_export_and_import(departments):
    doc = item_doc(code="DATE-1")
    doc["form_fields"].append(
        {"code": "left_on", "label": "离职日期", "field_type": "date", "date_bound": "past"}
    )
    item_publish(**{k: v for k, v in doc.items() if k != "code"}, code="DATE-1")
    for bundle in (
        transfer.parse_json(transfer.export_json()),
        transfer.parse_xlsx(transfer.export_xlsx()),
    ):
        _departments, items = transfer.validate_documents(bundle)
        [item] = [i for i in items if i["code"] == "DATE-1"]
        left_on = next(f for f in item["form_fields"] if f["code"] == "left_on")
        assert left_on["date_bound"] == "past"


def test_a_remedy_survives_export_and_import(departments):
    item_publish(code="ARB-1", remedy="对不予受理不服的，可以向人民法院提起诉讼。")
    exported = transfer.export_json()
    assert '"remedy": "对不予受理不服的，可以向人民法院提起诉讼。"' in exported.decode()
