"""Every write of the exchange: fetch with consent, preview, use or decline, and the data-use log.

A registry call is network I/O, so it never runs inside a database transaction; what it brings
back is written afterwards in one transaction (evidence, the material's link, the data-use row
and the audit event) or not at all. A failure writes only its own record: the material stays
to be uploaded, and nothing from a failed answer is ever kept as evidence.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onetrip.accounts.models import User
from onetrip.applications.models import Application, ApplicationMaterial
from onetrip.catalog.models import Material
from onetrip.core.crypto import lookup_hash
from onetrip.exchange import connector
from onetrip.exchange.models import AGENT_VIEW_DEPARTMENT, DataUse, Evidence, MaterialEvidence
from onetrip.exchange.registry import EvidenceType, evidence_type_get

SHAREABLE_SOURCES = (Material.Source.SHARED, Material.Source.ELICENCE)
ROLE_LABELS = {
    "applicant": "申请人本人",
    "agent": "代办人",
    "window": "窗口受理人员",
    "handler": "承办人员",
    "checker": "审核人员",
    "approver": "批准人员",
    "supervisor": "监察人员",
}


class ExchangeError(Exception):
    def __init__(
        self, code: str, message: str, *, status: int = 400, errors: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.errors = errors or {}


def purpose_for(application: Application) -> str:
    return f"办理“{application.version.name}”"


def _subject_hash(subject: dict[str, str]) -> str:
    return lookup_hash(subject.get("credit_code") or subject.get("id_number", ""))


def viewer_is_subject(*, user: User | None, application: Application) -> bool:
    """Whether ``user`` is the person the application's evidence is about: the applicant
    themself, not an agent acting for them (nor anyone acting for an enterprise)."""
    if user is None or not user.is_authenticated or application.applicant_enterprise_id:
        return False
    person = application.applicant_person
    return person is not None and person.user_id == user.pk


def acts_as_agent(*, user: User | None, application: Application) -> bool:
    """Whether ``user`` is the application's 代办人 (acting for someone else under a 委托)."""
    person = getattr(user, "person", None) if user is not None else None
    return (
        application.agent_id is not None
        and person is not None
        and person.pk == application.agent_id
        and not viewer_is_subject(user=user, application=application)
    )


def _actor_role(user: User | None, application: Application) -> str:
    from onetrip.applications.services import actor_roles

    if user is None:
        return "系统"
    roles = actor_roles(user=user, application=application)
    for role in ("applicant", "window", "handler", "checker", "approver", "supervisor"):
        if role in roles:
            if role == "applicant" and acts_as_agent(user=user, application=application):
                return ROLE_LABELS["agent"]
            return ROLE_LABELS[role]
    return "工作人员" if user.is_staff else "申请人本人"


def _mismatch(subject: dict[str, str], data: dict[str, Any]) -> bool:
    """The answer is about someone else, or the name does not match the number."""
    if "credit_code" in subject:
        return (
            str(data.get("credit_code", "")).upper() != subject["credit_code"].upper()
            or str(data.get("name", "")).strip() != subject["name"].strip()
        )
    return (
        str(data.get("id_number", "")).upper() != subject["id_number"].upper()
        or str(data.get("name", "")).strip() != subject["name"].strip()
    )


def _spec(application: Application, code: str) -> Material | None:
    return application.version.materials.filter(code=code).first()


def _fresh_evidence(kind: EvidenceType, subject: dict[str, str]) -> Evidence | None:
    since = timezone.now() - dt.timedelta(seconds=settings.ONETRIP_EXCHANGE_FRESHNESS_SECONDS)
    return (
        Evidence.objects.filter(
            subject_hash=_subject_hash(subject), evidence_type=kind.code, fetched_at__gte=since
        )
        .order_by("-fetched_at", "-id")
        .first()
    )


def _log(application, user, role, kind, evidence_type, department, *, evidence=None, request_id=""):
    return DataUse.objects.create(
        person=application.applicant_person if not application.applicant_enterprise_id else None,
        enterprise=application.applicant_enterprise,
        kind=kind,
        evidence_type=evidence_type,
        department=department,
        actor=user,
        actor_role=role,
        purpose=purpose_for(application),
        application=application,
        evidence=evidence,
        request_id=request_id,
    )


def _check_editable(application: Application, user: User) -> None:
    from onetrip.applications import workflow
    from onetrip.applications.services import actor_roles
    from onetrip.applications.workflow import Status

    roles = actor_roles(user=user, application=application)
    if not roles & {workflow.APPLICANT, workflow.WINDOW}:
        raise ExchangeError("not_found", _("找不到该申请。"), status=404)
    if application.status not in (Status.DRAFT, Status.CORRECTION):
        raise ExchangeError("not_editable", _("申请已提交，不能再修改。"), status=409)


