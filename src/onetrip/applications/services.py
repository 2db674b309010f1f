"""Every write to an application goes through here, one transaction per change.

Each change: check the actor and the guard, write the state, append an audit event and a
timeline event, and write outbox rows for the applicant — all or nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from onetrip.accounts.models import Authorisation, Enterprise, Person, StaffRole, User
from onetrip.accounts.selectors import scope_memoised, staff_department_ids
from onetrip.applications import workflow
from onetrip.applications.formdata import delivery_from_form, form_fields_for, form_validate
from onetrip.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationMaterial,
    DailyCounter,
    DeliveryRecord,
    Notice,
    StoredFile,
    SupersededUpload,
    Visit,
)
from onetrip.applications.selectors import supplements_due
from onetrip.applications.workflow import Action, Status
from onetrip.catalog.models import Department, Item, ItemVersion, Material
from onetrip.catalog.selectors import pinned_content
from onetrip.core.clientaddr import client_ip
from onetrip.core.ratelimit import rate_limit_hit
from onetrip.core.templatetags.onetrip import localized
from onetrip.core.text import says_something

ALLOWED_UPLOADS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def appeal_rights_text(application: Application) -> str:
    """The remedy stated in a refusal, denial or revocation: the item's own (``remedy``, where
    a law provides another route than 行政复议, e.g. court after an arbitration refusal), else
    the department's appeal sentence."""
    remedy = application.version.remedy.strip()
    return remedy or department_appeal_text(department=application.department)


def department_appeal_text(*, department: Department) -> str:
    """The appeal sentence of a refusal, denial or revocation (行政复议法 2023, 行政诉讼法):
    the periods, and where to go — the department's 行政复议机关 and 行政诉讼 court when the
    catalogue names them, else the generic "依法…" wording.

    It becomes part of the written notice and the applicant's messages, which are stored and
    stay in Chinese as written (docs/api.md), so it is not translated here.
    """
    body = department.reconsideration_body.strip()
    court = department.litigation_court.strip()
    review = f"向{body}申请行政复议" if body else "依法申请行政复议"
    lawsuit = f"向{court}提起行政诉讼" if court else "依法向人民法院提起行政诉讼"
    return f"如不服本决定，可自收到本通知之日起六十日内{review}，或者在六个月内{lawsuit}。"


class ApplicationError(Exception):
    """A refused change: stable code, message in the active language (gettext,
    Chinese by default), field at fault, HTTP-ish status."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str = "",
        status: int = 400,
        errors: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status
        self.errors = errors or {}


def typed_text(
    value: Any,
    *,
    field: str,
    label: str,
    limit: int,
    required: bool = False,
    code: str = "",
    long_code: str = "too_long",
) -> str:
    """Text a person typed, stripped: refused when required and showing nothing (spaces or
    zero-width characters only), or longer than the ``limit`` its column holds."""
    text = str(value or "").strip()
    if required and not says_something(text):
        raise ApplicationError(
            code or f"{field}_required", _("请写明{label}。").format(label=label), field=field
        )
    if len(text) > limit:
        raise ApplicationError(
            long_code, _("{label}最多 {limit} 字。").format(label=label, limit=limit), field=field
        )
    return text


# ------------------------------------------------------------------ who may act


def actor_roles(
    *, user: User | None, application: Application, timeline: list | None = None
) -> set[str]:
    """The workflow roles ``user`` holds for this application (``timeline``: its events, when
    a list has read them already)."""
    roles: set[str] = set()
    if user is None or not user.is_authenticated:
        return roles
    if (
        application.owner_id == user.pk
        or (
            application.applicant_person_id is not None
            and application.applicant_person.user_id == user.pk
        )
        or agent_covers(user, application)
    ):
        roles.add(workflow.APPLICANT)
    if not user.is_staff:
        return roles
    # A draft is its author's until it is submitted: the department has no role in it yet.
    for role in () if application.status == Status.DRAFT else workflow.DEPARTMENT_ROLES:
        ids = staff_department_ids(user=user, role=role)
        if ids is None or application.department_id in ids:
            roles.add(role)
    if _window_reaches(user, application, timeline):
        roles.add(workflow.WINDOW)
    return roles


def holds_window_role(user: User) -> bool:
    """A window officer (一窗受理: serves every department at the counter)."""
    if not user.is_authenticated or not user.is_staff:
        return False
    return user.is_superuser or scope_memoised(
        ("window", user.pk),
        lambda: StaffRole.objects.filter(user=user, role=workflow.WINDOW).exists(),
    )


def _window_reaches(user: User, application: Application, timeline: list | None = None) -> bool:
    """一窗受理: a window officer serves every department, but only at the counter's steps.

    That is their own intakes and what they acted on, applications waiting for intake
    (submitted, in correction, corrected), and results to hand over at the window. (A 容缺
    material handed in at any window goes through ``supplement_receive``, which needs no
    more than the tracking number.)
    """
    if not holds_window_role(user):
        return False
    if application.created_by_id == user.pk:
        return True
    if application.pk and _acted_on(application, user, timeline):
        return True  # what they took in, corrected or accepted stays visible to them
    if application.status in (Status.SUBMITTED, Status.CORRECTION, Status.CORRECTED):
        return True
    return (
        application.status in workflow.DECIDED
        and application.delivery_method == Application.Delivery.PICKUP
    )


def _acted_on(application: Application, user: User, timeline: list | None) -> bool:
    """Whether ``user`` took a step on the application (in ``timeline``, when given)."""
    if timeline is not None:
        return any(e.actor_id == user.pk for e in timeline)
    return ApplicationEvent.objects.filter(application=application, actor=user).exists()


def agent_covers(user: User, application: Application) -> bool:
    """Whether ``user`` is the application's agent under a 委托 in force today."""
    person = getattr(user, "person", None)
    if person is None or application.agent_id != person.pk:
        return False
    return _authorised(
        agent=person,
        person_id=application.applicant_person_id,
        enterprise_id=application.applicant_enterprise_id,
        item_code=application.item.code,
    )


def _authorised(
    *, agent: Person, person_id: int | None, enterprise_id: int | None, item_code: str
) -> bool:
    """Whether a recorded, unrevoked 委托 lets ``agent`` act for the principal on the item today."""
    today = timezone.localdate()
    return any(
        g.lets_act_for(
            person_id=person_id, enterprise_id=enterprise_id, item_code=item_code, on=today
        )
        for g in Authorisation.objects.filter(agent=agent, revoked_at__isnull=True)
    )


def can_view(*, user: User | None, application: Application, as_applicant: bool = False) -> bool:
    """Whether ``user`` may see the application; ``as_applicant``: on the applicants' side
    (staff read through the workbench, where each read is audited)."""
    roles = actor_roles(user=user, application=application)
    return workflow.APPLICANT in roles if as_applicant else bool(roles)


@dataclass
class Offered:
    """What the application page offers ``user`` now, and what it withholds and why."""

    actions: list[Action]
    withheld: dict[str, str]  # "request_correction" or "four_eyes" → why it is not offered
    roles: set[str]  # the workflow roles ``user`` holds for the application


def actions_offered(
    *,
    user: User | None,
    application: Application,
    timeline: list | None = None,
    notices: list | None = None,
) -> Offered:
    """Actions ``user`` may take now (table, roles, stage, the one-correction rule and
    four-eyes; the other guards are checked on use), and those their roles would allow but
    the rules withhold: a second correction notice without a supervisor, a decision after
    one's own earlier stage. ``timeline`` and ``notices``: the application's events and
    notices, when a list has read them already (they are checked again on use)."""
    roles = actor_roles(user=user, application=application, timeline=timeline)
    last_stage = application.stage == _stages(application)[-1]
    offered = Offered([], {}, roles)
    blocked = None  # four-eyes, read once when first needed
    for action in workflow.actions_from(application.status):
        t = workflow.TABLE[(Status(application.status), action)]
        if action == Action.PASS_STAGE and last_stage:
            continue  # the last stage decides instead
        if action in (Action.APPROVE, Action.DENY) and not last_stage:
            continue
        if not _role_for(t, application, roles):
            continue
        if action == Action.CLOSE_UNCORRECTED and not correction_overdue(application, notices):
            continue
        if action == Action.REQUEST_CORRECTION and not _may_correct_again(application, roles):
            offered.withheld[action.value] = _(
                "已经一次性告知过补正。确需再次补正的，须由监察人员写明理由后操作。"
            )
            continue
        if action in _FOUR_EYES_ACTIONS:
            if blocked is None:
                blocked = _four_eyes_blocks(application, user, timeline)
            if blocked:
                offered.withheld["four_eyes"] = _four_eyes_text()
                continue
        offered.actions.append(action)
    return offered


def allowed_actions(*, user: User | None, application: Application) -> list[Action]:
    """Actions ``user`` may take now (see ``actions_offered``)."""
    return actions_offered(user=user, application=application).actions


def _may_correct_again(application: Application, roles: set[str]) -> bool:
    return application.correction_count < 1 or workflow.SUPERVISOR in roles


def _role_for(t: workflow.Transition, application: Application, roles: set[str]) -> str | None:
    if t.by_stage:
        needed = workflow.STAGE_ROLE.get(application.stage)
        return needed if needed in roles else None
    for role in sorted(t.actors):
        if role in roles:
            return role
    return None


# ------------------------------------------------------------------ numbering


