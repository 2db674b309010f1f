"""Reads of applications for applicants, the public lookup and staff pages."""

from __future__ import annotations

import hmac
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onetrip.applications.models import Application, ApplicationEvent, ApplicationMaterial
from onetrip.applications.workflow import (
    DEFICIENCY_OPEN,
    NOTE_NOT_FOR_APPLICANT,
    PLAIN,
    Action,
    Status,
)
from onetrip.catalog.selectors import pinned_content
from onetrip.core.templatetags.onetrip import localized


def applications_for_applicant(*, user) -> QuerySet[Application]:
    """Everything the user applied for (drafts included), newest first; as an agent, only
    while the 委托 is in force."""
    from django.utils import timezone

    from onetrip.accounts.models import Authorisation

    person = getattr(user, "person", None)
    qs = Application.objects.filter(owner=user)
    if person is not None:
        today = timezone.localdate()
        grants = list(Authorisation.objects.filter(agent=person, revoked_at__isnull=True))
        covered = [
            pk
            for pk, item_code, person_id, enterprise_id in Application.objects.filter(
                agent=person
            ).values_list("pk", "item__code", "applicant_person_id", "applicant_enterprise_id")
            if any(
                g.lets_act_for(
                    person_id=person_id, enterprise_id=enterprise_id, item_code=item_code, on=today
                )
                for g in grants
            )
        ]
        qs = (
            qs
            | Application.objects.filter(pk__in=covered)
            | Application.objects.filter(applicant_person=person).exclude(status="draft")
        )
    return qs.select_related("version", "item").order_by("-created_at")


def application_overview(*, application: Application) -> dict[str, Any]:
    """What an applicant's page shows: timeline, notices, correction task, visits."""
    from onetrip.applications.services import (
        correction_items,
        correction_other_names,
        open_correction,
    )
    from onetrip.supervision.services import working_days_left

    version = application.version
    correction = open_correction(application)
    visits = list(application.visits.all())

    paused = application.clock_pauses.filter(ended_on__isnull=True).exists()
    deadlines = [
        {"d": d, "left": working_days_left(deadline=d), "paused": paused}
        for d in application.deadlines.order_by("kind")
    ]
    return {
        "deadlines": deadlines,
        "application": application,
        "version": version,
        "events": applicant_timeline(application=application),
        "notices": list(application.notices.all()),
        "correction": correction,
        "correction_items": correction_items(application, correction) if correction else [],
        "correction_other_changes": correction_other_names(application, correction),
        "materials": list(application.materials.select_related("file")),
        "visits": visits,
        "visit_count": len(visits),
        "visits_promised": version.visits_required,
        "deliveries": list(application.deliveries.all()),
        "supplements": supplements_due(application),
    }


# Each step of the timeline as the applicant reads it.
PLAIN_STEP = {
    Action.SUBMIT: gettext_lazy("提交申请"),
    Action.REQUEST_CORRECTION: gettext_lazy("收到补正通知（一次性告知）"),
    Action.SUPPLY_CORRECTION: gettext_lazy("已提交补正"),
    Action.CLOSE_UNCORRECTED: gettext_lazy("逾期未补正，申请被驳回"),
    Action.ACCEPT: gettext_lazy("申请已受理"),
    Action.ACCEPT_DEFICIENT: gettext_lazy("申请已容缺受理"),
    Action.REFUSE: gettext_lazy("申请不予受理"),
    Action.START: gettext_lazy("开始审查"),
    Action.PAUSE: gettext_lazy("进入特别程序（不计入办理时限）"),
    Action.RESUME: gettext_lazy("特别程序结束，继续审查"),
    Action.APPROVE: gettext_lazy("准予办理"),
    Action.DENY: gettext_lazy("不予批准"),
    Action.WITHDRAW: gettext_lazy("申请已撤回"),
    Action.REVOKE: gettext_lazy("决定已撤销"),
    "visit": gettext_lazy("到现场办理"),
    "delivery": gettext_lazy("办理结果已送达"),
    "extend": gettext_lazy("办理期限已延长"),
    "supply_deficiency": gettext_lazy("已补交容缺材料"),
}
# Steps among staff only: who holds the application.
STAFF_ONLY_STEPS = {"assign"}


def applicant_timeline(
    *, application: Application, events: list[ApplicationEvent] | None = None
) -> list[dict[str, Any]]:
    """The application's steps in plain words for the applicant: staff-only steps left out,
    and the department's working opinions kept back (reasons and what to do are kept)."""
    if events is None:
        events = list(application.events.all())
    stage_names: dict[str, str] | None = None
    steps = []
    for e in events:
        if e.action in STAFF_ONLY_STEPS:
            continue
        if e.action == Action.PASS_STAGE:
            if stage_names is None:
                stage_names = dict(pinned_content(application.version).stages)
            label = _stage_passed(stage_names, e.stage)
        else:
            label = str(PLAIN_STEP.get(e.action, e.action_label))
        steps.append(
            {
                "event": e,
                "label": label,
                "note": "" if e.action in NOTE_NOT_FOR_APPLICANT else e.note,
            }
        )
    return steps