def evidence_obtain(
    *, application: Application, user: User, codes: list[str], request=None
) -> dict[str, MaterialEvidence]:
    """The applicant agreed: fetch each material's evidence (or reuse a fresh one) for preview.

    Returns material code → its link (state ``preview`` or ``failed``, with the message).
    """
    _check_editable(application, user)
    role = _actor_role(user, application)
    out: dict[str, MaterialEvidence] = {}
    for code in codes:
        spec = _spec(application, code)
        if spec is None or not application.materials.filter(code=code).exists():
            raise ExchangeError("unknown_material", _("该事项没有这项材料。"))
        if spec.source not in SHAREABLE_SOURCES:
            raise ExchangeError(
                "not_shareable", _("“{name}”不能由部门共享获取。").format(name=spec.name)
            )
        out[code] = _obtain_one(application, user, role, spec, request)
    return out


def _obtain_one(application, user, role, spec: Material, request) -> MaterialEvidence:
    kind = evidence_type_get(spec.evidence_type)
    subject = (
        connector.subject_for(
            kind,
            person=application.applicant_person,
            enterprise=application.applicant_enterprise,
        )
        if kind
        else None
    )
    purpose = purpose_for(application)
    if kind is None or subject is None:
        return _failed(
            application,
            user,
            role,
            spec,
            None,
            connector.ExchangeFailure(
                "unsupported", f"“{spec.name}”暂不能通过数据共享获取，请上传该材料。"
            ),
            request,
        )
    reused = _fresh_evidence(kind, subject)
    if reused is not None:
        with transaction.atomic():
            link = _link(application, spec, kind, reused, user, purpose)
            if reused.application_id == application.pk and reused.fetched_by_id == user.pk:
                return link  # this person fetched it for this application: already recorded
            _log(
                application,
                user,
                role,
                DataUse.Kind.REUSE,
                kind.code,
                kind.provider.name,
                evidence=reused,
                request_id=reused.request_id,
            )
        return link
    try:
        fetched = connector.fetch(
            kind=kind,
            subject=subject,
            purpose=purpose,
            reference=application.tracking_number or f"draft-{application.pk}",
        )
        if _mismatch(subject, fetched.data):
            raise connector.ExchangeFailure(
                "mismatch",
                f"{kind.provider.name}返回的信息与申请人身份不一致（姓名与证件号码不符），"
                "不能作为共享材料，请上传该材料。",
                request_id=fetched.request_id,
            )
    except connector.ExchangeFailure as failure:
        return _failed(application, user, role, spec, kind, failure, request)
    from onetrip.audit.services import audit_append

    with transaction.atomic():
        evidence = Evidence.objects.create(
            subject_hash=_subject_hash(subject),
            person=application.applicant_person if "id_number" in subject else None,
            enterprise=application.applicant_enterprise if "credit_code" in subject else None,
            evidence_type=kind.code,
            provider=kind.provider.key,
            source=fetched.server_id,
            request_id=fetched.request_id,
            signed_at=fetched.timestamp,
            digest=fetched.digest,
            signature=fetched.signature,
            body=fetched.body,
            data=fetched.data,
            purpose=purpose,
            application=application,
            fetched_by=user,
        )
        link = _link(application, spec, kind, evidence, user, purpose)
        _log(
            application,
            user,
            role,
            DataUse.Kind.FETCH,
            kind.code,
            kind.provider.name,
            evidence=evidence,
            request_id=fetched.request_id,
        )
        audit_append(
            actor=user,
            action="exchange.fetch",
            target=application,
            summary=f"经同意从{kind.provider.name}获取{kind.name}（请求号 {fetched.request_id}）",
            after={
                "evidence_type": kind.code,
                "request_id": fetched.request_id,
                "digest": fetched.digest,
                "material": spec.code,
            },
            request=request,
        )
    return link


def _link(application, spec, kind, evidence, user, purpose) -> MaterialEvidence:
    link, _ = MaterialEvidence.objects.update_or_create(
        application=application,
        material_code=spec.code,
        defaults={
            "evidence_type": kind.code,
            "evidence": evidence,
            "state": MaterialEvidence.State.PREVIEW,
            "purpose": purpose,
            "consented_by": user,
            "consented_at": timezone.now(),
            "failure_code": "",
            "failure_message": "",
        },
    )
    return link


