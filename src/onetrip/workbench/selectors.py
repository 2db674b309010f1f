"""Reads for the staff pages: which applications a staff member sees, and which need them.

The queue is computed in the database from the transition table (``workflow.TABLE``) and the
departments where the user holds each role, so "待我处理" agrees with ``allowed_actions``
without evaluating it row by row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from onetrip.accounts.models import StaffRole, User
from onetrip.accounts.selectors import staff_department_ids
from onetrip.applications import workflow
from onetrip.applications.models import Application, ApplicationEvent
from onetrip.applications.services import holds_window_role
from onetrip.applications.workflow import Status
from onetrip.catalog.models import Department, Item
from onetrip.core.crypto import lookup_hash
from onetrip.core.identifiers import credit_code_clean, id_number_clean

# Department-scoped roles that let a staff member see an application (see ``actor_roles``).
DEPARTMENT_ROLES = (
    workflow.WINDOW,
    workflow.HANDLER,
    workflow.CHECKER,
    workflow.APPROVER,
    workflow.SUPERVISOR,
)
NOWHERE = Q(pk__in=[])


@dataclass
class StaffScope:
    """Departments per role (``None`` = every department) and whether the user is at a window."""

    departments: dict[str, set[int] | None]
    window: bool
    user_id: int | None = None

    def department_q(self, role: str) -> Q | None:
        """Where ``role`` lets the user act; None when nowhere."""
        if role == workflow.WINDOW:
            return Q() if self.window else None
        ids = self.departments.get(role, set())
        if ids is None:
            return Q()
        return Q(department_id__in=ids) if ids else None

    @property
    def unrestricted(self) -> bool:
        return any(ids is None for ids in self.departments.values())

    def all_department_ids(self) -> set[int]:
        """Departments where a role shows the user every application (the window's role does
        not: a window officer sees only the counter's steps, ``window_reach_q``)."""
        out: set[int] = set()
        for role, ids in self.departments.items():
            if role != workflow.WINDOW:
                out |= ids or set()
        return out


def staff_scope(*, user: User) -> StaffScope:
    return StaffScope(
        departments={role: staff_department_ids(user=user, role=role) for role in DEPARTMENT_ROLES},
        window=holds_window_role(user),
        user_id=user.pk,
    )


def window_reach_q(user_id: int | None) -> Q:
    """The applications ``services._window_reaches`` lets a window officer open, as a query:
    their own intakes and what they acted on, what waits for intake, results for pickup."""
    return (
        Q(created_by_id=user_id)
        | Q(pk__in=ApplicationEvent.objects.filter(actor_id=user_id).values("application_id"))
        | Q(status__in=(Status.SUBMITTED, Status.CORRECTION, Status.CORRECTED))
        | Q(status__in=workflow.DECIDED, delivery_method=Application.Delivery.PICKUP)
    )


def visible_q(scope: StaffScope) -> Q:
    """Applications (not drafts) of the user's departments, plus the intake queue at a window."""
    if scope.unrestricted:
        return ~Q(status=Status.DRAFT)
    q = NOWHERE
    ids = scope.all_department_ids()
    if ids:
        q |= Q(department_id__in=ids)
    if scope.window:
        q |= window_reach_q(scope.user_id)
    return q & ~Q(status=Status.DRAFT)


def actionable_q(scope: StaffScope) -> Q:
    """Applications on which ``allowed_actions`` is non-empty for a staff member with ``scope``.

    Built from the transition table: for each role, the states it may act in (and, for
    stage-bound actions, the stage whose role it is), limited to the role's departments.
    Drafts are left out: they belong to the applicant or to the officer taking them in.
    """
    plain: dict[str, set[str]] = {}
    staged: dict[tuple[str, str], set[str]] = {}
    for (state, _action), t in workflow.TABLE.items():
        if state == Status.DRAFT:
            continue
        if t.by_stage:
            for stage, role in workflow.STAGE_ROLE.items():
                staged.setdefault((role, stage), set()).add(state.value)
        else:
            for role in t.actors:
                if role != workflow.APPLICANT:
                    plain.setdefault(role, set()).add(state.value)
    q = NOWHERE
    for role, states in plain.items():
        where = scope.department_q(role)
        if where is not None:
            q |= Q(status__in=sorted(states)) & where
    for (role, stage), states in staged.items():
        where = scope.department_q(role)
        if where is not None:
            q |= Q(status__in=sorted(states), stage=stage) & where
    return q


@dataclass
class QueueFilters:
    department: int | None = None
    status: str = ""
    stage: str = ""
    q: str = ""
    mine: bool = False


def queue_for(*, user: User, filters: QueueFilters) -> QuerySet[Application]:
    """The staff queue, newest submission first."""
    scope = staff_scope(user=user)
    qs = Application.objects.filter(visible_q(scope))
    if filters.mine:
        qs = qs.filter(actionable_q(scope))
    if filters.department:
        qs = qs.filter(department_id=filters.department)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
        if not filters.status:  # at a stage means still there: decided ones have moved on
            qs = qs.filter(status__in=workflow.ACCEPTED_OPEN)
    if filters.q:
        text = filters.q
        match = (
            Q(tracking_number__icontains=text)
            | Q(applicant_person__real_name__icontains=text)
            | Q(applicant_enterprise__name__icontains=text)
            | Q(applicant_enterprise__credit_code=credit_code_clean(text))
        )
        number = id_number_clean(text)
        if len(number) == 18:  # a 公民身份号码: searched through its lookup hash, never in clear
            match |= Q(applicant_person__id_number_hash=lookup_hash(number))
        qs = qs.filter(match)
    return qs.select_related(
        "item", "version", "department", "applicant_person", "applicant_enterprise"
    ).order_by(F("submitted_at").desc(nulls_last=True), "-id")


def queue_departments(*, user: User) -> QuerySet[Department]:
    scope = staff_scope(user=user)
    if scope.unrestricted or scope.window:
        return Department.objects.filter(role=Department.Role.SERVICE)
    return Department.objects.filter(pk__in=scope.all_department_ids())


def intake_items(*, q: str = "") -> QuerySet[Item]:
    """Every published item of every department (一窗受理), grouped by department."""
    qs = Item.objects.filter(current_version__isnull=False).select_related(
        "department", "current_version"
    )
    if q:
        qs = qs.filter(
            Q(current_version__name__icontains=q)
            | Q(code__icontains=q)
            | Q(search_text__icontains=q)
            | Q(department__name__icontains=q)
        )
    return qs.order_by("department__order", "department__code", "order", "code")


def window_place(*, user: User) -> str:
    """Where the officer sits, for the visit record: "<department>窗口"."""
    grant = (
        StaffRole.objects.filter(user=user, role=workflow.WINDOW)
        .select_related("department")
        .order_by("department__order")
        .first()
    )
    return f"{grant.department.name}窗口" if grant else "政务服务中心窗口"
