"""The embedded demo: the shipped catalogue, demo applicants and one staff account per role."""

from __future__ import annotations

from django.core.management import call_command
from django.db import transaction

from onetrip.accounts.models import Person, User
from onetrip.accounts.services import person_register, staff_role_grant
from onetrip.catalog.models import Department, Item

DEMO_PASSWORD = "onetrip-demo"

# username, display name, department code, roles
DEMO_STAFF = [
    ("window", "窗口人员（市政务服务中心人社窗口）", "lz-rsj", ["window"]),
    ("handler", "承办人员（社保中心）", "lz-sbzx", ["handler"]),
    ("checker", "审核人员（社保中心）", "lz-sbzx", ["checker"]),
    ("approver", "批准人员（社保中心）", "lz-sbzx", ["approver"]),
    ("supervisor", "监察人员（市人社局）", "lz-rsj", ["supervisor", "handler"]),
    ("catalogue", "事项管理员（市人社局）", "lz-rsj", ["catalogue"]),
    ("catalogue-jyfw", "事项管理员（就业服务中心）", "lz-jyfw", ["catalogue"]),
    ("catalogue-sbzx", "事项管理员（社保中心）", "lz-sbzx", ["catalogue"]),
]

# real name, 公民身份号码 (valid check digits, synthetic), phone
DEMO_APPLICANTS = [
    ("张三", "62010219850312003X", "13800000001"),
    ("李梅", "620103199207180047", "13800000002"),
    ("王刚", "620102198811230054", "13800000003"),
]


def demo_accounts_ensure() -> list[tuple[str, str]]:
    """Create the demo administrator, staff and applicants if missing."""
    created = []
    with transaction.atomic():
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "", DEMO_PASSWORD, display_name="系统管理员")
            created.append(("admin", "系统管理员"))
        for username, name, dept_code, roles in DEMO_STAFF:
            department = Department.objects.filter(code=dept_code).first()
            if department is None or User.objects.filter(username=username).exists():
                continue
            user = User.objects.create_user(username, "", DEMO_PASSWORD, display_name=name)
            for role in roles:
                staff_role_grant(user=user, department=department, role=role)
            created.append((username, name))
        for name, id_number, phone in DEMO_APPLICANTS:
            if (
                Person.objects.filter(real_name=name, phone_hash__gt="")
                .filter(user__isnull=False)
                .exists()
            ):
                continue
            user = User.objects.filter(username=f"demo-{phone}").first()
            if user is None:
                user = User(username=f"demo-{phone}", display_name=name)
                user.set_phone(phone)
                user.set_unusable_password()
                user.save()
            from onetrip.accounts.services import person_find

            if person_find(id_number=id_number) is None:
                person_register(real_name=name, id_number=id_number, phone=phone, user=user)
                created.append((phone, name))
    return created


def demo_ensure(*, stdout=None) -> None:
    """Load the shipped catalogue on first run and the demo accounts."""
    if not Item.objects.exists():
        call_command("load_catalogue", stdout=stdout)
    demo_accounts_ensure()