def _next_number(name: str) -> int:
    today = timezone.localdate()
    counter, _ = DailyCounter.objects.get_or_create(name=name, day=today)
    counter = DailyCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _tracking_number(application: Application) -> str:
    """申办流水号: the date and the application's own number, so no shared counter is locked."""
    return f"{timezone.localdate():%Y%m%d}{application.pk % 10**8:08d}"


def _notice_number(kind: str, issuer: str = "") -> str:
    prefix = {
        "acceptance": "受",
        "refusal": "不受",
        "correction": "补",
        "deficiency": "容",
        "approval": "准",
        "denial": "不准",
        "revocation": "撤",
    }[kind]
    today = timezone.localdate()
    serial = _next_number("notice:" + kind)
    return f"{issuer or '兰人社'}{prefix}〔{today:%Y}〕{today:%m%d}{serial:04d}号"


# ------------------------------------------------------------------ drafts


def _required_materials(version: ItemVersion, situation: str) -> list[Material]:
    return [
        m
        for m in version.materials.prefetch_related("situations")
        if not m.situations.all() or any(s.code == situation for s in m.situations.all())
    ]


@transaction.atomic
def draft_create(
    *,
    user: User,
    item: Item,
    situation: str = "",
    applicant_person: Person | None = None,
    applicant_enterprise: Enterprise | None = None,
    channel: str = Application.Channel.ONLINE,
    agent: Person | None = None,
) -> Application:
    """Start an application on the item's current published version (pinned)."""
    version = item.current_version
    if version is None:
        raise ApplicationError("item_unpublished", _("该事项尚未发布，不能申请。"), status=404)
    codes = {s.code for s in version.situations.all()}
    if situation and situation not in codes:  # a typo must not become "no situation"
        raise ApplicationError(
            "unknown_situation",
            _("该事项没有“{situation}”这一办理情形。").format(situation=str(situation)[:60]),
            field="situation",
        )
    if codes and not situation:
        raise ApplicationError("situation_required", _("请选择办理情形。"), field="situation")
    if applicant_person is None and applicant_enterprise is None:
        applicant_person = getattr(user, "person", None)
        if applicant_person is None:
            raise ApplicationError("identity_required", _("请先完成实名登记。"), status=403)
    # Who may act for the applicant comes first: a refusal must not say whether they exist.
    if user.is_staff:
        # Staff apply for someone only at a window (一窗受理), where the visit is recorded.
        if channel != Application.Channel.WINDOW or not holds_window_role(user):
            raise ApplicationError(
                "forbidden", _("只有窗口工作人员可以在窗口代为申请。"), status=403
            )
    else:
        me = getattr(user, "person", None)
        acting_for_other = applicant_enterprise is not None or applicant_person != me
        if acting_for_other:
            # An agent applies for someone else only under a recorded 委托 covering the item.
            if me is None or not _authorised(
                agent=me,
                person_id=applicant_person.pk if applicant_person else None,
                enterprise_id=applicant_enterprise.pk if applicant_enterprise else None,
                item_code=item.code,
            ):
                raise ApplicationError(
                    "no_authorisation", _("您没有代为办理该事项的有效委托。"), status=403
                )
            agent = me
    if applicant_enterprise is not None and not version.serves_enterprises:
        raise ApplicationError("target_mismatch", _("该事项不受理单位申请。"), field="applicant")
    if applicant_enterprise is None and not version.serves_persons:
        raise ApplicationError(
            "target_mismatch", _("该事项只受理单位（法人）申请。"), field="applicant"
        )
    if user.is_staff or agent is not None:
        # Window intakes and agents' applications belong to the applicant's own account (if
        # any); an agent acts only while the 委托 lasts.
        owner = applicant_person.user if applicant_person else None
    else:
        owner = user
    application = Application.objects.create(
        item=item,
        version=version,
        department=item.department,
        situation=situation,
        applicant_person=applicant_person,
        applicant_enterprise=applicant_enterprise,
        owner=owner,
        agent=agent,
        channel=channel,
        created_by=user,
    )
    application.data = {**_phone_defaults(application), **verified_answers(application)}
    if application.data:
        application.save(update_fields=["data"])
    for m in _required_materials(version, situation):
        # Every material starts missing: one a department holds becomes "shared" only once
        # its evidence has been fetched (with the applicant's consent) and accepted
        # (onetrip.exchange); a written commitment is given by the applicant. The item's own
        # application form is the form answered here: nothing to bring.
        ApplicationMaterial.objects.create(
            application=application,
            code=m.code,
            name=m.name,
            state=ApplicationMaterial.State.FORM
            if m.source == Material.Source.ONLINE_FORM
            else ApplicationMaterial.State.MISSING,
        )
    return application


def verified_answers(application: Application, evidence=None) -> dict[str, Any]:
    """Fields answered by data the applicant cannot type over: the verified identity (实名
    data) and evidence from a department registry the applicant chose to use (``evidence``:
    ``evidence_in_use(…).data_by_type``, when already read)."""
    from onetrip.exchange.selectors import prefill_values

    return {
        **prefill_values(application=application, evidence=evidence),
        **_real_name_prefill(application),
    }


def locked_fields(*, application: Application) -> dict[str, tuple[Any, str]]:
    """Field code → (value, where it came from) for the fields the applicant cannot change."""
    from onetrip.exchange.selectors import evidence_in_use, prefill_sources, prefill_values

    evidence = evidence_in_use(application=application).data_by_type
    sources = prefill_sources(application=application, evidence=evidence)
    identity = _("实名登记信息")
    out = {code: (value, identity) for code, value in _real_name_prefill(application).items()}
    for code, value in prefill_values(application=application, evidence=evidence).items():
        out[code] = (out[code][0] if code in out else value, sources.get(code, ""))
    return out


def _real_name_prefill(application: Application) -> dict[str, Any]:
    person, enterprise = application.applicant_person, application.applicant_enterprise
    known = {}
    if person is not None:
        known.update({"identity.name": person.real_name, "identity.id_number": person.id_number})
    if enterprise is not None:
        known.update(
            {
                "business_licence.name": enterprise.name,
                "business_licence.credit_code": enterprise.credit_code,
                "business_licence.legal_representative": enterprise.legal_representative,
            }
        )
    return {
        f.code: known[f.prefill]
        for f in form_fields_for(application.version, application.situation)
        if known.get(f.prefill)
    }


def _phone_defaults(application: Application) -> dict[str, str]:
    """Phone fields start with the registered phone, which the applicant may change."""
    person = application.applicant_person
    if person is None or not person.phone:
        return {}
    return {
        f.code: person.phone
        for f in form_fields_for(application.version, application.situation)
        if f.field_type == "phone" and not f.prefill
    }


def _require_draft(application: Application, user: User) -> None:
    if application.status not in (Status.DRAFT, Status.CORRECTION):
        raise ApplicationError("not_editable", _("申请已提交，不能再修改。"), status=409)
    roles = actor_roles(user=user, application=application)
    if not roles & {workflow.APPLICANT, workflow.WINDOW}:
        raise ApplicationError("not_found", _("找不到该申请。"), status=404)


