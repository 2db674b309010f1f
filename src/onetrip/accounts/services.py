"""Writes to accounts: staff roles and the permission groups behind them."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from onetrip.accounts.models import StaffRole, User
from onetrip.catalog.models import Department

# Model permissions each staff role needs in the Django admin.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    StaffRole.Role.CATALOGUE: [
        "catalog.view_department",
        "catalog.change_department",
        "catalog.view_item",
        "catalog.add_item",
        "catalog.change_item",
        "catalog.delete_item",
        "catalog.view_itemversion",
        "catalog.add_itemversion",
        "catalog.change_itemversion",
        "catalog.delete_itemversion",
        *[
            f"catalog.{op}_{m}"
            for m in ("situation", "material", "fee", "faq")
            for op in ("view", "add", "change", "delete")
        ],
    ],
}


def role_groups_sync(*, using: str = "default") -> None:
    """Create one permission group per staff role and give it the role's permissions."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=f"role:{role}")
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted += list(
                Permission.objects.using(using).filter(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(wanted)


@transaction.atomic
def staff_role_grant(*, user: User, department: Department, role: str) -> StaffRole:
    """Give ``user`` a role in ``department`` (staff access and the role's permissions)."""
    grant, _ = StaffRole.objects.get_or_create(user=user, department=department, role=role)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    group = Group.objects.filter(name=f"role:{role}").first()
    if group:
        user.groups.add(group)
    return grant