def _failed(application, user, role, spec, kind, failure, request) -> MaterialEvidence:
    """Record the failure (audited, in the data-use log); the material is to be uploaded."""
    from onetrip.audit.services import audit_append

    with transaction.atomic():
        link, _ = MaterialEvidence.objects.update_or_create(
            application=application,
            material_code=spec.code,
            defaults={
                "evidence_type": spec.evidence_type,
                "evidence": None,
                "state": MaterialEvidence.State.FAILED,
                "purpose": purpose_for(application),
                "consented_by": user,
                "consented_at": timezone.now(),
                "failure_code": failure.code,
                "failure_message": failure.message[:300],
            },
        )
        ApplicationMaterial.objects.filter(
            application=application, code=spec.code, state=ApplicationMaterial.State.SHARED
        ).update(state=ApplicationMaterial.State.MISSING, note="")
        if kind is not None:
            _log(
                application,
                user,
                role,
                DataUse.Kind.FAILED,
                kind.code,
                kind.provider.name,
                request_id=failure.request_id,
            )
        audit_append(
            actor=user,
            action="exchange.fetch_failed",
            target=application,
            summary=f"共享获取“{spec.name}”失败：{failure.code}",
            after={"material": spec.code, "code": failure.code, "request_id": failure.request_id},
            request=request,
        )
    return link


@transaction.atomic
def evidence_accept(
    *, application: Application, user: User, codes: list[str] | None = None, request=None
) -> list[str]:
    """The applicant saw the preview and uses it: those materials are satisfied by sharing and
    the fields they answer are filled from the registry (and locked)."""
    from onetrip.audit.services import audit_append

    application = Application.objects.select_for_update().get(pk=application.pk)
    _check_editable(application, user)
    links = MaterialEvidence.objects.filter(
        application=application, state=MaterialEvidence.State.PREVIEW
    ).select_related("evidence")
    if codes is not None:
        links = links.filter(material_code__in=codes)
    used = []
    for link in links:
        kind = evidence_type_get(link.evidence_type)
        link.state = MaterialEvidence.State.USED
        link.save(update_fields=["state", "updated_at"])
        ApplicationMaterial.objects.filter(application=application, code=link.material_code).update(
            state=ApplicationMaterial.State.SHARED,
            file=None,
            note=f"由{kind.provider.name if kind else '部门'}共享获取（请求号 "
            f"{link.evidence.request_id}）"[:300],
        )
        used.append(link.material_code)
    if used:
        from onetrip.exchange.selectors import prefill_values

        application.data = {**application.data, **prefill_values(application=application)}
        application.save(update_fields=["data"])
        audit_append(
            actor=user,
            action="exchange.use",
            target=application,
            summary="申请人确认采用共享数据：" + "、".join(used),
            after={"materials": used},
            request=request,
        )
    return used