@transaction.atomic
def draft_save_fields(*, application: Application, user: User, data: dict[str, Any]) -> dict:
    """Save form values (partially validated; required fields are checked at submission)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _require_draft(application, user)
    fields = form_fields_for(application.version, application.situation)
    locked = verified_answers(application)
    values, errors = form_validate(
        fields, data, partial=True, verified=locked, given_before=application.data
    )
    labels = {f.code: f.label for f in fields}
    for code, value in values.items():
        # Registry data is re-checked here: a changed value never passes as registry data.
        if code in locked and value != locked[code]:
            errors[code] = _(
                "{label}来自实名登记或部门共享数据，不能修改；"
                "如信息有误，请在“提供材料”中改为自行上传。"
            ).format(label=labels[code])
    if errors:
        raise ApplicationError("invalid_fields", _("表单有需要修改的地方。"), errors=errors)
    application.data = {**application.data, **values}
    for code in [f.code for f in fields if f.code in data and f.code not in values]:
        application.data.pop(code, None)  # cleared by the applicant
    application.data.update(verified_answers(application))  # identity is never typed over
    application.save(update_fields=["data"])
    return application.data


def _sniff(raw: bytes) -> str | None:
    import filetype

    kind = filetype.guess(raw[:8192])
    return kind.mime if kind and kind.mime in ALLOWED_UPLOADS else None


def posted_file(files, *, field: str):
    """The file a form posted, or the error asking for one."""
    upload = files.get("file")
    if upload is None:
        raise ApplicationError("file_missing", _("请选择要上传的文件。"), field=field)
    return upload


def file_store(*, user: User, upload) -> StoredFile:
    """Keep an upload: size limit, type from its content, random name, SHA-256."""
    limit = getattr(settings, "ONETRIP_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
    raw = upload.read(limit + 1)  # never more than one byte past the limit
    if len(raw) > limit:
        raise ApplicationError(
            "file_too_large",
            _("文件不能超过 {size} MB。").format(size=limit // (1024 * 1024)),
            field="file",
            status=413,
        )
    if not raw:
        raise ApplicationError("file_empty", _("文件是空的，请重新选择。"), field="file")
    mime = _sniff(raw)
    if mime is None:
        raise ApplicationError(
            "file_type",
            _("只接受 PDF、JPG 或 PNG 文件（按文件内容判断）。"),
            field="file",
            status=415,
        )
    name = f"uploads/{secrets.token_hex(16)}.{ALLOWED_UPLOADS[mime]}"
    stored = default_storage.save(name, ContentFile(raw))
    from onetrip.applications.downloads import name_for_type

    original = name_for_type(str(getattr(upload, "name", "") or "上传文件")[-195:], mime)
    return StoredFile.objects.create(
        storage_name=stored,
        original_name=original,
        content_type=mime,
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        uploaded_by=user,
    )


@transaction.atomic
def material_upload(
    *, application: Application, user: User, code: str, upload
) -> ApplicationMaterial:
    application = Application.objects.select_for_update().get(pk=application.pk)
    supplement = _deficiency_open(application, code)
    if application.status not in (Status.DRAFT, Status.CORRECTION) and not supplement:
        raise ApplicationError("not_editable", _("现在不能上传该材料。"), status=409)
    # A 容缺 material may be handed in at any window.
    if not actor_roles(user=user, application=application) & {
        workflow.APPLICANT,
        workflow.WINDOW,
    } and not (supplement and holds_window_role(user)):
        raise ApplicationError("not_found", _("找不到该申请。"), status=404)
    material = application.materials.filter(code=code).first()
    if material is None:
        raise ApplicationError("unknown_material", _("该事项没有这项材料。"), field="code")
    _not_the_online_form(material)
    stored = file_store(user=user, upload=upload)
    from onetrip.exchange.services import evidence_superseded

    evidence_superseded(application=application, code=code)  # the upload replaces shared data
    was_deficient = material.state == ApplicationMaterial.State.DEFICIENT
    if material.file_id is not None:  # the earlier scan stays on record
        SupersededUpload.objects.create(
            application=application,
            material_code=code,
            file_id=material.file_id,
            superseded_by=user,
        )
    material.file = stored
    material.state = ApplicationMaterial.State.UPLOADED
    material.note = ""  # it said where shared data came from: no longer so
    material.save(update_fields=["file", "state", "note", "updated_at"])
    if was_deficient and application.status != Status.DRAFT:
        role = workflow.WINDOW if user.is_staff else workflow.APPLICANT
        _event(application, "supply_deficiency", user, role, note=f"补交：{material.name}")
        if not application.materials.filter(state=ApplicationMaterial.State.DEFICIENT).exists():
            from onetrip.supervision.models import ClockPause
            from onetrip.supervision.services import clock_resume

            clock_resume(application=application, kind=ClockPause.Kind.DEFICIENCY)
    return material


def _deficiency_open(application: Application, code: str) -> bool:
    return any(m.code == code for m in supplements_due(application))


def supplement_receive(
    *,
    application: Application,
    officer: User,
    code: str,
    upload,
    in_person: bool,
    place: str,
    request=None,
) -> ApplicationMaterial:
    """A 容缺 material handed in at a window, scanned and attached; when the applicant came in
    person, that is a visit too (one more trip than uploading it online would have been)."""
    with transaction.atomic():
        material = material_upload(application=application, user=officer, code=code, upload=upload)
        if in_person:
            visit_record(
                application=application,
                officer=officer,
                reason="到窗口补交容缺材料",
                place=place,
                over_promise_reason="申请人选择到窗口补交容缺材料（可在网上上传）",
                request=request,
            )
    return material


def material_choose(
    *, application: Application, user: User, code: str, state: str, request=None
) -> ApplicationMaterial:
    """Satisfy a material without a file: a written commitment, 容缺, original checked, or
    evidence fetched from the department that holds it (consent given by choosing it)."""
    if state == ApplicationMaterial.State.SHARED:
        return _material_share(application, user, code, request)
    return _material_choose(application=application, user=user, code=code, state=state)


def _material_share(application, user, code, request) -> ApplicationMaterial:
    from onetrip.exchange.services import ExchangeError, material_share

    spec = application.version.materials.filter(code=code).first()
    if spec is None or not application.materials.filter(code=code).exists():
        raise ApplicationError("unknown_material", _("该事项没有这项材料。"), field="code")
    if spec.source not in (Material.Source.SHARED, Material.Source.ELICENCE):
        raise ApplicationError(
            "not_allowed", _("“{name}”不能由部门共享获取。").format(name=spec.name), field=code
        )
    try:
        material_share(application=application, user=user, code=code, request=request)
    except ExchangeError as exc:
        raise ApplicationError(exc.code, exc.message, field=code, status=exc.status) from None
    return application.materials.get(code=code)


@transaction.atomic
def _material_choose(
    *, application: Application, user: User, code: str, state: str
) -> ApplicationMaterial:
    application = Application.objects.select_for_update().get(pk=application.pk)
    _require_draft(application, user)
    material = application.materials.filter(code=code).first()
    if material is None:
        raise ApplicationError("unknown_material", _("该事项没有这项材料。"), field="code")
    _not_the_online_form(material)
    spec = application.version.materials.get(code=code)
    roles = actor_roles(user=user, application=application)
    S = ApplicationMaterial.State
    if state == S.COMMITMENT and spec.source != Material.Source.COMMITMENT:
        raise ApplicationError(
            "not_allowed", _("“{name}”不适用告知承诺。").format(name=spec.name), field=code
        )
    if state == S.DEFICIENT and (spec.is_key or not spec.deficiency_allowed):
        raise ApplicationError(
            "not_allowed", _("“{name}”是关键材料，不能容缺。").format(name=spec.name), field=code
        )
    if state == S.ORIGINAL_CHECKED and workflow.WINDOW not in roles:
        raise ApplicationError("not_allowed", _("只有窗口工作人员可以核验原件。"), field=code)
    if state not in {S.COMMITMENT, S.DEFICIENT, S.ORIGINAL_CHECKED, S.MISSING}:
        raise ApplicationError("invalid_state", _("无效的材料处理方式。"), field=code)
    if material.state == S.SHARED:
        from onetrip.exchange.services import evidence_superseded

        evidence_superseded(application=application, code=code)
        material.note = ""  # it said where the shared data came from
    material.state = state
    material.save(update_fields=["state", "note", "updated_at"])
    return material


def _not_the_online_form(material: ApplicationMaterial) -> None:
    """The application form is the form answered online: it is changed through its fields."""
    if material.state == ApplicationMaterial.State.FORM:
        raise ApplicationError(
            "online_form",
            _("“{name}”就是在线填写的申请表，无需上传；需要修改的，请修改申请表中的内容。").format(
                name=material.name
            ),
            field=material.code,
        )


# ------------------------------------------------------------------ submission


def _completeness(application: Application, evidenced: frozenset[str] | None = None) -> dict:
    """Errors (by material code) for required materials not yet satisfied.

    A material counts as shared only with evidence stored for it (``evidenced``: the codes
    ``materials_with_evidence`` gives, when already read); without, it is missing.
    """
    from onetrip.exchange.selectors import materials_with_evidence

    required = pinned_content(application.version).required_materials
    if evidenced is None:
        evidenced = materials_with_evidence(application=application)
    errors = {}
    for m in application.materials.all():
        if m.code not in required:
            continue
        if m.state == ApplicationMaterial.State.MISSING:
            errors[m.code] = _("请提供“{name}”。").format(name=m.name)
        elif m.state == ApplicationMaterial.State.SHARED and m.code not in evidenced:
            errors[m.code] = _("“{name}”尚未从部门获取到数据，请上传。").format(name=m.name)
    return errors


@dataclass
class Submitted:
    application: Application
    created: bool  # False when the same submission was seen before


def application_submit(
    *,
    application: Application,
    user: User,
    idempotency_key: str = "",
    delivery_method: str = "",
    delivery_address: str = "",
    request=None,
    at_window: bool = False,
) -> Submitted:
    """Submit a draft once; repeating it (double click, retry, same key) changes nothing.

    A key this owner already used answers with that submission, whatever the draft holds now,
    and nothing is done to the draft (no evidence is fetched again for it). A window draft is
    submitted only ``at_window``: by the window's own step, which records the visit with it.
    """
    idempotency_key = str(idempotency_key or "").strip()
    longest = Application._meta.get_field("idempotency_key").max_length
    if len(idempotency_key) > longest:  # cut short, two keys could become one
        raise ApplicationError(
            "invalid_idempotency_key",
            _("Idempotency-Key 最长 {n} 个字符。").format(n=longest),
            field="idempotency_key",
        )
    earlier = _submitted_with_key(application, idempotency_key)
    if earlier is not None:
        return _repeated(application, earlier)
    if (
        application.channel == Application.Channel.WINDOW
        and application.status == Status.DRAFT
        and not at_window
    ):  # before any registry is asked again: this route cannot record the visit
        raise ApplicationError(
            "window_submit_required",
            _("窗口受理的申请由窗口工作人员在窗口提交，同时登记申请人到场。"),
            status=409,
        )
    try:
        if application.status == Status.DRAFT and actor_roles(user=user, application=application):
            # Stale evidence is fetched again before it is relied on (outside the
            # transaction: it is a network call); what cannot be refreshed now needs an
            # upload, and what changed waits for the applicant's preview
            # (``evidence_changed``, not submitted).
            from onetrip.exchange.services import ExchangeError, evidence_refresh_stale

            try:
                evidence_refresh_stale(application=application, user=user, request=request)
            except ExchangeError as exc:
                raise ApplicationError(
                    exc.code, exc.message, status=exc.status, errors=exc.errors
                ) from None
        with transaction.atomic():
            return _submit(
                application, user, idempotency_key, delivery_method, delivery_address, request
            )
    except IntegrityError:  # a concurrent submission of another draft took the key first
        earlier = _submitted_with_key(application, idempotency_key)
        if earlier is not None:
            return _repeated(application, earlier)
        raise


TRACK_LOOKUPS_PER_HOUR = 30


def track_lookup_allowed(request) -> bool:
    """Count one public progress lookup (page or API) for the client; False over the budget
    of ``TRACK_LOOKUPS_PER_HOUR``, which keeps query codes from being guessed."""
    return rate_limit_hit(f"track:{client_ip(request)}", TRACK_LOOKUPS_PER_HOUR, 3600)


def _submitted_with_key(application: Application, key: str) -> Application | None:
    """The owner's application already submitted with ``key`` (keys are the owner's)."""
    if not key or application.owner_id is None:
        return None
    return (
        Application.objects.filter(owner_id=application.owner_id, idempotency_key=key)
        .exclude(status=Status.DRAFT)
        .first()
    )


def _repeated(application: Application, earlier: Application) -> Submitted:
    """A repeat of the submission that used the key; the key used for another draft is an
    error, not that draft's receipt (the caller would take this one for submitted)."""
    if earlier.pk != application.pk:
        raise ApplicationError(
            "idempotency_key_reused",
            _("这个幂等键（Idempotency-Key）已用于提交另一份申请；每份申请的提交请使用新的键。"),
            status=409,
        )
    return Submitted(earlier, False)


