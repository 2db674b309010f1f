"""Import and export of the catalogue as JSON, YAML (the shipped files) and .xlsx.

Parsing never writes. ``validate_documents`` checks everything and reports every problem
with where it is (sheet or list, row, field); only a clean result reaches
``services.catalogue_import``.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from onetrip.catalog import quality
from onetrip.catalog.documents import (
    FAQ_FIELDS,
    FEE_FIELDS,
    FORM_FIELD_FIELDS,
    ITEM_FIELDS,
    MATERIAL_FIELDS,
    SITUATION_FIELDS,
    STAGE_FIELDS,
    VERSION_FIELDS,
    item_document,
)
from onetrip.catalog.models import Department, Item, ItemVersion
from onetrip.catalog.serializers import DepartmentDocumentSerializer, ItemDocumentSerializer
from onetrip.core.problems import _flatten

FORMAT_VERSION = 1
SHIPPED_DATA_DIR = Path(__file__).resolve().parent / "data"

DEPARTMENT_FIELDS = [
    "code",
    "name",
    "name_en",
    "short_name",
    "credit_code",
    "parent",
    "role",
    "address",
    "phone",
    "office_hours",
    "reconsideration_body",
    "litigation_court",
    "order",
]


@dataclass
class Problem:
    """One thing wrong with an import: where it is and what to fix."""

    sheet: str
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = (
            _("{sheet} 第 {row} 行").format(sheet=self.sheet, row=self.row)
            if self.row
            else self.sheet
        )
        return (
            _("{where} {field}：{message}").format(
                where=where, field=self.field, message=self.message
            )
            if self.field
            else _("{where}：{message}").format(where=where, message=self.message)
        )


class ImportRejected(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(
            _("导入内容有 {count} 处错误，未写入任何数据。").format(count=len(problems))
        )
        self.problems = problems


@dataclass
class Bundle:
    """Parsed documents, each remembering where it came from for error reports."""

    departments: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    # parallel to items/departments: {"": (sheet,row), "materials": [(sheet,row), ...], ...}
    item_origins: list[dict[str, Any]] = field(default_factory=list)
    department_origins: list[tuple[str, int]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# ---------------------------------------------------------------- validation


def _origin_for(origins: dict[str, Any], path: str) -> tuple[str, int, str]:
    """Map a serializer error path like ``materials[2].source`` to (sheet, row, field)."""
    m = re.match(r"^(situations|materials|fees|faqs|form_fields|stages)\[(\d+)\]\.?(.*)$", path)
    if m and m.group(1) in origins and int(m.group(2)) < len(origins[m.group(1)]):
        sheet, row = origins[m.group(1)][int(m.group(2))]
        return sheet, row, m.group(3)
    sheet, row = origins[""]
    return sheet, row, path


def validate_documents(
    bundle: Bundle, *, publish: bool = False, scope: set[int] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Validate every document; raise ImportRejected listing all problems, or return clean ones.

    With ``publish`` the quality rules run here too, so their violations carry sheet and row.
    ``scope`` (department ids, None = all) limits what a catalogue staff member may import.
    """
    problems = list(bundle.problems)
    existing = {d.code: d for d in Department.objects.select_related("parent")}
    incoming = {
        d.get("code")
        for d in bundle.departments
        if isinstance(d, dict) and isinstance(d.get("code"), str)
    }
    known = set(existing) | {c for c in incoming if c}
    allowed = None if scope is None else {c for c, d in existing.items() if d.pk in scope}
    departments: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, raw in enumerate(bundle.departments):
        sheet, row = (
            bundle.department_origins[i]
            if i < len(bundle.department_origins)
            else ("departments", i + 1)
        )
        s = DepartmentDocumentSerializer(data=raw)
        if not s.is_valid():
            problems += [Problem(sheet, row, e["field"], e["message"]) for e in _flatten(s.errors)]
            continue
        data = dict(s.validated_data)
        if data["code"] in seen:
            problems.append(
                Problem(sheet, row, "code", _("部门代码重复：{code}").format(code=data["code"]))
            )
        seen.add(data["code"])
        if data["parent"] and data["parent"] not in known:
            problems.append(
                Problem(
                    sheet, row, "parent", _("上级部门不存在：{code}").format(code=data["parent"])
                )
            )
        if allowed is not None:
            current = existing.get(data["code"])
            if current is None or data["code"] not in allowed:
                problems.append(
                    Problem(
                        sheet, row, "code", _("您无权导入部门“{code}”。").format(code=data["code"])
                    )
                )
            elif (current.parent.code if current.parent else "") != data["parent"] or (
                current.role != data["role"]
            ):
                problems.append(
                    Problem(sheet, row, "parent", _("只有系统管理员可以更改部门的上级部门或类别。"))
                )
        departments.append(data)
    items: list[dict[str, Any]] = []
    codes: set[str] = set()
    for i, raw in enumerate(bundle.items):
        origins = bundle.item_origins[i] if i < len(bundle.item_origins) else {"": ("items", i + 1)}
        if not isinstance(raw, dict):
            problems.append(Problem(*origins[""], "", _("每个事项必须是一个对象。")))
            continue
        s = ItemDocumentSerializer(data=raw, context={"department_codes": known})
        if not s.is_valid():
            for e in _flatten(s.errors):
                sheet, row, fld = _origin_for(origins, e["field"])
                problems.append(Problem(sheet, row, fld, e["message"]))
            continue
        data = _plain(s.validated_data)
        if data["code"] in codes:
            problems.append(
                Problem(*origins[""], "code", _("实施编码重复：{code}").format(code=data["code"]))
            )
        codes.add(data["code"])
        if allowed is not None and data["department"] not in allowed:
            problems.append(
                Problem(
                    *origins[""],
                    "department",
                    _("您无权导入部门“{code}”的事项。").format(code=data["department"]),
                )
            )
        current_item = Item.objects.filter(code=data["code"]).select_related("department").first()
        if current_item is not None and current_item.department.code != data["department"]:
            problems.append(
                Problem(*origins[""], "department", _("事项的实施主体不能通过导入更改。"))
            )
        if publish:
            for v in quality.check(data):
                sheet, row, fld = _origin_for(origins, v.field)
                problems.append(Problem(sheet, row, fld, v.message))
        items.append(data)
    if problems:
        raise ImportRejected(problems)
    return departments, items


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# ---------------------------------------------------------------- JSON / YAML