@transaction.atomic
def evidence_decline(
    *, application: Application, user: User, code: str, request=None
) -> MaterialEvidence | None:
    """The applicant would rather upload: the shared data is not used for this material."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _check_editable(application, user)
    link = MaterialEvidence.objects.filter(application=application, material_code=code).first()
    spec = _spec(application, code)
    if spec is None:
        raise ExchangeError("unknown_material", _("该事项没有这项材料。"))
    if link is None:
        link = MaterialEvidence.objects.create(
            application=application,
            material_code=code,
            evidence_type=spec.evidence_type,
            state=MaterialEvidence.State.DECLINED,
            purpose=purpose_for(application),
            consented_by=user,
            consented_at=timezone.now(),
        )
    else:
        link.state = MaterialEvidence.State.DECLINED
        link.save(update_fields=["state", "updated_at"])
    ApplicationMaterial.objects.filter(
        application=application, code=code, state=ApplicationMaterial.State.SHARED
    ).update(state=ApplicationMaterial.State.MISSING, note="")
    return link


def material_share(*, application: Application, user: User, code: str, request=None) -> bool:
    """Consent, fetch and use in one go (the API's and the window's ``shared`` choice).

    Returns True when the material is now satisfied by evidence; raises ExchangeError with the
    registry's message otherwise (the material stays to be uploaded).
    """
    link = evidence_obtain(application=application, user=user, codes=[code], request=request)[code]
    if link.state == MaterialEvidence.State.FAILED:
        raise ExchangeError(f"exchange_{link.failure_code}", link.failure_message, status=422)
    evidence_accept(application=application, user=user, codes=[code], request=request)
    return True


EVIDENCE_CHANGED = gettext_lazy(
    "部门数据已更新：{names}的数据与您确认时不同。新的数据尚未使用，请先核对新的数据并确认使用"
    "（或改为自行上传）后再提交。"
)


def evidence_refresh_stale(*, application: Application, user: User, request=None) -> list[str]:
    """Before submission: evidence older than the freshness period is fetched again.

    The answer is used only if it says exactly what the applicant saw and accepted; new data
    is never used unseen: it stays waiting for the preview (the material is no longer counted
    as shared) and ``ExchangeError('evidence_changed', status=409)`` is raised, with the
    material codes in ``errors``, after every stale material has been tried. Returns the codes
    that could not be refreshed (they now need an upload). Raises ``ExchangeError`` when
    ``user`` may not change the application.
    """
    since = timezone.now() - dt.timedelta(seconds=settings.ONETRIP_EXCHANGE_FRESHNESS_SECONDS)
    stale = list(
        MaterialEvidence.objects.filter(
            application=application,
            state=MaterialEvidence.State.USED,
            evidence__fetched_at__lt=since,
        ).select_related("evidence")
    )
    if not stale:
        return []
    _check_editable(application, user)
    failed: list[str] = []
    changed: dict[str, str] = {}
    for old in stale:
        code = old.material_code
        link = evidence_obtain(application=application, user=user, codes=[code], request=request)[
            code
        ]
        if link.state == MaterialEvidence.State.FAILED:
            failed.append(code)
        elif link.evidence is not None and link.evidence.data == old.evidence.data:
            evidence_accept(application=application, user=user, codes=[code], request=request)
        else:
            changed[code] = _hold_for_preview(application, user, code, request)
    if changed:
        raise ExchangeError(
            "evidence_changed",
            EVIDENCE_CHANGED.format(names=_("、").join(f"“{n}”" for n in changed.values())),
            status=409,
            errors={
                code: _("“{name}”的部门数据已更新，请核对后确认使用。").format(name=name)
                for code, name in changed.items()
            },
        )
    return failed


@transaction.atomic
def _hold_for_preview(application, user, code: str, request) -> str:
    """The refreshed answer differs from the accepted one: it waits in preview, and until the
    applicant uses it the material is not satisfied by sharing. Returns the material's name."""
    from onetrip.audit.services import audit_append

    material = application.materials.get(code=code)
    ApplicationMaterial.objects.filter(
        pk=material.pk, state=ApplicationMaterial.State.SHARED
    ).update(state=ApplicationMaterial.State.MISSING, note="")
    audit_append(
        actor=user,
        action="exchange.changed",
        target=application,
        summary=f"提交前重新获取的“{material.name}”与申请人确认的数据不同，待申请人核对",
        after={"material": code},
        request=request,
    )
    return material.name


VIEW_LOG_WINDOW = dt.timedelta(hours=1)


def evidence_viewed(*, application: Application, user: User, request=None) -> int:
    """Someone other than the person opened the application's evidence — a staff member, or
    an agent (代办人) acting for the person: each piece of evidence shown is logged."""
    links = list(
        MaterialEvidence.objects.filter(
            application=application, state=MaterialEvidence.State.USED
        ).select_related("evidence")
    )
    # One entry per person, piece of evidence and hour: reloading a page is not a new use.
    seen = set(
        DataUse.objects.filter(
            application=application,
            actor=user,
            kind=DataUse.Kind.VIEW,
            occurred_at__gte=timezone.now() - VIEW_LOG_WINDOW,
        ).values_list("evidence_id", flat=True)
    )
    links = [link for link in links if link.evidence_id not in seen]
    if not links:
        return 0
    if user.is_staff:
        department = _staff_department(user, application)
        purpose = f"审查办件（{application.version.name}）"
    elif acts_as_agent(user=user, application=application):
        department = AGENT_VIEW_DEPARTMENT
        purpose = f"代为办理“{application.version.name}”"
    else:
        return 0
    role = _actor_role(user, application)
    with transaction.atomic():
        for link in links:
            DataUse.objects.create(
                person=application.applicant_person
                if not application.applicant_enterprise_id
                else None,
                enterprise=application.applicant_enterprise,
                kind=DataUse.Kind.VIEW,
                evidence_type=link.evidence_type,
                department=department,
                actor=user,
                actor_role=role,
                purpose=purpose[:200],
                application=application,
                evidence=link.evidence,
                request_id=link.evidence.request_id if link.evidence else "",
            )
    return len(links)


def _staff_department(user: User, application: Application) -> str:
    from onetrip.accounts.models import StaffRole

    role = StaffRole.objects.filter(user=user, department=application.department).first() or (
        StaffRole.objects.filter(user=user).select_related("department").first()
    )
    return role.department.name if role else application.department.name


def evidence_superseded(*, application: Application, code: str) -> None:
    """The material is now satisfied another way (an upload, a commitment …): its shared data
    is no longer used, and the fields it answered are no longer locked. Call inside the
    caller's transaction."""
    MaterialEvidence.objects.filter(
        application=application,
        material_code=code,
        state__in=[MaterialEvidence.State.USED, MaterialEvidence.State.PREVIEW],
    ).update(state=MaterialEvidence.State.DECLINED, updated_at=timezone.now())
