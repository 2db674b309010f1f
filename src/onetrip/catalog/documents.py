"""The item document: one plain dict per item version, used everywhere content moves.

The shipped data files, JSON and spreadsheet import/export, the API, the content digest,
the quality rules and the version diff all speak this one shape.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from onetrip.catalog.models import Item, ItemVersion

ITEM_FIELDS = ["code", "catalog_code", "department", "order"]

VERSION_FIELDS = [
    "name",
    "name_en",
    "summary",
    "handling_item",
    "kind",
    "keywords",
    "serves_persons",
    "serves_enterprises",
    "handling_type",
    "legal_limit",
    "legal_limit_unit",
    "legal_limit_note",
    "promised_limit",
    "promised_limit_unit",
    "promised_limit_note",
    "visits_required",
    "visits_reason",
    "online_available",
    "online_depth",
    "supports_post_delivery",
    "accepts_post_application",
    "supports_appointment",
    "supports_online_payment",
    "conditions",
    "legal_basis",
    "remedy",
    "process_steps",
    "handling_place",
    "handling_hours",
    "consult_phone",
    "complaint_phone",
    "fee_charged",
    "fee_note",
    "result_type",
    "result_name",
    "result_sample",
]

SITUATION_FIELDS = ["code", "name", "description"]
MATERIAL_FIELDS = [
    "code",
    "name",
    "material_type",
    "material_form",
    "copies",
    "necessity",
    "condition",
    "is_key",
    "deficiency_allowed",
    "source",
    "source_department",
    "evidence_type",
    "situations",
    "notes",
    "legal_basis",
    "blank_form",
    "sample",
]
FEE_FIELDS = ["name", "standard", "basis", "reduction"]
FORM_FIELD_FIELDS = [
    "code",
    "label",
    "label_en",
    "field_type",
    "required",
    "choices",
    "situations",
    "help_text",
    "min_value",
    "max_value",
    "max_length",
    "date_bound",
    "prefill",
    "required_if",
    "fills",
]
STAGE_FIELDS = ["code", "name", "limit"]
FAQ_FIELDS = ["question", "answer"]


def version_document(version: ItemVersion) -> dict[str, Any]:
    """The content of one version as a plain, ordered dict."""
    doc: dict[str, Any] = {f: getattr(version, f) for f in VERSION_FIELDS}
    doc["co_departments"] = sorted(version.co_departments.values_list("code", flat=True))
    doc["situations"] = [
        {f: getattr(s, f) for f in SITUATION_FIELDS} for s in version.situations.all()
    ]
    materials = []
    for m in version.materials.select_related("source_department").prefetch_related("situations"):
        row = {
            f: getattr(m, f)
            for f in MATERIAL_FIELDS
            if f not in {"source_department", "situations"}
        }
        row["source_department"] = m.source_department.code if m.source_department else ""
        row["situations"] = [s.code for s in m.situations.all()]
        materials.append({f: row[f] for f in MATERIAL_FIELDS})
    doc["materials"] = materials
    doc["fees"] = [{f: getattr(x, f) for f in FEE_FIELDS} for x in version.fees.all()]
    doc["faqs"] = [{f: getattr(x, f) for f in FAQ_FIELDS} for x in version.faqs.all()]
    doc["form_fields"] = [
        {f: _plain_number(getattr(x, f)) for f in FORM_FIELD_FIELDS}
        for x in version.form_fields.all()
    ]
    doc["stages"] = [{f: getattr(x, f) for f in STAGE_FIELDS} for x in version.stages.all()]
    return doc


def _plain_number(value: Any) -> Any:
    """Decimals as int or float so documents stay JSON and compare equal after a round trip."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def item_document(item: Item, version: ItemVersion) -> dict[str, Any]:
    """Item identity plus one version's content."""
    doc: dict[str, Any] = {
        "code": item.code,
        "catalog_code": item.catalog_code,
        "department": item.department.code,
        "order": item.order,
    }
    doc.update(version_document(version))
    return doc


# Keys added to the document (and to its form fields) after versions were published: left
# out of the digest while empty, so a version published before keeps the digest it was
# published with.
DIGEST_IF_SET = {"remedy"}
FORM_FIELD_DIGEST_IF_SET = {"date_bound"}


def _set_only(entry: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if not (k in keys and not v)}


def content_digest(doc: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a version document (item identity excluded)."""
    content = _set_only({k: v for k, v in doc.items() if k not in ITEM_FIELDS}, DIGEST_IF_SET)
    if "form_fields" in content:
        content["form_fields"] = [
            _set_only(f, FORM_FIELD_DIGEST_IF_SET) for f in content["form_fields"]
        ]
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
