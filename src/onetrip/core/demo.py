"""The embedded demo: the shipped catalogue and one account per role, for trying onetrip."""

from __future__ import annotations

from django.core.management import call_command
from django.db import transaction

from onetrip.accounts.models import User
from onetrip.accounts.services import staff_role_grant
from onetrip.catalog.models import Department, Item

DEMO_PASSWORD = "onetrip-demo"

# username, display name, department code, role
DEMO_STAFF = [
    ("catalogue", "事项管理员（市人社局）", "lz-rsj", "catalogue"),
    ("catalogue-jyfw", "事项管理员（就业服务中心）", "lz-jyfw", "catalogue"),
    ("catalogue-sbzx", "事项管理员（社保中心）", "lz-sbzx", "catalogue"),
]


def demo_accounts_ensure() -> list[tuple[str, str]]:
    """Create the demo administrator and staff if missing; return (username, role) pairs."""
    created = []
    with transaction.atomic():
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "", DEMO_PASSWORD, display_name="系统管理员")
            created.append(("admin", "系统管理员"))
        for username, name, dept_code, role in DEMO_STAFF:
            department = Department.objects.filter(code=dept_code).first()
            if department is None or User.objects.filter(username=username).exists():
                continue
            user = User.objects.create_user(username, "", DEMO_PASSWORD, display_name=name)
            staff_role_grant(user=user, department=department, role=role)
            created.append((username, name))
    return created


def demo_ensure(*, stdout=None) -> None:
    """Load the shipped catalogue on first run and the demo accounts."""
    if not Item.objects.exists():
        call_command("load_catalogue", stdout=stdout)
    demo_accounts_ensure()