def _stage_passed(names: dict[str, str], reached: str) -> str:
    """ "“受理审核”环节已完成": the stage before ``reached`` (``names``: code → name, in
    order), the one the step passed."""
    codes = list(names)
    index = codes.index(reached) if reached in codes else 0
    if index == 0:
        return _("一个办理环节已完成")
    return _("“{stage}”环节已完成").format(stage=names[codes[index - 1]])


def supplements_due(application: Application) -> list:
    """The 容缺 materials still to be supplied, while they can be."""
    if application.status not in DEFICIENCY_OPEN:
        return []
    return list(application.materials.filter(state=ApplicationMaterial.State.DEFICIENT))


def application_track(*, tracking_number: str, query_code: str) -> dict[str, Any] | None:
    """Public progress for the right tracking number and query code; nothing personal."""
    if not tracking_number or not query_code:
        return None
    application = (
        Application.objects.filter(tracking_number=tracking_number)
        .select_related("version", "department")
        .first()
    )
    if application is None or not hmac.compare_digest(
        application.query_code.encode(), str(query_code).encode()
    ):
        return None
    return {
        "tracking_number": application.tracking_number,
        "item_name": localized(application.version, "name"),
        "department": localized(application.department, "name"),
        "status": PLAIN.get(Status(application.status), application.get_status_display()),
        "national_code": application.national_code,
        "submitted_at": application.submitted_at,
        "events": [
            {"at": step["event"].created_at, "label": step["label"]}
            for step in applicant_timeline(application=application)
        ],
        "visit_count": application.visits.count(),
        "visits_promised": application.version.visits_required,
    }


def principals_for_agent(
    *, user, item_code: str, persons: bool = True, enterprises: bool = True
) -> list[dict[str, Any]]:
    """Whom ``user`` may apply for on this item: people and enterprises under a valid 委托
    (only the kinds of applicant the item serves)."""
    from django.utils import timezone

    from onetrip.accounts.models import Authorisation

    person = getattr(user, "person", None)
    if person is None:
        return []
    today = timezone.localdate()
    out = []
    grants = Authorisation.objects.filter(agent=person, revoked_at__isnull=True).select_related(
        "principal_person", "principal_enterprise"
    )
    for g in grants:
        if g.principal_enterprise_id and not enterprises:
            continue
        if g.principal_person_id and not persons:
            continue
        if g.covers(item_code=item_code, on=today):
            if g.principal_enterprise_id:
                out.append(
                    {
                        "key": f"e{g.principal_enterprise_id}",
                        "name": g.principal_enterprise.name,
                        "until": g.valid_until,
                    }
                )
            else:
                out.append(
                    {
                        "key": f"p{g.principal_person_id}",
                        "name": g.principal_person.real_name,
                        "until": g.valid_until,
                    }
                )
    return out


def drafts_started(*, user, item) -> list[Application]:
    """Drafts of ``item`` that ``user`` started and has not submitted, newest first (for
    oneself or under a 委托), each with ``situation_name``."""
    drafts = list(
        Application.objects.filter(created_by=user, item=item, status=Status.DRAFT)
        .select_related("applicant_person", "applicant_enterprise")
        .prefetch_related("version__situations")
        .order_by("-created_at", "-pk")
    )
    for d in drafts:
        d.situation_name = next(
            (s.name for s in d.version.situations.all() if s.code == d.situation), ""
        )
    return drafts


def principal_for_key(key: str) -> dict[str, Any] | None:
    """The applicant a ``principals_for_agent`` key names, as ``draft_create`` takes it
    ({"applicant_person": …} or {"applicant_enterprise": …}); None when there is none."""
    from onetrip.accounts.models import Enterprise, Person

    kind, number = key[:1], key[1:]
    if kind not in ("p", "e") or not number.isdigit() or len(number) > 12:
        return None
    if kind == "p":
        person = Person.objects.filter(pk=int(number)).first()
        return {"applicant_person": person} if person else None
    enterprise = Enterprise.objects.filter(pk=int(number)).first()
    return {"applicant_enterprise": enterprise} if enterprise else None


def replaced_uploads(application: Application) -> dict[str, list]:
    """Material code → the files the applicant uploaded before and replaced, oldest first."""
    out: dict[str, list] = {}
    for old in application.superseded_uploads.select_related("file"):
        out.setdefault(old.material_code, []).append(old)
    return out


def file_holders(*, file_id: int) -> list[tuple[Application, str]]:
    """The applications a stored file belongs to, each with what it is there: a material, or
    a material's earlier file that the applicant replaced."""
    from onetrip.applications.models import ApplicationMaterial, SupersededUpload

    if not 0 < file_id < 2**63:  # beyond any key the database can hold
        return []
    out = [
        (m.application, m.name)
        for m in ApplicationMaterial.objects.filter(file_id=file_id).select_related("application")
    ]
    replaced = list(SupersededUpload.objects.filter(file_id=file_id).select_related("application"))
    names = {
        (m.application_id, m.code): m.name
        for m in ApplicationMaterial.objects.filter(
            application_id__in={old.application_id for old in replaced},
            code__in={old.material_code for old in replaced},
        )
    }
    for old in replaced:
        name = names.get((old.application_id, old.material_code), old.material_code)
        out.append((old.application, f"{name}（已被替换的文件）"))
    return out
