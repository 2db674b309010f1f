"""Reads of the exchange: what can be shared, prefill, evidence with its check, the data-use log,
and the measured 材料免提交率."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext

from onetrip.applications.models import Application, ApplicationMaterial
from onetrip.core.templatetags.onetrip import localized
from onetrip.exchange import connector
from onetrip.exchange.models import DataUse, Evidence, MaterialEvidence
from onetrip.exchange.registry import evidence_type_get

NOT_SUPPLIED = (
    ApplicationMaterial.State.SHARED,
    ApplicationMaterial.State.ELICENCE,
    ApplicationMaterial.State.COMMITMENT,
)


@dataclass(frozen=True)
class EvidenceInUse:
    """What an application relies on from the registries, read in one query."""

    data_by_type: dict[str, dict]  # evidence type → the data of the evidence used (latest wins)
    material_codes: frozenset[str]  # materials satisfied by stored, used evidence


def evidence_in_use(*, application: Application) -> EvidenceInUse:
    data_by_type: dict[str, dict] = {}
    codes = set()
    links = (
        MaterialEvidence.objects.filter(
            application=application, state=MaterialEvidence.State.USED, evidence__isnull=False
        )
        .order_by("-updated_at")
        .values_list("material_code", "evidence_type", "evidence__data")
    )
    for code, evidence_type, data in links:
        data_by_type.setdefault(evidence_type, data)
        codes.add(code)
    return EvidenceInUse(data_by_type, frozenset(codes))


def prefill_values(
    *, application: Application, evidence: dict[str, dict] | None = None
) -> dict[str, Any]:
    """Form field code → value from used evidence (``prefill`` = ``<type>.<item>``).

    Only values the field itself accepts are used; anything else stays for the applicant.
    ``evidence`` is ``evidence_in_use(…).data_by_type`` when the caller has read it already.
    """
    from onetrip.applications.formdata import _clean_one, form_fields_for

    if evidence is None:
        evidence = evidence_in_use(application=application).data_by_type
    if not evidence:
        return {}
    out = {}
    for f in form_fields_for(application.version, application.situation):
        type_code, _, item = f.prefill.partition(".")
        data = evidence.get(type_code) or {}
        if data.get(item) in (None, ""):
            continue
        try:
            out[f.code] = _clean_one(f, data[item])
        except ValueError:
            continue
    return out


def prefill_sources(
    *, application: Application, evidence: dict[str, dict] | None = None
) -> dict[str, str]:
    """Form field code → the department whose registry answered it (``evidence`` as for
    ``prefill_values``)."""
    from onetrip.applications.formdata import form_fields_for

    if evidence is None:
        evidence = evidence_in_use(application=application).data_by_type
    values = prefill_values(application=application, evidence=evidence)
    out = {}
    for f in form_fields_for(application.version, application.situation):
        if f.code in values:
            kind = evidence_type_get(f.prefill.partition(".")[0])
            out[f.code] = kind.provider.name if kind else ""
    return out if evidence else {}


@dataclass
class ShareRow:
    code: str
    name: str
    kind: Any  # EvidenceType or None
    department: str  # the holder the catalogue publishes (the item page names the same)
    system: str  # the registry that answers for it, when it names the holder otherwise
    items: list[str]
    link: MaterialEvidence | None
    material: ApplicationMaterial
    preview: list[tuple[str, str]]


def _preview(kind, data: dict[str, Any], *, masked: bool = False) -> list[tuple[str, str]]:
    """The evidence as labelled rows; ``masked`` hides personal numbers (staff pages)."""
    from onetrip.core.crypto import mask_id_number

    rows = []
    for key, label in kind.items:
        label = gettext(label)
        value = data.get(key)
        if value in (None, "", []):
            continue
        if masked and key == "id_number":
            rows.append((label, mask_id_number(str(value))))
            continue
        if masked and key == "number":
            rows.append((label, "*" * max(len(str(value)) - 4, 0) + str(value)[-4:]))
            continue
        if key == "periods" and isinstance(value, list):
            value = "；".join(
                f"{p.get('employer_name', '')} {p.get('from', '')}至{p.get('to') or '今'}"
                f"（{p.get('months', '')}个月）"
                for p in value
                if isinstance(p, dict)
            )
        elif key == "reason":
            value = REASON_LABELS.get(str(value), str(value))
        elif key == "type":
            value = {"urban": "非农业（城镇）", "rural": "农业"}.get(str(value), str(value))
        rows.append((label, str(value)))
    return rows


REASON_LABELS = {
    "contract-expired": "劳动合同期满终止",
    "employer-terminated": "用人单位解除劳动合同",
    "employer-fault": "因用人单位过错由本人解除劳动合同",
    "mutual-by-employer": "用人单位提出、协商一致解除劳动合同",
    "employer-closed": "用人单位破产、关闭、撤销或依法终止",
    "other-involuntary": "其他非因本人意愿中断就业",
}


def share_rows(*, application: Application, masked: bool = False) -> list[ShareRow]:
    """Every material of the application that a registry can answer, with its state;
    ``masked`` hides personal numbers in the previews (an agent previewing the principal's)."""
    from onetrip.exchange.services import SHAREABLE_SOURCES

    specs = {
        m.code: m
        for m in application.version.materials.select_related("source_department")
        if m.source in SHAREABLE_SOURCES
    }
    links = {
        link.material_code: link
        for link in MaterialEvidence.objects.filter(application=application).select_related(
            "evidence"
        )
    }
    rows = []
    for material in application.materials.all():
        spec = specs.get(material.code)
        if spec is None:
            continue
        kind = evidence_type_get(spec.evidence_type)
        holder = (
            spec.source_department.name
            if spec.source_department
            else (kind.provider.name if kind else "相关部门")
        )
        system = kind.provider.name if kind and kind.provider.name != holder else ""
        link = links.get(material.code)
        preview = (
            _preview(kind, link.evidence.data, masked=masked)
            if kind
            and link
            and link.evidence is not None
            and link.state != MaterialEvidence.State.FAILED
            else []
        )
        rows.append(
            ShareRow(
                code=material.code,
                name=material.name,
                kind=kind,
                department=(
                    localized(spec.source_department, "name")
                    if spec.source_department
                    else gettext(holder)
                ),
                system=gettext(system) if system else "",
                items=[gettext(label) for label in kind.item_labels] if kind else [],
                link=link,
                material=material,
                preview=preview,
            )
        )
    return rows


def evidence_rows(
    *, application: Application, masked: bool = False, previews: bool = False
) -> dict[str, dict[str, Any]]:
    """Material code → the evidence used, its provenance and whether its signature still holds.

    ``previews`` adds the data of evidence still waiting for the applicant's preview (for the
    applicant's side only: staff see what is used)."""
    shown = [MaterialEvidence.State.USED]
    if previews:
        shown.append(MaterialEvidence.State.PREVIEW)
    out = {}
    for link in MaterialEvidence.objects.filter(application=application).select_related("evidence"):
        kind = evidence_type_get(link.evidence_type)
        ev = link.evidence
        row: dict[str, Any] = {"link": link, "kind": kind, "evidence": ev}
        if ev is not None and link.state in shown:
            row["verified_by"] = _verified_by(ev)
            row["verified"] = bool(row["verified_by"])
            row["retired_key"] = row["verified_by"] not in ("", connector.CURRENT_KEY)
            row["preview"] = _preview(kind, ev.data, masked=masked) if kind else []
        out[link.material_code] = row
    return out


def data_uses_for_user(*, user) -> QuerySet[DataUse]:
    """谁使用了我的数据: only the signed-in person's own log."""
    person = getattr(user, "person", None)
    if person is None:
        return DataUse.objects.none()
    return DataUse.objects.filter(person=person).select_related("application")


def materials_exempt(*, application: Application) -> dict[str, Any]:
    """材料免提交率 of one application: materials resolved without the applicant supplying them
    (shared evidence, e-licence, commitment) ÷ materials required; ``answered``: how many of
    the rest are the application form, answered online (not supplied either, not exempted)."""
    states = list(application.materials.values_list("state", flat=True))
    resolved = sum(1 for s in states if s in NOT_SUPPLIED)
    return {
        "required": len(states),
        "resolved": resolved,
        "rate": round(resolved / len(states), 4) if states else None,
        "answered": states.count(ApplicationMaterial.State.FORM),
    }


MEASURED_CACHE_KEY = "onetrip:stats:materials_exempt_measured"
MEASURED_CACHE_SECONDS = 300


def materials_exempt_measured() -> dict[str, Any]:
    """The same over every submitted application (drafts are not counted).

    Full-table counts, read by every anonymous visit of the public scoreboard: cached for five
    minutes and never invalidated, so the figure is at most five minutes old.
    """
    cached = cache.get(MEASURED_CACHE_KEY)
    if cached is not None:
        return cached
    qs = ApplicationMaterial.objects.exclude(application__status="draft")
    required = qs.count()
    resolved = qs.filter(state__in=NOT_SUPPLIED).count()
    applications = Application.objects.exclude(status="draft").count()
    measured = {
        "applications": applications,
        "required": required,
        "resolved": resolved,
        "rate": round(resolved / required, 4) if required else None,
    }
    cache.set(MEASURED_CACHE_KEY, measured, MEASURED_CACHE_SECONDS)
    return measured


def materials_with_evidence(*, application: Application) -> set[str]:
    """Codes of the materials satisfied by stored, used evidence."""
    return set(evidence_in_use(application=application).material_codes)


def type_name(code: str) -> str:
    kind = evidence_type_get(code)
    return kind.name if kind else code


def evidence_for_user(*, user, pk: int) -> Evidence | None:
    """Evidence about the signed-in person, or about an enterprise on whose application the
    evidence is used and for which they may act now; else None.

    Enterprise applications have no owner: who may act for the enterprise is decided as for
    the application itself (``actor_roles`` gives them the applicant role — today that is an
    agent under an unrevoked, unexpired 委托 from the enterprise covering the item).
    """
    from onetrip.applications import workflow
    from onetrip.applications.services import actor_roles

    person = getattr(user, "person", None)
    evidence = Evidence.objects.filter(pk=pk).first()
    if evidence is None or person is None:
        return None
    if evidence.person_id is not None:
        return evidence if evidence.person_id == person.pk else None
    if evidence.enterprise_id is None:
        return None
    used_on = set(
        MaterialEvidence.objects.filter(evidence=evidence).values_list("application_id", flat=True)
    )
    if evidence.application_id:
        used_on.add(evidence.application_id)
    applications = Application.objects.filter(
        pk__in=used_on, applicant_enterprise_id=evidence.enterprise_id
    ).select_related("item", "applicant_person")
    for application in applications:
        if workflow.APPLICANT in actor_roles(user=user, application=application):
            return evidence
    return None


def evidence_context(evidence: Evidence) -> dict[str, Any]:
    kind = evidence_type_get(evidence.evidence_type)
    verified_by = _verified_by(evidence)
    return {
        "evidence": evidence,
        "kind": kind,
        "preview": _preview(kind, evidence.data) if kind else [],
        "verified": bool(verified_by),
        "verified_by": verified_by,
        "retired_key": verified_by not in ("", connector.CURRENT_KEY),
    }


def _verified_by(evidence: Evidence) -> str:
    """Which registry key still verifies the stored answer (see ``connector.verified_by``)."""
    return connector.verified_by(
        server_id=evidence.source,
        request_id=evidence.request_id,
        timestamp=evidence.signed_at,
        digest=evidence.digest,
        signature=evidence.signature,
        body=evidence.body,
    )