def _submit(application, user, idempotency_key, delivery_method, delivery_address, request):
    """The submission itself, under the application's row lock.

    A key that a concurrent submission of another draft took first trips the unique
    constraint on save; ``application_submit`` then answers with that application.
    """
    from onetrip.exchange.selectors import evidence_in_use

    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("applicant_person")
        .get(pk=application.pk)
    )
    _reuse_loaded(locked, application, user)
    application = locked
    if application.status != Status.DRAFT:
        if actor_roles(user=user, application=application):
            return Submitted(application, False)
        raise ApplicationError("not_found", _("找不到该申请。"), status=404)
    role = _authorise(application, user, Action.SUBMIT)
    fields = form_fields_for(application.version, application.situation)
    evidence = evidence_in_use(application=application)
    verified = verified_answers(application, evidence.data_by_type)
    values, errors = form_validate(
        fields,
        {**application.data, **verified},
        verified=verified,
        given_before=application.data,
    )
    errors.update(_completeness(application, evidence.material_codes))
    method_field, address_field = delivery_from_form(fields)
    if method_field is not None and values.get(method_field.code):
        # The form asked how to deliver: that answer stands, and is not asked again.
        delivery_method = str(values[method_field.code])
        if address_field is not None:
            delivery_address = str(values.get(address_field.code) or "")
    if delivery_method:
        if delivery_method not in Application.Delivery.values:
            errors["delivery_method"] = _("请选择送达方式。")
        elif delivery_method == Application.Delivery.POST and not delivery_address.strip():
            errors["delivery_address"] = _("选择邮寄送达时请填写邮寄地址。")
        elif (
            delivery_method == Application.Delivery.POST
            and not application.version.supports_post_delivery
        ):
            errors["delivery_method"] = _("该事项不支持邮寄送达。")
    if errors:
        raise ApplicationError("incomplete", _("申请还不完整，请按提示修改。"), errors=errors)
    before = _snapshot(application)
    application.data = values
    application.status = Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.tracking_number = _tracking_number(application)
    application.query_code = f"{secrets.randbelow(10**6):06d}"
    application.idempotency_key = idempotency_key
    changed = ["data", "status", "submitted_at", "tracking_number", "query_code", "idempotency_key"]
    if delivery_method:
        application.delivery_method = delivery_method
        application.delivery_address = delivery_address.strip()[:300]
        changed += ["delivery_method", "delivery_address"]
    application.save(update_fields=changed)
    _record(
        application,
        Action.SUBMIT,
        user,
        role,
        before,
        request=request,
        note="窗口代为提交" if application.channel == Application.Channel.WINDOW else "申请已提交",
    )
    return Submitted(application, True)


def _reuse_loaded(locked: Application, loaded: Application, user: User) -> None:
    """Give the freshly locked row what the caller already read and cannot have changed: the
    item and the pinned version (fixed for an application), and the owner when it is ``user``."""
    for name in ("item", "version"):
        field = Application._meta.get_field(name)
        if field.is_cached(loaded) and getattr(loaded, field.attname) == getattr(
            locked, field.attname
        ):
            field.set_cached_value(locked, field.get_cached_value(loaded))
    if locked.owner_id is not None and locked.owner_id == user.pk:
        Application._meta.get_field("owner").set_cached_value(locked, user)


# ------------------------------------------------------------------ transitions


def _authorise(application: Application, user: User, action: Action) -> str:
    t = workflow.transition_for(application.status, action)
    roles = actor_roles(user=user, application=application)
    if not roles:
        raise ApplicationError("not_found", _("找不到该申请。"), status=404)
    if t is None:
        raise ApplicationError(
            "transition_not_allowed",
            _("当前状态“{status}”下不能“{label}”。").format(
                status=_(application.get_status_display()), label=_(action.label)
            ),
            status=409,
        )
    role = _role_for(t, application, roles)
    if role is None:
        raise ApplicationError(
            "forbidden", _("您没有“{label}”的权限。").format(label=_(action.label)), status=403
        )
    return role


def _snapshot(application: Application) -> dict[str, Any]:
    return {
        "status": application.status,
        "stage": application.stage,
        "correction_count": application.correction_count,
    }


def _event(application, action, user, role, *, before=None, note="", opinion=""):
    return ApplicationEvent.objects.create(
        application=application,
        action=action,
        from_status=(before or {}).get("status", ""),
        to_status=application.status,
        stage=application.stage,
        actor=user,
        actor_role=role,
        note=note,
        opinion=opinion,
    )


def _record(application, action: Action, user, role, before, *, note="", opinion="", request=None):
    """Timeline event, the applicant's notification and the audit event, in this transaction.

    The audit append comes last: it serialises writers on the chain head until commit, so
    holding it for the shortest time keeps concurrent submissions flowing.
    """
    from onetrip.audit.services import audit_append

    event = _event(application, action.value, user, role, before=before, note=note, opinion=opinion)
    if action != Action.PASS_STAGE:
        template = {
            Action.REQUEST_CORRECTION: "correction_requested",
            Action.APPROVE: "decision_made",
            Action.DENY: "decision_made",
        }.get(action, "application_status")
        notice = open_correction(application) if action == Action.REQUEST_CORRECTION else None
        _tell_applicant(
            application,
            event,
            template,
            next_step=next_step_text(application),
            # What the officer wrote, where it tells the applicant something: the grounds of a
            # refusal or decision, what is missing, why the clock stopped.
            note="" if action in workflow.NOTE_NOT_FOR_APPLICANT else note,
            corrections=[{"name": i["name"], "reason": i["reason"]} for i in notice.items]
            if notice
            else [],
            deadline=f"{correction_answer_due(notice):%Y年%m月%d日}" if notice else "",
            appeal_rights=(appeal_rights_text(application) if action == Action.DENY else ""),
        )
    audit_append(
        actor=user,
        action=f"application.{action.value}",
        target=application,
        summary=f"{application.tracking_number or application.pk} {action.label}",
        before=before,
        after=_snapshot(application),
        request=request,
    )
    return event


def _tell_applicant(
    application,
    event,
    template,
    *,
    next_step,
    note,
    corrections=(),
    deadline="",
    appeal_rights="",
) -> None:
    """The applicant's message about ``event``: to their account, or by SMS to someone
    registered at a window without one; nobody to tell, nothing sent."""
    from onetrip.notifications.services import outbox_enqueue

    recipient = application.owner
    person = application.applicant_person
    sms_only = recipient is None and person is not None and bool(person.phone)
    if recipient is None and not sms_only:
        return
    outbox_enqueue(
        recipient=recipient,
        template=template,
        context={
            "tracking_number": application.tracking_number,
            "item_name": application.version.name,
            "status_label": application.plain_status,
            "next_step": next_step,
            "note": note,
            "corrections": list(corrections),
            "deadline": deadline,
            "appeal_rights": appeal_rights,
            "sms_only": sms_only,  # no account to log in to: the SMS must say it all
        },
        dedupe_key=f"application:{application.pk}:event:{event.pk}",
        reference=application.tracking_number or "",
        **({"channels": ["sms"], "address_override": {"sms": person.phone}} if sms_only else {}),
    )


def next_step_text(application: Application) -> str:
    s = Status(application.status)
    version = application.version
    if s == Status.SUBMITTED:
        return "工作人员将审查您的申请，材料不全时会一次性告知需要补正的全部内容。"
    if s == Status.CORRECTION:
        notice = open_correction(application)
        if notice is not None:
            return (
                f"请于 {correction_answer_due(notice):%Y-%m-%d} 前按补正通知一次性补齐所列材料"
                "或信息后重新提交；逾期未补正的，申请将被驳回。"
            )
        return "请按补正通知一次性补齐所列材料或信息后重新提交。"
    if s in (Status.ACCEPTED, Status.HANDLING):
        limit = (
            "即办"
            if version.promised_limit == 0
            else (f"{version.promised_limit} 个{version.get_promised_limit_unit_display()}")
        )
        text = f"承诺办结时限：{limit}。"
        missing = [m.name for m in supplements_due(application)]
        if missing:
            text += (
                f"请于 {application.deficiency_due:%Y-%m-%d} 前补交容缺材料："
                f"{'、'.join(missing)}（在“我的办件”中上传，或交到任一服务窗口）；"
                "逾期未补交的，将依法作出不予批准的决定。"
            )
        return text
    if s in (Status.REFUSED, Status.CORRECTION_EXPIRED, Status.REVOKED):
        # Someone registered at a window has no account to read it in.
        where = "可在“我的办件”中查看" if application.owner_id else "可凭申办流水号到办理窗口领取"
        return f"理由见书面通知书，{where}。{appeal_rights_text(application)}"
    if s in workflow.DECIDED:
        return "结果将按您选择的方式送达。"
    return ""