def parse_mapping(data: Any, source: str = "JSON") -> Bundle:
    """A bundle from a decoded JSON/YAML document ``{"departments": [...], "items": [...]}``."""
    bundle = Bundle()
    if not isinstance(data, dict):
        bundle.problems.append(
            Problem(source, 0, "", _("顶层必须是包含 departments 和 items 的对象。"))
        )
        return bundle
    for key in ("departments", "items"):
        value = data.get(key, [])
        if not isinstance(value, list):
            bundle.problems.append(Problem(source, 0, key, _("必须是列表。")))
            return bundle
    bundle.departments = data.get("departments", [])
    bundle.department_origins = [("departments", i + 1) for i in range(len(bundle.departments))]
    bundle.items = data.get("items", [])
    bundle.item_origins = [{"": ("items", i + 1)} for i in range(len(bundle.items))]
    return bundle


def parse_json(raw: bytes) -> Bundle:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        bundle = Bundle()
        bundle.problems.append(
            Problem("JSON", 0, "", _("不是有效的 UTF-8 JSON 文件：{error}").format(error=exc))
        )
        return bundle
    except RecursionError:
        bundle = Bundle()
        bundle.problems.append(Problem("JSON", 0, "", _("JSON 嵌套层次过深。")))
        return bundle
    return parse_mapping(data)


