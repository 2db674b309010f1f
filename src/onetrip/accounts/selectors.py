"""Who may do what, by department."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import QuerySet

from onetrip.accounts.models import StaffRole, User

_scope_memo: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar(
    "onetrip_scope_memo", default=None
)


@contextmanager
def staff_scope_memo() -> Iterator[None]:
    """Within the block, each officer's scope is read once: for a list that checks many
    applications for the same officer. Roles granted inside the block are not seen."""
    token = _scope_memo.set({})
    try:
        yield
    finally:
        _scope_memo.reset(token)


def scope_memoised(key: tuple[Any, ...], read: Callable[[], Any]) -> Any:
    """``read()``, or inside ``staff_scope_memo`` the value already read for ``key``."""
    memo = _scope_memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def staff_department_ids(*, user: User, role: str) -> set[int] | None:
    """Department ids where ``user`` holds ``role``; ``None`` means every department."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return None
    ids = scope_memoised(
        ("departments", user.pk, role), lambda: frozenset(_department_ids(user, role))
    )
    return set(ids)


def _department_ids(user: User, role: str) -> set[int]:
    roles: QuerySet[StaffRole] = StaffRole.objects.filter(
        user=user, role__in=[role, StaffRole.Role.ADMINISTRATOR]
    )
    return _with_units(set(roles.values_list("department_id", flat=True)))


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