def _clock(application: Application, action: Action, reason: str) -> None:
    """The legal clock moves with the workflow, in the same transaction (supervision)."""
    from onetrip.supervision import services as clock
    from onetrip.supervision.models import ClockPause

    if action in (Action.ACCEPT, Action.ACCEPT_DEFICIENT):
        clock.clock_start(application=application, on=_deemed_acceptance(application))
        if action == Action.ACCEPT_DEFICIENT:
            clock.clock_pause(
                application=application,
                kind=ClockPause.Kind.DEFICIENCY,
                reason=f"容缺补交期间，最迟至 {application.deficiency_due}",
                until=application.deficiency_due,
            )
    elif action in (Action.START, Action.PASS_STAGE):
        limits = pinned_content(application.version).stage_limits
        clock.stage_clock(
            application=application, stage=application.stage, limit=limits.get(application.stage)
        )
    elif action == Action.PAUSE:
        clock.clock_pause(application=application, reason=reason)
    elif action == Action.RESUME:
        clock.clock_resume(application=application)
    elif action in (Action.APPROVE, Action.DENY):
        clock.clock_stop(application=application)
    elif action == Action.WITHDRAW:
        clock.clock_stop(application=application, cancelled=True)


def _received_on(application: Application) -> dt.date:
    """When the department last received the application (the submission, or the corrections)."""
    supplied = (
        application.events.filter(action=Action.SUPPLY_CORRECTION)
        .order_by("-id")
        .values_list("created_at", flat=True)
        .first()
    )
    return timezone.localdate(supplied or application.submitted_at)


def _deemed_acceptance(application: Application) -> dt.date | None:
    """行政许可法 §32: without a notice within the period, the application counts as accepted
    on the day it was received — the clock starts then, not on the late acceptance."""
    from onetrip.core.calendar import working_days_between

    received = _received_on(application)
    today = timezone.localdate()
    if working_days_between(received, today) > settings.ONETRIP_CORRECTION_NOTICE_DAYS:
        return received
    return None


def _hold(
    application: Application, action: Action, user: User, role: str, stage_before: str
) -> None:
    """Assignment history: the officer who takes an application up holds it; it waits in a
    queue after a stage is passed, and nobody holds it once it is concluded. Whoever passes
    a stage or concludes holds it for that act, so the history names every officer."""
    from onetrip.applications.models import Assignment

    current = Assignment.objects.filter(application=application, ended_at__isnull=True).first()
    final = Status(application.status) in workflow.FINAL
    staff = role not in (workflow.APPLICANT, workflow.SUPERVISOR)
    hands_on = final or action == Action.PASS_STAGE
    if current and current.officer_id == user.pk and not hands_on:
        if current.stage != application.stage:
            current.stage = application.stage
            current.save(update_fields=["stage"])
        return
    if not staff and not final:
        return
    now = timezone.now()
    if current:
        current.ended_at = now
        current.save(update_fields=["ended_at"])
    if not staff or (hands_on and current is not None and current.officer_id == user.pk):
        return
    Assignment.objects.create(
        application=application,
        stage=stage_before if hands_on else application.stage,
        officer=user,
        started_at=now,
        ended_at=now if hands_on else None,
        note=action.label,
    )


def _irregularities(application: Application, action: Action, reason: str, user: User) -> None:
    """Red cards for irregular acts (电子监察): a late or repeated correction notice, a
    refusal or denial without real reasons."""
    from onetrip.core.calendar import working_days_between
    from onetrip.supervision.models import Card
    from onetrip.supervision.services import card_raise

    def raise_(kind: str, text: str) -> None:
        card_raise(application=application, kind=kind, reason=text, responsible=user)

    if action == Action.REQUEST_CORRECTION:
        if application.correction_count > 1:
            raise_(Card.Kind.SECOND_CORRECTION, f"第 {application.correction_count} 次要求补正")
            return  # a second notice is irregular in itself; its timing is not the point
        taken = working_days_between(_received_on(application), timezone.localdate())
        if taken > settings.ONETRIP_CORRECTION_NOTICE_DAYS:
            raise_(
                Card.Kind.LATE_CORRECTION,
                f"收件后第 {taken} 个工作日才一次性告知补正"
                f"（应在 {settings.ONETRIP_CORRECTION_NOTICE_DAYS} 个工作日内）",
            )
    elif action in (Action.REFUSE, Action.DENY):
        meaningful = "".join(ch for ch in reason if ch.isalnum())
        if len(meaningful) < settings.ONETRIP_MIN_REASON_CHARS:
            raise_(
                Card.Kind.REFUSAL_WITHOUT_REASONS,
                f"{action.label}的理由过于简略（“{reason[:30]}”），视同未说明理由",
            )


def _notice(
    application,
    kind,
    user,
    *,
    reason="",
    items=None,
    due=None,
    override_reason="",
    override_by=None,
    appealable=False,
    baseline=None,
) -> Notice:
    """A written notice; an ``appealable`` one (refusal, denial, revocation) ends its grounds
    with where and by when to appeal."""
    if appealable:
        reason = f"{reason}\n{appeal_rights_text(application)}"
    return Notice.objects.create(
        application=application,
        kind=kind,
        number=_notice_number(kind, application.department.short_name),
        reason=reason,
        items=items or [],
        baseline=baseline or {},
        due=due,
        issued_by=user,
        override_reason=override_reason,
        override_by=override_by,
    )


@transaction.atomic
def application_act(
    *,
    application: Application,
    user: User,
    action: str,
    reason: str = "",
    items: list[dict[str, str]] | None = None,
    due: dt.date | None = None,
    override_reason: str = "",
    confirm: list[str] | None = None,
    request=None,
) -> Application:
    """Take one workflow action (everything but submission), checking table, role and guard.

    ``confirm`` (提交补正 only): the field codes of the correction notice whose answer the
    applicant checked and keeps as it was; the step records them.
    """
    try:
        action = Action(action)
    except ValueError:
        raise ApplicationError("unknown_action", _("未知的操作。")) from None
    if action == Action.SUBMIT:
        raise ApplicationError("use_submit", _("请使用提交申请。"))
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("version")
        .get(pk=application.pk)
    )
    role = _authorise(application, user, action)
    t = workflow.TABLE[(Status(application.status), action)]
    # A pause's reason is kept on the clock too, which holds 200 characters.
    reason = typed_text(
        reason,
        field="reason",
        label=_("理由"),
        limit=200 if action == Action.PAUSE else 2000,
        required=t.needs_reason,
        code="reason_required",
    )
    before = _snapshot(application)
    now = timezone.now()
    opinion = reason if action in workflow.OPINION_STEPS else ""
    note = "" if action in workflow.OPINION_STEPS else reason
    handler = _GUARDS.get(action)
    if handler:
        note = (
            handler(
                application,
                user,
                role,
                reason=reason,
                items=items,
                due=due,
                override_reason=typed_text(
                    override_reason, field="override_reason", label=_("监察同意的理由"), limit=2000
                ),
                confirm=list(confirm or []),
                now=now,
                request=request,
            )
            or note
        )
    _clock(application, action, reason)
    if action not in (Action.APPROVE,):  # APPROVE decides its own target
        application.status = t.target
    application.save()
    _record(application, action, user, role, before, note=note, opinion=opinion, request=request)
    if action != Action.REVOKE:
        _hold(application, action, user, role, before["stage"])
    _irregularities(application, action, reason, user)
    if action in (Action.APPROVE, Action.DENY, Action.REVOKE):
        _deliver_electronically(application, user, request)
    return application


def correction_due_default(on: dt.date | None = None) -> dt.date:
    """The applicant's time to answer a correction notice issued ``on`` (default today)."""
    from onetrip.core.calendar import working_days_add

    return working_days_add(on or timezone.localdate(), settings.ONETRIP_CORRECTION_ANSWER_DAYS)


def _correction_due(due: dt.date | None) -> dt.date:
    """The date the officer set (after today, at most a year ahead), or the default."""
    if due is None:
        return correction_due_default()
    today = timezone.localdate()
    if not today < due <= today + dt.timedelta(days=365):
        raise ApplicationError("due_invalid", _("补正期限应在今天之后、一年之内。"), field="due")
    return due


def open_correction(application: Application, notices: list | None = None) -> Notice | None:
    """The correction notice the applicant is answering now, if any (among ``notices``, the
    application's notices, when already read)."""
    if application.status != Status.CORRECTION:
        return None
    if notices is None:
        notices = application.notices.filter(kind=Notice.Kind.CORRECTION)
    return max(
        (n for n in notices if n.kind == Notice.Kind.CORRECTION), key=lambda n: n.pk, default=None
    )


def correction_answer_due(notice: Notice) -> dt.date:
    """The date a correction notice gives; one issued before notices carried a date counts
    the default period from its issue."""
    return notice.due or correction_due_default(timezone.localdate(notice.issued_at))


