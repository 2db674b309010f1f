"""Granting and taking away access in /admin/ is audited like any other change."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from onetrip.accounts.models import User
from onetrip.audit.models import AuditEvent
from onetrip.audit.selectors import audit_chain_verify
from onetrip.catalog.tests.factories import departments_create

pytestmark = pytest.mark.django_db


def _change(client, user, *, roles=(), groups=(), **flags):
    """POST the user's change form as the admin page would, with these roles and groups."""
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "display_name": "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "groups": [g.pk for g in groups],
        "staff_roles-TOTAL_FORMS": str(len(roles)),
        "staff_roles-INITIAL_FORMS": "0",
        "staff_roles-MIN_NUM_FORMS": "0",
        "staff_roles-MAX_NUM_FORMS": "1000",
        **{k: "on" for k, v in flags.items() if v},
    }
    for i, (role, department) in enumerate(roles):
        data[f"staff_roles-{i}-role"] = role
        data[f"staff_roles-{i}-department"] = department.pk
    r = client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r


def test_access_granted_and_removed_in_the_admin_is_in_the_audit_chain():
    root = User.objects.create_superuser("root", password="x")
    officer = User.objects.create_user("officer", password="x")
    department = departments_create()["jobs"]
    editors = Group.objects.get_or_create(name="role:catalogue")[0]
    admin = Client(REMOTE_ADDR="10.1.2.3")
    admin.force_login(root)
    _change(admin, officer, is_active=True, is_staff=True, is_superuser=True)
    _change(
        admin,
        User.objects.get(pk=officer.pk),
        roles=[("approver", department)],
        groups=[editors],
        is_active=True,
        is_staff=True,
        is_superuser=True,
    )
    events = list(AuditEvent.objects.filter(object_id=str(officer.pk)).order_by("seq"))
    assert [e.action for e in events] == ["account.access", "account.roles"]
    assert events[0].before["is_superuser"] is False and events[0].after["is_superuser"] is True
    assert events[1].before == {"roles": [], "groups": [], "permissions": []}
    assert events[1].after["roles"] == [f"approver@{department.code}"]
    assert events[1].after["groups"] == ["role:catalogue"]
    assert all(e.actor_id == str(root.pk) and e.source_ip == "10.1.2.3" for e in events)
    r = admin.post(
        f"/admin/accounts/user/{officer.pk}/password/",
        {"password1": "a-new-long-passphrase-42", "password2": "a-new-long-passphrase-42"},
    )
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="account.password", object_id=str(officer.pk)).exists()
    assert audit_chain_verify().ok


def test_an_unchanged_save_adds_nothing():
    root = User.objects.create_superuser("root", password="x")
    officer = User.objects.create_user("officer", password="x", is_staff=True)
    admin = Client()
    admin.force_login(root)
    before = AuditEvent.objects.count()
    _change(admin, officer, is_active=True, is_staff=True)
    assert AuditEvent.objects.count() == before
