"""Who may do what, by department."""

from __future__ import annotations

from django.db.models import QuerySet

from onetrip.accounts.models import StaffRole, User


def staff_department_ids(*, user: User, role: str) -> set[int] | None:
    """Department ids where ``user`` holds ``role``; ``None`` means every department."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return None
    roles: QuerySet[StaffRole] = StaffRole.objects.filter(
        user=user, role__in=[role, StaffRole.Role.ADMINISTRATOR]
    )
    ids = set(roles.values_list("department_id", flat=True))
    return _with_units(ids)


def _with_units(ids: set[int]) -> set[int]:
    """A role held in a department covers its units (下属单位) too."""
    from onetrip.catalog.models import Department

    frontier = set(ids)
    while frontier:
        children = set(
            Department.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        )
        frontier = children - ids
        ids |= children
    return ids


def staff_has_role(*, user: User, role: str, department_id: int | None = None) -> bool:
    ids = staff_department_ids(user=user, role=role)
    if ids is None:
        return True
    if department_id is None:
        return bool(ids)
    return department_id in ids