def correction_overdue(application: Application, notices: list | None = None) -> bool:
    """The correction notice's date has passed and the applicant has not answered."""
    notice = open_correction(application, notices)
    return bool(notice and timezone.localdate() > correction_answer_due(notice))


def _g_request_correction(
    app, user, role, *, reason, items, override_reason, due, now, request=None, **_rest
):
    due = _correction_due(due)
    cleaned = []
    rows = list(app.materials.all())
    materials = {m.code: m.name for m in rows}
    online_form = {m.code for m in rows if m.state == ApplicationMaterial.State.FORM}
    fields = {f.code: f.label for f in form_fields_for(app.version, app.situation)}
    locked = locked_fields(application=app)
    seen: set[str] = set()
    for entry in items or []:
        code = str(entry.get("code", ""))
        if code in seen:  # the notice would list it twice and count it twice
            raise ApplicationError(
                "duplicate_item",
                _("补正清单中“{name}”列了不止一次，请合并为一项。").format(
                    name=materials.get(code) or fields.get(code) or code[:60]
                ),
                field="items",
            )
        seen.add(code)
        why = typed_text(entry.get("reason"), field="items", label=_("补正原因"), limit=300)
        if code in online_form:
            raise ApplicationError(
                "online_form",
                _("“{name}”是在线填写的申请表：请列出其中需要修改的内容（字段）。").format(
                    name=materials[code]
                ),
                field="items",
            )
        if code in materials:
            cleaned.append(
                {
                    "kind": "material",
                    "code": code,
                    "name": materials[code],
                    "reason": why or reason,  # without its own, the notice's reason
                }
            )
        elif code in locked:
            raise ApplicationError(
                "field_locked",
                _(
                    "“{label}”来自{source}，申请人不能在网上修改，"
                    "不能列入补正；请核实来源数据，或请申请人改为上传相应材料。"
                ).format(
                    label=fields[code],
                    source=locked[code][1] or pgettext("data source", "部门共享数据"),
                ),
                field="items",
            )
        elif code in fields:
            cleaned.append(
                {
                    "kind": "field",
                    "code": code,
                    "name": fields[code],
                    "reason": why or reason,  # without its own, the notice's reason
                }
            )
        else:
            raise ApplicationError(
                "unknown_item",
                _("补正清单中的“{code}”不是本申请的材料或字段。").format(code=code),
                field="items",
            )
    if not cleaned:
        raise ApplicationError(
            "items_required", _("一次性告知必须列出需要补正的全部材料或字段。"), field="items"
        )
    override_by = None
    if app.correction_count >= 1:
        supervisor = workflow.SUPERVISOR in actor_roles(user=user, application=app)
        if not supervisor or not says_something(override_reason):
            raise ApplicationError(
                "one_correction",
                _("补正只能一次性告知。确需再次补正的，请写明同意再次补正的理由。")
                if supervisor
                else _("补正只能一次性告知。确需再次补正的，须由监察人员写明理由后操作。"),
                field="override_reason",
                status=409,
            )
        override_by = user
        from onetrip.audit.services import audit_append

        audit_append(
            actor=user,
            action="application.correction_override",
            target=app,
            summary=f"{app.tracking_number} 监察同意再次补正",
            after={"reason": override_reason},
            request=request,
        )
    app.correction_count += 1
    _notice(
        app,
        Notice.Kind.CORRECTION,
        user,
        reason=reason,
        items=cleaned,
        due=due,
        override_reason=override_reason if override_by else "",
        override_by=override_by,
        baseline=_baseline(app, rows),
    )
    for entry in cleaned:
        if entry["kind"] == "material":
            # The old scan stays linked for the record; the state asks for a new one.
            app.materials.filter(code=entry["code"]).update(
                state=ApplicationMaterial.State.MISSING, note=""
            )
    return f"{reason}（共 {len(cleaned)} 项，请于 {due:%Y-%m-%d} 前补正）"


def _g_close_uncorrected(app, user, role, *, reason, now, **_rest):
    """补正超时驳回: only once the notice's date has passed with no answer."""
    notice = open_correction(app)
    due = correction_answer_due(notice)  # in CORRECTION there is always a notice
    if timezone.localdate() <= due:
        raise ApplicationError(
            "correction_not_due",
            _("补正期限（{due}）尚未届满，不能驳回。").format(due=f"{due:%Y-%m-%d}"),
            status=409,
        )
    grounds = (
        f"你（单位）未在补正通知书（{notice.number}）规定的期限（{due:%Y年%m月%d日}）内"
        "补正全部内容，本机关决定不予受理（补正超时驳回）。"
    )
    if reason:
        grounds += f"\n{reason}"
    _notice(app, Notice.Kind.REFUSAL, user, reason=grounds, appealable=True)
    app.decided_at = now
    return f"逾期未补正（期限 {due:%Y-%m-%d}）" + (f"：{reason}" if reason else "")


def _material_fingerprint(material: ApplicationMaterial) -> str:
    return f"{material.state}:{material.file_id or ''}"


def _answer_digest(code: str, value: Any, *, exact: bool = True) -> str:
    """A keyed hash of an answer: the notice can tell whether it changed without holding the
    personal data itself. Exact (spacing and case count); notices issued before notices kept
    a baseline hashed each listed answer with the lookup hash, which ignores both."""
    from onetrip.audit.chain import canonical_json
    from onetrip.core.crypto import change_digest, lookup_hash

    return (change_digest if exact else lookup_hash)(f"{code}:{canonical_json(value)}")


def _baseline(app: Application, materials: list[ApplicationMaterial]) -> dict[str, dict]:
    """Every answer and material as the correction notice finds them (keyed hashes and
    states only: no personal data)."""
    return {
        "fields": {
            f.code: _answer_digest(f.code, app.data.get(f.code))
            for f in form_fields_for(app.version, app.situation)
        },
        "materials": {m.code: _material_fingerprint(m) for m in materials},
    }


def correction_other_changes(
    application: Application, notice: Notice | None = None
) -> list[dict[str, str]]:
    """What the applicant changed since the open correction notice that it did not list: an
    answer, or a material provided again or given another way (an original the window
    checked is the window's doing, not a change). Each with ``name`` as the record writes
    it and ``shown`` in the page's language. Empty for notices issued before notices kept
    their baseline."""
    notice = notice or open_correction(application)
    if notice is None or not notice.baseline:
        return []
    listed = {e["code"] for e in notice.items}
    answers = notice.baseline.get("fields", {})
    materials = notice.baseline.get("materials", {})
    out = []
    for f in form_fields_for(application.version, application.situation):
        if f.code in listed:
            continue
        was = answers.get(f.code) or _answer_digest(f.code, None)
        if was != _answer_digest(f.code, application.data.get(f.code)):
            out.append(
                {"kind": "field", "code": f.code, "name": f.label, "shown": localized(f, "label")}
            )
    S = ApplicationMaterial.State
    for m in application.materials.all():
        if m.code in listed or m.state in (S.FORM, S.ORIGINAL_CHECKED):
            continue
        if materials.get(m.code) != _material_fingerprint(m):
            out.append({"kind": "material", "code": m.code, "name": m.name, "shown": m.name})
    return out


def correction_other_names(application: Application, notice: Notice | None = None) -> str:
    """``correction_other_changes`` as the page names them, in one phrase ("" for none)."""
    return _("、").join(c["shown"] for c in correction_other_changes(application, notice))


def correction_items(
    application: Application, notice: Notice | None = None
) -> list[dict[str, Any]]:
    """The open correction notice's items, each with ``done``: a material provided again, or
    a field answered differently from when the notice was issued (by the notice's baseline,
    or an older notice's ``was``); and ``shown``, its name in the page's language (the
    notice keeps the Chinese one)."""
    notice = notice or open_correction(application)
    if notice is None:
        return []
    answers = notice.baseline.get("fields", {})
    states = dict(application.materials.values_list("code", "state"))
    fields = {f.code: f for f in form_fields_for(application.version, application.situation)}
    out = []
    for entry in notice.items:
        field = fields.get(entry["code"]) if entry.get("kind") == "field" else None
        entry = {**entry, "shown": localized(field, "label") if field else entry["name"]}
        if entry.get("kind") == "field":
            code, value = entry["code"], application.data.get(entry["code"])
            if answers:
                changed = answers.get(code) != _answer_digest(code, value)
            else:
                changed = entry.get("was") != _answer_digest(code, value, exact=False)
            done = changed and value not in (None, "", [])  # an emptied answer is no answer
        else:
            done = states.get(entry["code"]) not in (None, ApplicationMaterial.State.MISSING)
        out.append({**entry, "done": done})
    return out


def correction_fields_open(
    application: Application, notice: Notice | None = None
) -> list[dict[str, Any]]:
    """The answers the open correction notice questions that are not changed yet."""
    return [
        i
        for i in correction_items(application, notice)
        if i.get("kind") == "field" and not i["done"]
    ]


