"""The application lifecycle: one table of (state, action) → next state, guard and actors.

States carry the national interchange status codes (DOMAIN.md §3). Services in
``services.py`` are the only code that moves an application; they look every move up here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已接件"
    CORRECTION = "correction", "待补正"
    CORRECTED = "corrected", "已补正"
    ACCEPTED = "accepted", "已受理"
    REFUSED = "refused", "不予受理"
    CORRECTION_EXPIRED = "correction_expired", "补正超时驳回"
    HANDLING = "handling", "办理中"
    SPECIAL = "special", "特别程序"
    APPROVED = "approved", "办结（通过）"
    APPROVED_DEFICIENT = "approved_deficient", "办结（容缺通过）"
    DENIED = "denied", "办结（不通过）"
    WITHDRAWN = "withdrawn", "已撤回"
    REVOKED = "revoked", "已撤销"


NATIONAL_CODE = {
    Status.DRAFT: None,
    Status.SUBMITTED: 1,
    Status.CORRECTION: 6,
    Status.CORRECTED: 7,
    Status.ACCEPTED: 3,
    Status.REFUSED: 5,
    Status.CORRECTION_EXPIRED: 5,  # not accepted; its completion result is 补正超时驳回
    Status.HANDLING: 8,
    Status.SPECIAL: 9,
    Status.APPROVED: 11,
    Status.APPROVED_DEFICIENT: 12,
    Status.DENIED: 13,
    Status.WITHDRAWN: 14,
    Status.REVOKED: 15,
}

# Plain-Chinese status for applicants.
PLAIN = {
    Status.DRAFT: "尚未提交",
    Status.SUBMITTED: "已提交，等待工作人员受理",
    Status.CORRECTION: "需要您补正材料",
    Status.CORRECTED: "已补正，等待工作人员受理",
    Status.ACCEPTED: "已受理，即将开始审查",
    Status.REFUSED: "不予受理",
    Status.CORRECTION_EXPIRED: "逾期未补正，申请已被驳回",
    Status.HANDLING: "审查中",
    Status.SPECIAL: "特别程序中（听证、检验、鉴定等，不计入办理时限）",
    Status.APPROVED: "已办结，准予办理",
    Status.APPROVED_DEFICIENT: "已办结（容缺通过），请按承诺补交材料",
    Status.DENIED: "已办结，不予批准",
    Status.WITHDRAWN: "您已撤回申请",
    Status.REVOKED: "决定已撤销",
}

DECIDED = {Status.APPROVED, Status.APPROVED_DEFICIENT, Status.DENIED}
FINAL = {*DECIDED, Status.REFUSED, Status.CORRECTION_EXPIRED, Status.WITHDRAWN, Status.REVOKED}
# Accepted and not yet decided: the legal clock runs, the review stages apply.
ACCEPTED_OPEN = {Status.ACCEPTED, Status.HANDLING, Status.SPECIAL}
# While a 容缺 material can still be supplied (办结（容缺通过） included).
DEFICIENCY_OPEN = {*ACCEPTED_OPEN, Status.APPROVED_DEFICIENT}
OPEN_BEFORE_DECISION = {
    Status.SUBMITTED,
    Status.CORRECTION,
    Status.CORRECTED,
    Status.ACCEPTED,
    Status.HANDLING,
    Status.SPECIAL,
}

# Who may act. "applicant" is the applicant or an authorised agent; the rest are staff roles
# held in the application's department ("window" officers may act for any department).
APPLICANT = "applicant"
WINDOW = "window"
HANDLER = "handler"
CHECKER = "checker"
APPROVER = "approver"
SUPERVISOR = "supervisor"
# Roles held through a department (scoped by StaffRole), as opposed to the window's reach.
DEPARTMENT_ROLES = (HANDLER, CHECKER, APPROVER, SUPERVISOR)
STAGE_ROLE = {"handle": HANDLER, "check": CHECKER, "approve": APPROVER}


class Action(models.TextChoices):
    SUBMIT = "submit", "提交申请"
    REQUEST_CORRECTION = "request_correction", "一次性告知补正"
    SUPPLY_CORRECTION = "supply_correction", "提交补正"
    CLOSE_UNCORRECTED = "close_uncorrected", "补正超时驳回"
    ACCEPT = "accept", "受理"
    ACCEPT_DEFICIENT = "accept_deficient", "容缺受理"
    REFUSE = "refuse", "不予受理"
    START = "start", "开始办理"
    PASS_STAGE = "pass_stage", "本环节通过"
    PAUSE = "pause", "启动特别程序"
    RESUME = "resume", "结束特别程序"
    APPROVE = "approve", "批准"
    DENY = "deny", "不予批准"
    WITHDRAW = "withdraw", "撤回申请"
    REVOKE = "revoke", "撤销决定"


# Steps where what the officer types is their working opinion, kept for staff beside the
# step's note (``ApplicationEvent.opinion``), not grounds the applicant is given.
OPINION_STEPS = frozenset(
    {
        Action.ACCEPT,
        Action.ACCEPT_DEFICIENT,
        Action.START,
        Action.PASS_STAGE,
        Action.SUPPLY_CORRECTION,  # a window officer's remark when handing it in for someone
    }
)
# Steps whose note the applicant is not shown (page, API, messages): it only repeats the step.
NOTE_NOT_FOR_APPLICANT = frozenset(
    {Action.SUBMIT, Action.ACCEPT, Action.START, Action.PASS_STAGE, Action.SUPPLY_CORRECTION}
)

# In an exchange table's event stream a step is reported by the code of the state it leads
# to, except the end of a special procedure, which has a code of its own (10).
EVENT_NATIONAL_CODE = {Action.RESUME: 10}


def event_national_code(action: str, from_status: str, to_status: str) -> int | None:
    """The national code an event (a status change) is reported with; None for the rest
    (a visit, an assignment, a stage passed: the status stays what it was)."""
    if not to_status or not from_status or to_status == from_status:
        return None
    if action in EVENT_NATIONAL_CODE:
        return EVENT_NATIONAL_CODE[action]
    try:
        return NATIONAL_CODE.get(Status(to_status))
    except ValueError:
        return None


@dataclass(frozen=True)
class Transition:
    target: Status
    actors: frozenset[str]
    needs_reason: bool = False
    # "stage" actors mean: the role of the application's current review stage.
    by_stage: bool = False


def _t(target: Status, *actors: str, reason: bool = False, by_stage: bool = False) -> Transition:
    return Transition(target, frozenset(actors), reason, by_stage)


INTAKE = (WINDOW, HANDLER)

TABLE: dict[tuple[Status, Action], Transition] = {
    (Status.DRAFT, Action.SUBMIT): _t(Status.SUBMITTED, APPLICANT, WINDOW),
    (Status.SUBMITTED, Action.REQUEST_CORRECTION): _t(
        Status.CORRECTION, *INTAKE, SUPERVISOR, reason=True
    ),
    (Status.CORRECTED, Action.REQUEST_CORRECTION): _t(
        Status.CORRECTION, *INTAKE, SUPERVISOR, reason=True
    ),
    (Status.CORRECTION, Action.SUPPLY_CORRECTION): _t(Status.CORRECTED, APPLICANT, WINDOW),
    (Status.CORRECTION, Action.CLOSE_UNCORRECTED): _t(
        Status.CORRECTION_EXPIRED, *INTAKE, SUPERVISOR
    ),
    (Status.SUBMITTED, Action.ACCEPT): _t(Status.ACCEPTED, *INTAKE),
    (Status.CORRECTED, Action.ACCEPT): _t(Status.ACCEPTED, *INTAKE),
    (Status.SUBMITTED, Action.ACCEPT_DEFICIENT): _t(Status.ACCEPTED, *INTAKE),
    (Status.CORRECTED, Action.ACCEPT_DEFICIENT): _t(Status.ACCEPTED, *INTAKE),
    (Status.SUBMITTED, Action.REFUSE): _t(Status.REFUSED, *INTAKE, reason=True),
    (Status.CORRECTED, Action.REFUSE): _t(Status.REFUSED, *INTAKE, reason=True),
    (Status.ACCEPTED, Action.START): _t(Status.HANDLING, HANDLER),
    (Status.HANDLING, Action.PASS_STAGE): _t(Status.HANDLING, by_stage=True),
    (Status.HANDLING, Action.PAUSE): _t(Status.SPECIAL, by_stage=True, reason=True),
    (Status.SPECIAL, Action.RESUME): _t(Status.HANDLING, by_stage=True, reason=True),
    (Status.HANDLING, Action.APPROVE): _t(Status.APPROVED, by_stage=True),
    (Status.HANDLING, Action.DENY): _t(Status.DENIED, by_stage=True, reason=True),
    **{(s, Action.WITHDRAW): _t(Status.WITHDRAWN, APPLICANT) for s in OPEN_BEFORE_DECISION},
    (Status.APPROVED, Action.REVOKE): _t(Status.REVOKED, SUPERVISOR, APPROVER, reason=True),
    (Status.APPROVED_DEFICIENT, Action.REVOKE): _t(
        Status.REVOKED, SUPERVISOR, APPROVER, reason=True
    ),
}


def transition_for(status: str, action: str) -> Transition | None:
    try:
        return TABLE.get((Status(status), Action(action)))
    except ValueError:
        return None


def actions_from(status: str) -> list[Action]:
    """Actions the table allows from ``status`` (before guards and roles)."""
    return [action for (state, action) in TABLE if state == status]
