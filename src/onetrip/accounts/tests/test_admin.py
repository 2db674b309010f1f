"""Granting and taking away access in /admin/ is audited like any other change."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from onetrip.accounts.admin import UserAdmin
from onetrip.accounts.models import StaffRole, User
from onetrip.audit.models import AuditEvent
from onetrip.audit.selectors import audit_chain_verify
from onetrip.catalog.tests.factories import departments_create

pytestmark = pytest.mark.django_db


class _Form:
    def __init__(self, instance):
        self.instance = instance

    def save_m2m(self):
        pass


class _RolesInline:
    """The staff-role inline as the admin saves it: inside ``save_related``."""

    def __init__(self, save):
        self.save = save


def test_superuser_grants_roles_and_deletions_are_in_the_audit_chain():
    root = User.objects.create_superuser("root", password="x")
    request = RequestFactory().post("/admin/", REMOTE_ADDR="10.1.2.3")
    request.user = root
    model_admin = UserAdmin(User, admin.site)
    officer = User(username="officer")
    model_admin.save_model(request, officer, None, change=False)
    officer.is_staff = officer.is_superuser = True
    model_admin.save_model(request, officer, None, change=True)
    department = departments_create()["jobs"]
    form = _Form(officer)
    grant = _RolesInline(
        lambda: StaffRole.objects.create(user=officer, department=department, role="approver")
    )
    model_admin.save_related(request, form, [grant], change=True)
    model_admin.save_related(request, form, [], change=True)  # nothing changed: no event
    events = list(AuditEvent.objects.filter(object_id=str(officer.pk)).order_by("seq"))
    assert [e.action for e in events] == ["account.create", "account.access", "account.roles"]
    assert events[1].before["is_superuser"] is False and events[1].after["is_superuser"] is True
    assert events[2].before == {"roles": []}
    assert events[2].after == {"roles": [f"approver@{department.code}"]}
    assert all(e.actor_id == str(root.pk) and e.source_ip == "10.1.2.3" for e in events)
    StaffRole.objects.filter(user=officer).delete()
    model_admin.delete_model(request, officer)
    gone = AuditEvent.objects.get(action="account.delete")
    assert gone.before["is_superuser"] is True and gone.after is None
    assert not User.objects.filter(username="officer").exists()
    assert audit_chain_verify().ok