def _g_supply_correction(app, user, role, *, now, confirm, **_rest):
    fields = form_fields_for(app.version, app.situation)
    values, errors = form_validate(
        fields, app.data, verified=verified_answers(app), given_before=app.data
    )
    errors.update(_completeness(app))
    notice = open_correction(app)
    items = correction_items(app, notice)
    listed = {e["code"] for e in items if e.get("kind") == "field"}
    unknown = [str(code)[:60] for code in confirm if code not in listed]
    if unknown:
        raise ApplicationError(
            "confirm_invalid",
            _("只能确认补正通知所列的填写项目，不能确认：{codes}").format(codes="、".join(unknown)),
            field="confirm",
        )
    # An answer the notice questioned may be right as it is: the applicant says so, and the
    # step records it for the officer, instead of having to change it to get through.
    confirmed = [
        e for e in items if e.get("kind") == "field" and e["code"] in confirm and not e["done"]
    ]
    # Everything the notice lists, a material the item only asks for in some cases included.
    for entry in items:
        if entry["done"] or entry["code"] in errors or entry in confirmed:
            continue
        if entry.get("kind") == "field":
            errors[entry["code"]] = _("请按补正通知修改“{name}”：{reason}").format(
                name=entry["shown"], reason=entry["reason"]
            )
        else:
            errors[entry["code"]] = _("请按补正通知重新提供“{name}”：{reason}").format(
                name=entry["shown"], reason=entry["reason"]
            )
    if errors:
        raise ApplicationError(
            "incomplete", _("补正还不完整，请按通知补齐全部内容。"), errors=errors
        )
    app.data = values
    note = "已按补正通知提交"
    if confirmed:
        names = "、".join(e["name"] for e in confirmed)
        note += f"；申请人确认以下填写无误，未作修改：{names}"
    # The officer reviews what the notice asked for; anything else that changed is named.
    others = correction_other_changes(app, notice)
    if others:
        note += "；另外修改了补正通知未列的内容：" + "、".join(e["name"] for e in others)
    return note


def _g_accept(app, user, role, *, now, **_rest):
    errors = _completeness(app)
    deficient = app.materials.filter(state=ApplicationMaterial.State.DEFICIENT)
    if errors:
        raise ApplicationError(
            "incomplete", _("材料不全，不能受理；请一次性告知补正。"), errors=errors, status=409
        )
    if deficient.exists():
        raise ApplicationError("deficient", _("有容缺材料，请使用“容缺受理”。"), status=409)
    app.accepted_at = now
    _notice(app, Notice.Kind.ACCEPTANCE, user)
    return "已受理"


def _g_accept_deficient(app, user, role, *, due, now, **_rest):
    errors = _completeness(app)
    if errors:
        raise ApplicationError(
            "incomplete", _("关键材料不全，不能容缺受理。"), errors=errors, status=409
        )
    missing = list(app.materials.filter(state=ApplicationMaterial.State.DEFICIENT))
    if not missing:
        raise ApplicationError("no_deficiency", _("没有容缺材料，请直接受理。"), status=409)
    if due is None:
        raise ApplicationError("due_required", _("请写明补交期限。"), field="due")
    from onetrip.core.calendar import days_add

    version = app.version
    today = timezone.localdate()
    # At most the promised limit (即办: one day to bring it), on the working-day calendar.
    latest = days_add(today, max(version.promised_limit, 1), version.promised_limit_unit)
    if not today < due <= latest:
        raise ApplicationError(
            "due_invalid",
            _("补交期限应在今天之后、承诺办结时限之内（最迟 {latest}）。").format(
                latest=f"{latest:%Y-%m-%d}"
            ),
            field="due",
        )
    app.accepted_at = now
    app.deficiency_due = due
    _notice(
        app,
        Notice.Kind.DEFICIENCY,
        user,
        due=due,
        items=[
            {
                "kind": "material",
                "code": m.code,
                "name": m.name,
                "reason": (
                    "容缺受理，请在期限内补交（在“我的办件”中上传，或交到任一服务窗口）；"
                    "逾期未补交的，将依法作出不予批准的决定。"
                ),
            }
            for m in missing
        ],
    )
    return f"容缺受理，{len(missing)} 项材料于 {due:%Y-%m-%d} 前补交"


def _g_refuse(app, user, role, *, reason, now, **_rest):
    _notice(app, Notice.Kind.REFUSAL, user, reason=reason, appealable=True)
    app.decided_at = now


def _stages(app: Application) -> list[str]:
    return [code for code, _name in pinned_content(app.version).stages]


_FOUR_EYES_ACTIONS = {Action.PASS_STAGE, Action.APPROVE, Action.DENY}


def _four_eyes_text() -> str:
    return _("审批须由不同的工作人员完成：您已办理过前一环节。")


def _four_eyes_blocks(app: Application, user: User | None, timeline: list | None = None) -> bool:
    """Whether ``user`` acted at another review stage (or already passed this one); read from
    ``timeline`` when given (to offer), from the database otherwise (to decide)."""
    if user is None or len(_stages(app)) < 2:
        return False
    if timeline is None:
        timeline = app.events.filter(actor=user, action__in=(Action.START, Action.PASS_STAGE))
    return any(
        e.actor_id == user.pk
        and (e.action == Action.PASS_STAGE or (e.action == Action.START and e.stage != app.stage))
        for e in timeline
    )


def _four_eyes(app: Application, user: User) -> None:
    """Whoever acted at one review stage may not decide at another."""
    if _four_eyes_blocks(app, user):
        raise ApplicationError("four_eyes", _four_eyes_text(), status=403)


def _g_start(app, user, role, **_rest):
    app.stage = _stages(app)[0]


def _g_pass_stage(app, user, role, **_rest):
    stages = _stages(app)
    index = stages.index(app.stage) if app.stage in stages else 0
    if index + 1 >= len(stages):
        raise ApplicationError(
            "last_stage", _("这是最后一个环节，请作出批准或不予批准的决定。"), status=409
        )
    _four_eyes(app, user)
    app.stage = stages[index + 1]
    names = dict(pinned_content(app.version).stages)
    return f"{names.get(stages[index], stages[index])}通过"


def _decide_guard(app, user):
    stages = _stages(app)
    if app.stage != stages[-1]:
        raise ApplicationError("not_last_stage", _("尚未到达最后一个审批环节。"), status=409)
    _four_eyes(app, user)


def _g_approve(app, user, role, *, reason, now, **_rest):
    _decide_guard(app, user)
    deficient = app.materials.filter(state=ApplicationMaterial.State.DEFICIENT).exists()
    app.status = Status.APPROVED_DEFICIENT if deficient else Status.APPROVED
    app.decided_at = now
    app.decision_reason = reason
    _notice(app, Notice.Kind.APPROVAL, user, reason=reason)
    return reason or "准予办理"


def _g_deny(app, user, role, *, reason, now, **_rest):
    _decide_guard(app, user)
    app.decided_at = now
    app.decision_reason = reason
    _notice(app, Notice.Kind.DENIAL, user, reason=reason, appealable=True)


def _g_revoke(app, user, role, *, reason, now, **_rest):
    """Revocation (e.g. a false 告知承诺 found later) is a written decision with appeal rights."""
    _notice(app, Notice.Kind.REVOCATION, user, reason=reason, appealable=True)
    app.decision_reason = reason


def _deliver_electronically(app: Application, user: User, request=None) -> None:
    """Electronic delivery happens with the decision: the result is in the applicant's pages."""
    if app.delivery_method == Application.Delivery.ELECTRONIC:
        _delivery_write(
            app,
            user,
            Application.Delivery.ELECTRONIC,
            address="申请人“我的办件”页面",
            note="电子送达：决定书可在“我的办件”中查看和下载",
            request=request,
        )


def _delivery_write(
    app, officer, method, *, tracking_no="", address="", note="", reason="", request=None
):
    """The delivery record, its timeline event (``note``, or the method and tracking number,
    with ``reason`` when given) and its audit event."""
    from onetrip.audit.services import audit_append

    record = DeliveryRecord.objects.create(
        application=app, method=method, tracking_no=tracking_no, address=address, officer=officer
    )
    event = _event(
        app,
        "delivery",
        officer,
        "",
        note=(note or f"{record.get_method_display()} {tracking_no}".strip())
        + (f"（{reason}）" if reason else ""),
    )
    if method == Application.Delivery.POST:  # the applicant waits for the parcel: say which
        _tell_applicant(
            app,
            event,
            "application_status",
            next_step=f"办理结果已通过邮政寄出，邮件号 {tracking_no}，"
            f"寄往：{address or app.delivery_address}。",
            note="",
        )
    audit_append(
        actor=officer,
        action="application.delivery",
        target=app,
        request=request,
        summary=f"{app} 送达",
        after={"method": method},
    )
    return record


_GUARDS = {
    Action.REQUEST_CORRECTION: _g_request_correction,
    Action.SUPPLY_CORRECTION: _g_supply_correction,
    Action.CLOSE_UNCORRECTED: _g_close_uncorrected,
    Action.ACCEPT: _g_accept,
    Action.ACCEPT_DEFICIENT: _g_accept_deficient,
    Action.REFUSE: _g_refuse,
    Action.START: _g_start,
    Action.PASS_STAGE: _g_pass_stage,
    Action.APPROVE: _g_approve,
    Action.DENY: _g_deny,
    Action.REVOKE: _g_revoke,
}


# ------------------------------------------------------------------ visits and delivery