def load_shipped(directory: Path = SHIPPED_DATA_DIR) -> Bundle:
    """The shipped catalogue: departments.yaml and items/*.yaml."""
    bundle = Bundle()
    with open(directory / "departments.yaml", encoding="utf-8") as fh:
        bundle.departments = yaml.safe_load(fh) or []
    bundle.department_origins = [
        ("departments.yaml", i + 1) for i in range(len(bundle.departments))
    ]
    for path in sorted((directory / "items").glob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
        bundle.items.append(doc)
        bundle.item_origins.append({"": (f"items/{path.name}", 0)})
    return bundle


def export_documents(items: QuerySet[Item] | None = None) -> dict[str, Any]:
    """Departments and the current published version of each item, as one mapping."""
    items = items if items is not None else Item.objects.all()
    departments = []
    for d in Department.objects.select_related("parent").order_by("order", "code"):
        row = {f: getattr(d, f) for f in DEPARTMENT_FIELDS if f != "parent"}
        row["parent"] = d.parent.code if d.parent else ""
        departments.append({f: row[f] for f in DEPARTMENT_FIELDS})
    docs = []
    for item in items.select_related("department", "current_version").order_by("order", "code"):
        if item.current_version:
            docs.append(item_document(item, item.current_version))
    return {
        "format": "onetrip-catalogue",
        "format_version": FORMAT_VERSION,
        "departments": departments,
        "items": docs,
    }


def export_json(items: QuerySet[Item] | None = None) -> bytes:
    return json.dumps(export_documents(items), ensure_ascii=False, indent=2).encode("utf-8")


# ---------------------------------------------------------------- spreadsheet


def _titles(model: type, fields: list[str]) -> list[str]:
    out = []
    for f in fields:
        try:
            label = str(model._meta.get_field(f).verbose_name)
        except Exception:
            label = _EXTRA_LABELS.get(f, f)
        out.append(f"{label} ({f})")
    return out


_EXTRA_LABELS = {
    "department": "实施主体",
    "co_departments": "联办机构",
    "item": "事项实施编码",
    "parent": "上级部门",
    "situations": "适用情形",
    "source_department": "出具或共享部门",
}
SHEETS = {
    "departments": ("部门", DEPARTMENT_FIELDS),
    "items": ("事项", [*ITEM_FIELDS, *VERSION_FIELDS, "co_departments"]),
    "situations": ("情形", ["item", *SITUATION_FIELDS]),
    "materials": ("材料", ["item", *MATERIAL_FIELDS]),
    "fees": ("收费", ["item", *FEE_FIELDS]),
    "faqs": ("常见问题", ["item", *FAQ_FIELDS]),
    "form_fields": ("表单字段", ["item", *FORM_FIELD_FIELDS]),
    "stages": ("审批环节", ["item", *STAGE_FIELDS]),
}
CHILD_KEYS = ("situations", "materials", "fees", "faqs", "form_fields", "stages")
_LIST_FIELDS = {"co_departments", "situations"}
_NUMBER_FIELDS = {"min_value", "max_value"}
_BOOL_TRUE = {"是", "true", "1", "yes", "y", "√"}
_BOOL_FALSE = {"否", "false", "0", "no", "n", ""}
_INT_FIELDS = {
    "order",
    "legal_limit",
    "promised_limit",
    "visits_required",
    "online_depth",
    "copies",
    "max_length",
    "limit",
}
_BOOL_FIELDS = {
    "serves_persons",
    "serves_enterprises",
    "online_available",
    "supports_post_delivery",
    "accepts_post_application",
    "supports_appointment",
    "supports_online_payment",
    "fee_charged",
    "is_key",
    "deficiency_allowed",
    "required",
}


def _cell_out(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return "；".join(f"{c['value']}={c['label']}" for c in value)  # form field choices
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return value


def export_xlsx(items: QuerySet[Item] | None = None) -> bytes:
    """The catalogue as the workbook catalogue staff pass around."""
    from onetrip.catalog.models import Faq, Fee, FormField, Material, ReviewStage, Situation

    data = export_documents(items)
    models = {
        "departments": Department,
        "items": ItemVersion,
        "situations": Situation,
        "materials": Material,
        "fees": Fee,
        "faqs": Faq,
        "form_fields": FormField,
        "stages": ReviewStage,
    }
    wb = Workbook()
    wb.remove(wb.active)
    rows: dict[str, list[list[Any]]] = {k: [] for k in SHEETS}
    for d in data["departments"]:
        rows["departments"].append([_cell_out(d[f]) for f in DEPARTMENT_FIELDS])
    for doc in data["items"]:
        rows["items"].append([_cell_out(doc[f]) for f in SHEETS["items"][1]])
        for key in CHILD_KEYS:
            for child in doc[key]:
                rows[key].append([doc["code"], *[_cell_out(child[f]) for f in SHEETS[key][1][1:]]])
    header_font = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE7F3")
    for key, (title, fields) in SHEETS.items():
        ws = wb.create_sheet(f"{title} ({key})")
        titles = []
        for f in fields:
            model = Item if f in ITEM_FIELDS else models[key]
            titles += _titles(model, [f])
        ws.append(titles)
        for cell in ws[1]:
            cell.font = header_font
            cell.fill = fill
        for row in rows[key]:
            ws.append(row)
            for cell in ws[ws.max_row]:
                # Text that looks like a formula stays text (no formula injection, exact trip).
                if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@"):
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
        for col in ws.columns:
            ws.column_dimensions[col[0].column_letter].width = 18
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _coerce(key: str, value: Any, sheet: str, row: int, problems: list[Problem]) -> Any:
    if isinstance(value, str):
        value = value.strip()
    if key in _BOOL_FIELDS:
        text = str(value if value is not None else "").strip().lower()
        if text in _BOOL_TRUE:
            return True
        if text in _BOOL_FALSE:
            return False
        problems.append(
            Problem(sheet, row, key, _("应填“是”或“否”，而不是“{value}”。").format(value=value))
        )
        return None
    if key in _INT_FIELDS:
        if value in (None, ""):
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            problems.append(
                Problem(sheet, row, key, _("应填整数，而不是“{value}”。").format(value=value))
            )
            return None
        if not number.is_integer():
            problems.append(
                Problem(sheet, row, key, _("应填整数，而不是“{value}”。").format(value=value))
            )
            return None
        return int(number)
    if key in _NUMBER_FIELDS:
        if value in (None, ""):
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            problems.append(
                Problem(sheet, row, key, _("应填数字，而不是“{value}”。").format(value=value))
            )
            return None
        return int(number) if number.is_integer() else number
    if key == "choices":
        out = []
        for part in re.split(r"[；;\n]+", str(value or "")):
            if part.strip():
                v, sep, label = part.partition("=")
                if not sep:
                    problems.append(
                        Problem(
                            sheet, row, key, _("选项应写成“代码=名称”：{part}").format(part=part)
                        )
                    )
                    continue
                out.append({"value": v.strip(), "label": label.strip()})
        return out
    if key in _LIST_FIELDS:
        return [v for v in re.split(r"[\s,，、]+", str(value or "")) if v]
    return "" if value is None else str(value)


def parse_xlsx(raw: bytes) -> Bundle:
    """A bundle from a workbook laid out as ``export_xlsx`` writes it."""
    bundle = Bundle()
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        bundle.problems.append(
            Problem(_("工作簿"), 0, "", _("无法读取 .xlsx 文件：{error}").format(error=exc))
        )
        return bundle
    except Exception as exc:  # zipfile.BadZipFile and friends
        bundle.problems.append(
            Problem(_("工作簿"), 0, "", _("不是有效的 .xlsx 文件：{error}").format(error=exc))
        )
        return bundle
    sheets: dict[str, Any] = {}
    for ws in wb.worksheets:
        m = re.search(r"\((\w+)\)\s*$", ws.title)
        key = (
            m.group(1)
            if m
            else next((k for k, (t, _fields) in SHEETS.items() if t == ws.title), None)
        )
        if key in SHEETS:
            sheets[key] = ws
    if "items" not in sheets:
        bundle.problems.append(Problem(_("工作簿"), 0, "", _("缺少“事项 (items)”工作表。")))
        return bundle
    records: dict[str, list[tuple[str, int, dict[str, Any]]]] = {k: [] for k in SHEETS}
    for key, ws in sheets.items():
        sheet_title = ws.title
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if not header:
            continue
        columns: list[str | None] = []
        for title in header:
            m = re.search(r"\(([a-z_]+)\)\s*$", str(title or ""))
            columns.append(m.group(1) if m else None)
        unknown = [
            str(t)
            for t, c in zip(header, columns, strict=False)
            if t and (c is None or c not in SHEETS[key][1])
        ]
        for title in unknown:
            bundle.problems.append(Problem(sheet_title, 1, str(title), _("无法识别的列标题。")))
        for r, values in enumerate(rows, start=2):
            if not any(v not in (None, "") for v in values):
                continue
            record: dict[str, Any] = {}
            for col, value in zip(columns, values, strict=False):
                if col and col in SHEETS[key][1]:
                    record[col] = _coerce(col, value, sheet_title, r, bundle.problems)
            nullable = {"legal_limit", "min_value", "max_value", "max_length", "limit"}
            record = {k: v for k, v in record.items() if v is not None or k in nullable}
            records[key].append((sheet_title, r, record))
    for sheet, r, rec in records["departments"]:
        bundle.departments.append(rec)
        bundle.department_origins.append((sheet, r))
    by_code: dict[str, int] = {}
    for sheet, r, rec in records["items"]:
        rec.update({k: [] for k in CHILD_KEYS})
        by_code[str(rec.get("code", ""))] = len(bundle.items)
        bundle.items.append(rec)
        bundle.item_origins.append({"": (sheet, r), **{k: [] for k in CHILD_KEYS}})
    for key in CHILD_KEYS:
        for sheet, r, rec in records[key]:
            code = str(rec.pop("item", "") or "")
            if code not in by_code:
                bundle.problems.append(
                    Problem(
                        sheet,
                        r,
                        "item",
                        _("事项实施编码“{code}”不在“事项”工作表中。").format(code=code),
                    )
                )
                continue
            i = by_code[code]
            bundle.items[i][key].append(rec)
            bundle.item_origins[i][key].append((sheet, r))
    return bundle