@transaction.atomic
def visit_record(
    *,
    application: Application,
    officer: User,
    reason: str,
    place: str,
    over_promise_reason: str = "",
    request=None,
) -> Visit:
    """Record that the applicant appeared in person; going over the promise needs a reason."""
    from onetrip.audit.services import audit_append

    application = Application.objects.select_for_update().get(pk=application.pk)
    roles = actor_roles(user=officer, application=application)
    if not roles & {workflow.WINDOW, workflow.HANDLER}:
        raise ApplicationError("forbidden", _("只有窗口或承办人员可以登记到场。"), status=403)
    if not says_something(reason) or not says_something(place):
        raise ApplicationError("visit_incomplete", _("请填写到场事由和地点。"), field="reason")
    reason = typed_text(reason, field="reason", label=_("到场事由"), limit=200)
    place = typed_text(place, field="place", label=_("到场地点"), limit=200)
    over_promise_reason = typed_text(
        over_promise_reason, field="over_promise_reason", label=_("超出承诺的原因"), limit=300
    )
    count = application.visits.count() + 1
    over = count > application.version.visits_required
    if over and not says_something(over_promise_reason):
        raise ApplicationError(
            "over_promise_reason_required",
            _(
                "该事项承诺最多跑 {visits_required} 次，这是第 {count} 次，请写明超出承诺的原因。"
            ).format(visits_required=application.version.visits_required, count=count),
            field="over_promise_reason",
            status=409,
        )
    visit = Visit.objects.create(
        application=application,
        reason=reason,
        place=place,
        officer=officer,
        over_promise=over,
        over_promise_reason=over_promise_reason if over else "",
    )
    role = workflow.WINDOW if workflow.WINDOW in roles else workflow.HANDLER
    _event(application, "visit", officer, role, note=f"第 {count} 次到场：{reason}")
    audit_append(
        actor=officer,
        action="application.visit",
        target=application,
        request=request,
        summary=f"{application} 第 {count} 次到场" + ("（超出承诺）" if over else ""),
        after={"visits": count, "over_promise": over},
    )
    return visit


@transaction.atomic
def delivery_record(
    *,
    application: Application,
    officer: User,
    method: str,
    tracking_no: str = "",
    address: str = "",
    reason: str = "",
    request=None,
) -> DeliveryRecord:
    """Record how the result reached the applicant. Another way than the one they chose needs
    a reason; a pickup is also a visit."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in workflow.DECIDED:
        raise ApplicationError("not_decided", _("办结后才能送达。"), status=409)
    roles = actor_roles(user=officer, application=application)
    if not roles & {workflow.WINDOW, workflow.HANDLER, workflow.APPROVER}:
        raise ApplicationError("forbidden", _("您没有登记送达的权限。"), status=403)
    if method not in Application.Delivery.values:
        raise ApplicationError("delivery_method", _("请选择送达方式。"), field="method")
    tracking_no = typed_text(tracking_no, field="tracking_no", label=_("邮件号"), limit=40)
    if method == Application.Delivery.POST and not says_something(tracking_no):
        raise ApplicationError(
            "tracking_required", _("邮寄送达请填写邮件号。"), field="tracking_no"
        )
    address = typed_text(address, field="address", label=_("送达地址"), limit=300)
    reason = typed_text(
        " ".join(str(reason or "").split()), field="reason", label=_("原因"), limit=200
    )
    chosen = application.delivery_method
    if chosen and method != chosen and not says_something(reason):
        raise ApplicationError(
            "delivery_reason_required",
            _("申请人选择的送达方式是“{label}”；改用其他方式请写明原因。").format(
                label=_(Application.Delivery(chosen).label)
            ),
            field="reason",
        )
    earlier = application.deliveries.order_by("-delivered_at").first()
    if earlier is not None and not says_something(reason):
        raise ApplicationError(
            "delivery_reason_required",
            _("本申请已于 {when} 以“{method}”送达；再次送达请写明原因。").format(
                when=f"{timezone.localtime(earlier.delivered_at):%Y-%m-%d %H:%M}",
                method=_(earlier.get_method_display()),
            ),
            field="reason",
        )
    record = _delivery_write(
        application,
        officer,
        method,
        tracking_no=tracking_no,
        address=address,
        reason=reason,
        request=request,
    )
    if method == Application.Delivery.PICKUP:
        visit_record(
            application=application,
            officer=officer,
            reason="窗口领取办理结果",
            place="办事窗口",
            over_promise_reason=reason or "申请人选择窗口自取",
            request=request,
        )
    return record


# ------------------------------------------------------------------ extension and assignment


@transaction.atomic
def deadline_extend(
    *, application: Application, officer: User, days: Any, reason: str = "", request=None
):
    """延期: an approver (本机关负责人) adds working days to the running limits, with a reason;
    the applicant is told in writing, and it is audited."""
    from onetrip.audit.services import audit_append
    from onetrip.supervision import services as clock

    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("version")
        .get(pk=application.pk)
    )
    roles = actor_roles(user=officer, application=application)
    if not roles:
        raise ApplicationError("not_found", _("找不到该申请。"), status=404)
    if workflow.APPROVER not in roles:
        raise ApplicationError(
            "forbidden", _("延长办理期限须经批准人（本机关负责人）批准。"), status=403
        )
    if application.status not in workflow.ACCEPTED_OPEN:
        raise ApplicationError(
            "not_extendable", _("只有已受理、尚未办结的申请可以延期。"), status=409
        )
    try:
        days = int(str(days).strip())
    except ValueError:
        raise ApplicationError(
            "days_invalid", _("请填写延长的天数（整数）。"), field="days"
        ) from None
    used = sum(application.extensions.values_list("days", flat=True))
    room = settings.ONETRIP_EXTENSION_MAX_DAYS - used
    if room <= 0:
        raise ApplicationError(
            "extension_exhausted",
            _("本申请已延期 {used} 天，已达上限 {limit} 天。").format(
                used=used, limit=settings.ONETRIP_EXTENSION_MAX_DAYS
            ),
            field="days",
            status=409,
        )
    if not 1 <= days <= room:
        raise ApplicationError(
            "days_invalid", _("延长天数应为 1 至 {room} 天。").format(room=room), field="days"
        )
    reason = typed_text(
        reason,
        field="reason",
        label=_("延期理由"),
        limit=300,
        required=True,
        code="reason_required",
        long_code="reason_too_long",
    )
    clock.clock_extend(application=application, days=days, reason=reason, approver=officer)
    promised = application.deadlines.filter(kind="promised").first()
    due = promised.due_on.isoformat() if promised else ""
    note = f"延长 {days} 天，理由：{reason}" + (f"；承诺办结期限延至 {due}" if due else "")
    event = _event(application, "extend", officer, workflow.APPROVER, note=note)
    _tell_applicant(
        application,
        event,
        "application_status",
        next_step=f"办理期限已延长 {days} 天" + (f"，至 {due}" if due else "") + "。",
        note=note,
    )
    audit_append(
        actor=officer,
        action="application.extend",
        target=application,
        summary=f"{application.tracking_number} 延期 {days} 天",
        after={"days": days, "reason": reason, "due_on": due},
        request=request,
    )
    return application


def assignable_officers(*, application: Application) -> list[User]:
    """Staff who may hold the application at its current stage: the stage's role (or
    administrator) in its department or a department above it, and superusers."""

    from onetrip.catalog.selectors import departments_above

    role = workflow.STAGE_ROLE.get(application.stage or "handle", workflow.HANDLER)
    above = departments_above([application.department_id])[application.department_id]
    held = StaffRole.objects.filter(
        role__in=[role, StaffRole.Role.ADMINISTRATOR], department_id__in=above
    ).values("user_id")
    return list(
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(id__in=held) | Q(is_superuser=True))
        .order_by("username")
    )


@transaction.atomic
def application_assign(
    *, application: Application, officer: User, assignee: Any, note: str = "", request=None
):
    """分派 or 领办: an approver or supervisor hands the application to an officer of the
    current stage; an officer of that stage may take it up themselves. Audited."""
    from onetrip.applications.models import Assignment
    from onetrip.audit.services import audit_append

    application = Application.objects.select_for_update().get(pk=application.pk)
    roles = actor_roles(user=officer, application=application)
    if not roles - {workflow.APPLICANT}:
        raise ApplicationError("not_found", _("找不到该申请。"), status=404)
    if application.status not in workflow.OPEN_BEFORE_DECISION:
        raise ApplicationError("not_assignable", _("已办结或尚未提交的申请不能分派。"), status=409)
    note = typed_text(note, field="note", label=_("说明"), limit=200)
    eligible = {u.pk: u for u in assignable_officers(application=application)}
    try:
        target = eligible.get(int(str(assignee).strip()))
    except ValueError:
        target = None
    if target is None:
        raise ApplicationError(
            "assignee_invalid", _("请选择本环节有办理权限的工作人员。"), field="assignee"
        )
    if target.pk != officer.pk and not roles & {workflow.APPROVER, workflow.SUPERVISOR}:
        raise ApplicationError("forbidden", _("只有批准人或监察人员可以分派给他人。"), status=403)
    current = Assignment.objects.filter(application=application, ended_at__isnull=True).first()
    if current and current.officer_id == target.pk:
        raise ApplicationError(
            "already_assigned",
            _("{target} 已在办理本申请。").format(target=target),
            field="assignee",
            status=409,
        )
    now = timezone.now()
    if current:
        current.ended_at = now
        current.save(update_fields=["ended_at"])
    label = "领办" if target.pk == officer.pk else f"分派给 {target}"
    Assignment.objects.create(
        application=application,
        stage=application.stage,
        officer=target,
        assigned_by=officer,
        started_at=now,
        note=note or label,
    )
    _event(application, "assign", officer, "", note=f"{label}{'：' + note if note else ''}")
    audit_append(
        actor=officer,
        action="application.assign",
        target=application,
        summary=f"{application.tracking_number} {label}",
        before={"officer": current.officer_id if current else None},
        after={"officer": target.pk, "stage": application.stage},
        request=request,
    )
    return application
